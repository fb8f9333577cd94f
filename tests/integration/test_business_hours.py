"""Opening hours reach the IVR: main.yaml closes after hours and on holidays.

The switchboard computes ``business_hours`` and ``holiday`` from the ``[hours]``
calendar when a call arrives; the flow branches on them (``hours_check``).
"""

from typing import TYPE_CHECKING

import pytest

from callcenter.domain import events as ev
from tests.integration.harness import Line

if TYPE_CHECKING:
    from callcenter.core.services import Facts

MONDAY_8_UTC = 1_767_600_000.0  # 16:00 in Shanghai
OFFICE = {
    "timezone": "Asia/Shanghai",
    "weekly": {day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
}
CLOSED_WAY = ["hours_check", "closed", "general_voicemail"]


@pytest.mark.parametrize(
    ("hours", "start", "is_open"),
    [
        ({}, MONDAY_8_UTC + 14 * 3600, True),  # no [hours]: always open
        (OFFICE, MONDAY_8_UTC, True),  # Monday 16:00 local
        (OFFICE, MONDAY_8_UTC + 3 * 3600, False),  # Monday 19:00 local
        (OFFICE, MONDAY_8_UTC + 5 * 86400, False),  # Saturday
        ({**OFFICE, "holidays": ["2026-01-05"]}, MONDAY_8_UTC, False),
        ({"holidays": ["2026-01-06"]}, MONDAY_8_UTC + 16 * 3600, False),  # 00:00 Tue
    ],
)
async def test_the_main_flow_follows_the_calendar(
    hours: dict[str, object], start: float, is_open: bool
) -> None:
    line = Line(hours=hours, start=start)
    line.log_in("1001")
    call = line.call("+8613500000001", ("1", "1", "5", "5", "5"))
    await line.run(3600)
    path = line.path(call)
    record = line.completed(call)
    if is_open:
        assert "main_menu" in path
        assert record.outcome is ev.CallOutcome.ANSWERED
    else:
        assert path[-len(CLOSED_WAY) :] == CLOSED_WAY
        assert record.outcome is ev.CallOutcome.VOICEMAIL


async def test_the_variables_reach_the_agents_screen_pop() -> None:
    line = Line(hours=OFFICE)
    line.log_in("1001")
    line.call("+8613500000001", ("1", "1", "5", "5", "5"))
    await line.run(3600)
    (pop,) = line.services.screen_pops
    variables = pop.record["ivr_variables"]
    assert isinstance(variables, dict)
    assert (variables["business_hours"], variables["holiday"]) == (True, False)


async def test_an_urgent_complaint_on_a_holiday_reaches_the_complaints_voicemail() -> (
    None
):
    urgent: Facts = {"known": True, "language": "en", "urgent_complaint": True}
    line = Line(
        customers={"+8613800000004": urgent}, hours={"holidays": ["2026-01-05"]}
    )
    line.log_in("1001", "1002")
    call = line.call("+8613800000004")
    await line.run(600)
    assert line.path(call)[-1] == "complaint_voicemail"  # the queue is closed too
    # the ACD turned the call away (closed), but a message was left: voicemail
    assert line.completed(call).outcome is ev.CallOutcome.VOICEMAIL
