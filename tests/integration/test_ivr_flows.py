"""The sample IVR flows, end to end: switchboard, ACD, runtime and the simulated PBX.

Callers are scripted (``SimulatedPbx.offer_call(digits=...)``) and time is virtual.
Whatever the caller does (hang up at any node of ``main.yaml``, fail a menu, ask for
a callback) the call ends in exactly one final record and leaves nothing behind in
the ACD or the PBX.
"""

from dataclasses import dataclass, field

import pytest

from callcenter.core.services import Facts
from callcenter.domain import events as ev
from callcenter.domain.ids import CallId
from ivr.loader import load_flows
from tests.integration.harness import FLOWS, Line

STRANGER = "+8613500000001"
KEY = "+8613600000002"
COMPLAINT = "+8613700000003"
URGENT = "+8613800000004"
CUSTOMERS: dict[str, Facts] = {
    KEY: {"known": True, "customer_id": "2", "tier": "key", "language": "en"},
    COMPLAINT: {
        "known": True,
        "customer_id": "3",
        "tier": "ordinary",
        "language": "en",
        "open_complaint": True,
    },
    URGENT: {
        "known": True,
        "customer_id": "4",
        "tier": "ordinary",
        "language": "en",
        "open_complaint": True,
        "urgent_complaint": True,
    },
}
HOLIDAY: dict[str, object] = {"holidays": ["2026-01-05"]}  # the harness's first day
KEEP_WAITING = ("1",) * 8  # "press 1 to keep waiting" at every callback offer


@dataclass(frozen=True, kw_only=True)
class Way:
    """How a caller reaches a node of main.yaml."""

    number: str = STRANGER
    digits: tuple[str, ...] = ()
    hours: dict[str, object] = field(default_factory=dict)
    press_2_after: float | None = None  # seconds, while on hold


WAYS = {
    "identify": Way(),
    "greeting": Way(),
    "language_known": Way(),
    "choose_language": Way(),
    "set_english": Way(digits=("1",)),
    "set_chinese": Way(digits=("2",)),
    "complaint_check": Way(digits=("1",)),
    "complaint_offer": Way(number=COMPLAINT),
    "hours_check": Way(digits=("1",)),
    "key_check": Way(digits=("1",)),
    "key_intro": Way(number=KEY),
    "main_menu": Way(digits=("1",)),
    "booking_reference": Way(digits=("1", "2")),
    "find_booking": Way(digits=("1", "2", "12345678")),
    "read_back_reference": Way(digits=("1", "2", "12345678")),
    "reservations_queue": Way(digits=("1", "1")),
    "bookings_queue": Way(digits=("1", "2", "12345678")),
    "complaints_queue": Way(digits=("1", "3")),
    "key_accounts_queue": Way(number=KEY, digits=("4",)),
    "queue_callback": Way(digits=("1", "1"), press_2_after=30),
    "overflow_callback": Way(digits=("1", "1", *KEEP_WAITING)),
    "closed": Way(digits=("1",), hours=HOLIDAY),
    "general_voicemail": Way(digits=("1",), hours=HOLIDAY),
    "complaint_voicemail": Way(number=URGENT, hours=HOLIDAY),
}
# How a call ends when the caller hangs up there: in the queue (a callback dialogue
# on hold keeps the place) it is abandoned; once the ACD has let go of it (queue
# closed, waited too long) it stays as the ACD settled it; before, IVR only.
ABANDONED = ev.CallOutcome.ABANDONED
OUTCOMES = dict.fromkeys(
    [
        "reservations_queue",
        "bookings_queue",
        "complaints_queue",
        "key_accounts_queue",
        "queue_callback",
    ],
    ABANDONED,
)
OUTCOMES |= dict.fromkeys(
    ["overflow_callback", "complaint_voicemail"], ev.CallOutcome.OVERFLOWED
)


async def reach(way: Way, *, hang_up_at: str = "") -> tuple[Line, CallId]:
    """Bring one caller in (no agent logged in) and let an hour pass."""
    line = Line(customers=CUSTOMERS, hours=way.hours)
    call = line.call(way.number, way.digits, hang_up_at=hang_up_at)
    if way.press_2_after is not None:
        await line.run(way.press_2_after)
        assert line.pbx.press(call, "2")
    await line.run(3600)
    return line, call


def test_every_node_of_main_has_a_way_to_reach_it() -> None:
    assert set(WAYS) == set(load_flows(FLOWS)["main"].nodes)


