"""A caller nobody knows by number is recognised by the booking reference they key.

The sample flows on the simulated PBX in virtual time, with the real CRM (the
seeded demo, on SQLite) behind ``CrmServices``: the IVR collects the reference,
looks it up (``crm_lookup by: digits``), and the call is routed, recorded and
popped on the agent's screen as the booking's customer's.
"""

from typing import Any

from callcenter.core.crm_services import CrmServices
from callcenter.domain import events as ev
from callcenter.domain.ids import CallId
from tests.integration.harness import Line

STRANGER = "+8613311112222"  # a hotel room's line, say: no customer has it
VIP = "+8613800138000"  # 王芳
SURVEY = ("5", "5", "5")


def popped(line: Line, call: CallId) -> dict[str, Any]:
    (pop,) = line.of(ev.ScreenPopReady, call)
    record: dict[str, Any] = pop.record
    return record


async def test_a_stranger_keys_a_booking_and_is_known_by_it(crm: CrmServices) -> None:
    line = Line(main_flow="main", services=crm)
    line.log_in("1001", "1002")
    # English, menu 2 (a booking), 李强's room H-1208-0105, then the survey
    call = line.call(STRANGER, ("1", "2", "12080105", *SURVEY))
    await line.run(3600)
    path = line.path(call)
    assert path[path.index("booking_reference") :][:4] == [
        "booking_reference", "find_booking", "read_back_reference", "bookings_queue",
    ]  # fmt: skip
    identified = line.of(ev.CustomerIdentified, call)
    assert [(i.name, i.urgent_complaint) for i in identified] == [
        ("", False),  # by caller id: a stranger
        ("李强", True),  # by the booking: his open urgent complaint comes along
    ]
    record = popped(line, call)
    assert (record["identified_by"], record["reference"]) == ("booking", "12080105")
    assert record["booking"]["reference"] == "H-1208-0105"
    assert record["booking"]["status"] == "confirmed"
    assert [card["name"] for card in record["matches"]] == ["李强"]
    assert record["routing"]["urgent_complaint"] is True
    completed = line.completed(call)
    assert completed.outcome is ev.CallOutcome.ANSWERED
    assert completed.customer_id == identified[1].customer_id


async def test_a_known_caller_stays_known_after_a_mistyped_reference(
    crm: CrmServices,
) -> None:
    line = Line(main_flow="main", services=crm)
    line.log_in("1001", "1002")
    call = line.call(VIP, ("2", "2", "99999999", *SURVEY))  # 中文, bookings
    await line.run(3600)
    identified = line.of(ev.CustomerIdentified, call)
    assert [(i.name, i.tier) for i in identified] == [("王芳", "vip")] * 2
    record = popped(line, call)
    assert (record["identified_by"], record["reference"]) == ("number", "99999999")
    assert record["booking"] is None
    assert record["routing"]["booking_found"] is False
    assert record["matches"][0]["bookings"][0]["reference"] == "H-1234-5678"


async def test_a_key_account_abroad_reaches_the_key_accounts_team(
    crm: CrmServices,
) -> None:
    line = Line(main_flow="travel", services=crm)
    line.log_in("1001", "1002")
    # travel menu 2 (a booking), 张伟's trip T-3900-1390
    call = line.call(STRANGER, ("2", "39001390", *SURVEY))
    await line.run(3600)
    path = line.path(call)
    assert path[path.index("find_booking") :][:3] == [
        "find_booking", "after_booking", "key_accounts_queue",
    ]  # fmt: skip
    completed = line.completed(call)
    assert (completed.queue, completed.outcome) == (
        "key_accounts", ev.CallOutcome.ANSWERED,
    )  # fmt: skip
