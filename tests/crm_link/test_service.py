"""CrmService: complaint handling end to end, call-path records, new callers."""

import pytest

from callcenter.domain.events import CallCompleted, CallOutcome
from callcenter.domain.ids import AgentId, CallId, CustomerId, QueueName
from crm_link.config import HOUR, CrmConfig
from crm_link.db import make_engine, make_session_factory
from crm_link.dto import PopStatus, WriteOutcome
from crm_link.enums import Channel, ComplaintState, Demand, Severity
from crm_link.errors import (
    IllegalTransitionError,
    InvalidComplaintError,
    InvalidPhoneNumberError,
    NotFoundError,
)
from crm_link.service import CrmService
from tests.crm_link.conftest import NOW

S = ComplaintState
MAIN_PATH = [S.RECORDED, S.ANALYSING, S.SOLUTION_PROPOSED, S.IN_PROGRESS,
             S.FOLLOW_UP, S.CLOSED]  # fmt: skip


async def _customer(crm: CrmService, number: str = "+8613312345678") -> CustomerId:
    return (await crm.create_customer_from_number(number, NOW, name="赵六")).customer_id


async def test_a_new_caller_becomes_a_customer_once(crm: CrmService) -> None:
    first = await crm.create_customer_from_number("133 1234 5678", NOW)
    again = await crm.create_customer_from_number("+86 133-1234-5678", NOW)
    assert first.created
    assert not again.created
    assert again.customer_id == first.customer_id
    assert first.name == "Caller +8613312345678"
    pop = await crm.screen_pop("13312345678", NOW)
    assert pop.status is PopStatus.KNOWN
    assert pop.matches[0].language == "zh-CN"


async def test_a_household_may_get_a_second_customer(crm: CrmService) -> None:
    await crm.create_customer_from_number("13312345678", NOW, name="A")
    await crm.create_customer_from_number(
        "13312345678", NOW, name="B", reuse_existing=False
    )
    assert (await crm.screen_pop("13312345678", NOW)).status is PopStatus.AMBIGUOUS


async def test_a_bad_number_cannot_become_a_customer(crm: CrmService) -> None:
    with pytest.raises(InvalidPhoneNumberError):
        await crm.create_customer_from_number("anonymous", NOW)


async def test_a_complaint_records_every_field(crm: CrmService) -> None:
    customer = await _customer(crm)
    record = await crm.open_complaint(
        customer_id=customer, category="room", severity=Severity.SERIOUS,
        description="Air conditioning broken, 2026-01-04, room 808", who="1003",
        now=NOW, channel=Channel.EMAIL, demands=[Demand.REFUND, Demand.APOLOGY],
        attachments=["s3://evidence/808.jpg"], department="Engineering",
        owner=AgentId("1003"), call_id=CallId("call-9"),
    )  # fmt: skip
    assert record.state is S.RECEIVED
    assert record.deadline_at == NOW + 24 * HOUR
    assert record.demands == (Demand.REFUND, Demand.APOLOGY)
    assert record.attachments == ("s3://evidence/808.jpg",)
    assert (record.channel, record.department, record.owner) == (
        Channel.EMAIL, "Engineering", "1003",
    )  # fmt: skip
    assert record == await crm.get_complaint(record.complaint_id)


async def test_walk_the_whole_workflow_with_an_audit_trail(crm: CrmService) -> None:
    customer = await _customer(crm)
    opened = await crm.open_complaint(
        customer_id=customer, category="food", severity=Severity.ORDINARY,
        description="Cold breakfast", who="1002", now=NOW,
    )  # fmt: skip
    cid = opened.complaint_id
    for n, state in enumerate(MAIN_PATH, start=1):
        record = await crm.advance_complaint(
            cid, state, f"agent-{n}", f"step {n}", NOW + n * 60,
            resolution="Free breakfast for the stay" if state is S.IN_PROGRESS else None,
            follow_up_result="Guest happy" if state is S.CLOSED else None,
            satisfaction=5 if state is S.CLOSED else None,
        )  # fmt: skip
    assert record.state is S.CLOSED
    assert record.closed_at == NOW + 6 * 60
    assert (record.resolution, record.follow_up_result, record.satisfaction) == (
        "Free breakfast for the stay", "Guest happy", 5,
    )  # fmt: skip
    history = await crm.complaint_history(cid)
    assert [(h.from_state, h.to_state) for h in history] == [
        (None, S.RECEIVED),
        *zip([S.RECEIVED, *MAIN_PATH[:-1]], MAIN_PATH, strict=True),
    ]
    assert [h.who for h in history] == ["1002"] + [f"agent-{n}" for n in range(1, 7)]
    assert history[3].comment == "step 3"
    assert history[3].at == NOW + 180


async def test_an_illegal_step_is_refused_and_changes_nothing(crm: CrmService) -> None:
    customer = await _customer(crm)
    record = await crm.open_complaint(
        customer_id=customer, category="price", severity=Severity.ORDINARY,
        description="Charged twice", who="1002", now=NOW,
    )  # fmt: skip
    with pytest.raises(IllegalTransitionError, match="received to closed"):
        await crm.advance_complaint(record.complaint_id, S.CLOSED, "1002", "", NOW)
    assert (await crm.get_complaint(record.complaint_id)).state is S.RECEIVED
    assert len(await crm.complaint_history(record.complaint_id)) == 1