@pytest.mark.parametrize("node", sorted(WAYS))
async def test_a_caller_may_hang_up_at_any_node(node: str) -> None:
    line, call = await reach(WAYS[node], hang_up_at=node)
    visits = line.of(ev.IvrNodeVisited, call)
    reached = next(v for v in visits if v.node == node)
    # The call ends at that very moment: the flow goes no further in time (a
    # branch or set node leads on at once to the next wait, no later).
    assert {v.at for v in visits[visits.index(reached) :]} == {reached.at}
    ended = line.of(ev.CallEnded, call)
    assert [(e.by, e.at) for e in ended] == [(ev.Party.CALLER, reached.at)]
    record = line.completed(call)  # exactly one final record
    assert record.outcome is OUTCOMES.get(node, ev.CallOutcome.IVR_ONLY)
    assert line.center.switchboard.acd.position(call) is None
    assert line.center.switchboard.calls_in_progress() == 0
    assert line.pbx.calls_in_progress() == 0


@pytest.mark.parametrize("node", sorted(WAYS))
async def test_every_node_is_reached_by_its_way(node: str) -> None:
    line, call = await reach(WAYS[node])
    assert node in line.path(call)


async def test_invalid_keys_until_the_menu_gives_up_reach_a_person() -> None:
    line = Line()
    line.log_in("1001")
    call = line.call(STRANGER, ("1", "9", "8", "7", *KEEP_WAITING))
    await line.run(3600)
    path = line.path(call)
    menu = path.index("main_menu")
    assert path[menu + 1] == "reservations_queue"  # main_menu's on_failure
    invalid = [
        c for c in line.of(ev.DigitsCollected, call) if c.digits in {"9", "8", "7"}
    ]
    assert len(invalid) == 3  # the first try and two retries
    assert line.completed(call).outcome is ev.CallOutcome.ANSWERED


async def test_retries_exhausted_without_on_failure_hang_up(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("flows")
    (folder / "main.yaml").write_text(
        "start: menu\n"
        "nodes:\n"
        "  menu:\n"
        "    kind: menu\n"
        "    prompt: custom/main-menu\n"
        "    retries: 1\n"
        "    options: {'1': bye}\n"
        "  bye:\n"
        "    kind: hangup\n",
        encoding="utf-8",
    )
    line = Line(flows_dir=folder)
    call = line.call(STRANGER, ("5", "6", "1"))
    await line.run(600)
    assert line.path(call) == ["menu"]
    assert line.of(ev.CallEnded, call)[0].by is ev.Party.SYSTEM  # the IVR hung up
    assert line.completed(call).outcome is ev.CallOutcome.IVR_ONLY


async def test_a_caller_on_hold_asks_for_a_callback_and_is_called_back() -> None:
    line = Line()
    call = line.call(STRANGER, ("1", "1", "1"))  # English, reservations, confirm
    await line.run(60)
    assert line.pbx.press(call, "2")
    await line.run(60)
    record = line.completed(call)
    assert record.outcome is ev.CallOutcome.CALLBACK
    assert "queue_callback" in line.path(call)
    line.log_in("1001")  # an agent comes: the ACD calls the customer back
    await line.run(3600)
    finished = line.of(ev.AcdCallFinished, call)
    assert [(f.outcome, f.agent_id) for f in finished] == [
        (ev.CallOutcome.CALLBACK, "1001")
    ]
    assert line.of(ev.OriginateFinished, call)
    assert line.pbx.calls_in_progress() == 0


@pytest.mark.parametrize(
    ("flow", "digits", "queue"),
    [
        ("main", ("1", "1", *KEEP_WAITING), "reservations"),
        ("hotel", ("2", "12345678", *KEEP_WAITING), "bookings"),
        ("travel", ("1", *KEEP_WAITING), "reservations"),
    ],
)
async def test_the_sample_flows_reach_an_agent_and_the_survey(
    flow: str, digits: tuple[str, ...], queue: str
) -> None:
    line = Line(main_flow=flow)
    line.log_in("1001", "1002")
    call = line.call(STRANGER, (*digits, "5", "4", "5"))
    await line.run(3600)
    record = line.completed(call)
    assert (record.outcome, record.queue) == (ev.CallOutcome.ANSWERED, queue)
    assert line.of(ev.CallAnswered, call)
    assert line.pbx.calls_in_progress() == 0