async def test_reopening_restarts_the_deadline(crm: CrmService) -> None:
    customer = await _customer(crm)
    record = await crm.open_complaint(
        customer_id=customer, category="transport", severity=Severity.URGENT,
        description="Driver never came", who="1007", now=NOW,
    )  # fmt: skip
    for state in MAIN_PATH:
        await crm.advance_complaint(record.complaint_id, state, "1007", "", NOW + 60)
    later = NOW + 48 * HOUR
    reopened = await crm.advance_complaint(
        record.complaint_id, S.RECORDED, "1001", "customer called back", later
    )
    assert reopened.state is S.RECORDED
    assert reopened.closed_at is None
    assert reopened.deadline_at == later + 4 * HOUR
    history = await crm.complaint_history(record.complaint_id)
    assert history[-1].step == "reopen"


async def test_overdue_complaints_and_the_watcher(crm: CrmService) -> None:
    customer = await _customer(crm)
    opened = {}
    for severity in Severity:
        record = await crm.open_complaint(
            customer_id=customer, category="room", severity=severity,
            description=severity.value, who="1003", now=NOW,
        )  # fmt: skip
        opened[severity] = record.complaint_id
    assert await crm.overdue_complaints(NOW + 3 * HOUR) == ()
    assert await crm.check_overdue(NOW + 3 * HOUR) == []
    at_5h = await crm.check_overdue(NOW + 5 * HOUR)
    assert [o.complaint_id for o in at_5h] == [opened[Severity.URGENT]]
    assert await crm.check_overdue(NOW + 6 * HOUR) == []
    at_25h = await crm.check_overdue(NOW + 25 * HOUR)
    assert [o.complaint_id for o in at_25h] == [opened[Severity.SERIOUS]]
    overdue = await crm.overdue_complaints(NOW + 80 * HOUR)
    assert [v.complaint_id for v in overdue] == [
        opened[Severity.URGENT],
        opened[Severity.SERIOUS],
        opened[Severity.ORDINARY],
    ]


async def test_deadlines_are_configurable(db_url: str) -> None:
    engine = make_engine(db_url)
    config = CrmConfig(deadlines=dict.fromkeys(Severity, 60.0), categories=("noise",))
    crm = CrmService(make_session_factory(engine), engine=engine, config=config)
    customer = await _customer(crm)
    record = await crm.open_complaint(
        customer_id=customer, category="noise", severity=Severity.ORDINARY,
        description="Party next door", who="1003", now=NOW,
    )  # fmt: skip
    assert record.deadline_at == NOW + 60
    with pytest.raises(InvalidComplaintError, match="unknown complaint category"):
        await crm.open_complaint(
            customer_id=customer, category="room", severity=Severity.ORDINARY,
            description="", who="1003", now=NOW,
        )  # fmt: skip
    await crm.aclose()


async def test_complaint_errors(crm: CrmService) -> None:
    with pytest.raises(NotFoundError):
        await crm.open_complaint(
            customer_id=CustomerId("999"), category="room",
            severity=Severity.URGENT, description="", who="1", now=NOW,
        )  # fmt: skip
    with pytest.raises(NotFoundError):
        await crm.advance_complaint(12345, S.RECORDED, "1", "", NOW)
    with pytest.raises(NotFoundError):
        await crm.complaint_history(12345)


async def test_a_completed_call_is_recorded_once(crm: CrmService) -> None:
    customer = await _customer(crm)
    event = CallCompleted(
        at=NOW + 400, call_id=CallId("1767600000.42"), outcome=CallOutcome.ANSWERED,
        caller_number="13312345678", queue=QueueName("booking"),
        agent_id=AgentId("1002"), customer_id=None, offered_at=NOW,
        wait_seconds=12.5, talk_seconds=300.0,
    )  # fmt: skip
    assert await crm.record_call_completed(event) is WriteOutcome.STORED
    assert await crm.record_call_completed(event) is WriteOutcome.STORED  # idempotent
    pop = await crm.screen_pop("13312345678", NOW + 500)
    (call,) = pop.matches[0].interactions
    assert pop.matches[0].customer_id == customer  # linked by number
    assert (call.call_id, call.queue, call.agent_id, call.wait_seconds) == (
        "1767600000.42", "booking", "1002", 12.5,
    )  # fmt: skip
    assert pop.routing.repeat_caller


async def test_a_call_of_a_vanished_customer_is_still_recorded(crm: CrmService) -> None:
    outcome = await crm.record_call(
        call_id=CallId("x1"), outcome=CallOutcome.ABANDONED, caller_number="anonymous",
        queue=None, agent_id=None, customer_id=CustomerId("424242"), offered_at=NOW,
        wait_seconds=40, talk_seconds=0, at=NOW + 40,
    )  # fmt: skip
    assert outcome is WriteOutcome.STORED


async def test_surveys_callbacks_and_voicemails(crm: CrmService) -> None:
    customer = await _customer(crm)
    assert (
        await crm.record_survey(call_id=CallId("s1"), score=5, at=NOW,
                                customer_id=customer)
    ) is WriteOutcome.STORED  # fmt: skip
    with pytest.raises(InvalidComplaintError):
        await crm.record_survey(call_id=CallId("s2"), score=6, at=NOW)
    assert (
        await crm.record_callback_request(
            call_id=CallId("cb1"), number="133 1234 5678", at=NOW,
            queue=QueueName("booking"), preferred_at=NOW + HOUR,
        )
    ) is WriteOutcome.STORED  # fmt: skip
    assert (
        await crm.record_voicemail(
            call_id=CallId("vm1"), number="+8613312345678", at=NOW,
            recording_ref="voicemail/vm1.wav", duration_seconds=21.5,
        )
    ) is WriteOutcome.STORED  # fmt: skip
