"""The switchboard joins PBX events, IVR sessions and the ACD."""

from pathlib import Path

from acd.config import AgentConfig, QueueConfig
from acd.engine import AcdEngine
from acd.inputs import LogIn
from callcenter.core.messages import BuildScreenPop, CustomerFound, LookupCustomer
from callcenter.core.switchboard import Switchboard, skill_levels
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId, QueueName
from ivr.loader import load_flows

FLOW = """
start: queue
nodes:
  queue:
    kind: enqueue
    queue: support
    hold:
      announce_on_entry: false
      announce_every: 30
      offer_after: 0
"""
AGENT = AgentId("1001")
CALL = CallId("c1")


def board(tmp_path: Path, flow: str = FLOW) -> Switchboard:
    (tmp_path / "main.yaml").write_text(flow, encoding="utf-8")
    acd = AcdEngine(
        [QueueConfig(name=QueueName("support"), ring_timeout=15)],
        [
            AgentConfig(
                agent_id=AGENT,
                name="A",
                endpoint="sim/1001",
                queues={QueueName("support"): 0},
            )
        ],
    )
    acd.handle(LogIn(agent_id=AGENT), 0.0)
    return Switchboard(acd=acd, flows=load_flows(tmp_path), main_flow="main")


def test_a_missed_ring_puts_the_caller_back_on_hold(tmp_path: Path) -> None:
    switchboard = board(tmp_path)
    out = switchboard.handle(
        ev.CallOffered(at=1.0, call_id=CALL, caller_number="+1"), 1.0
    )
    assert any(isinstance(o, cmd.StartHold) for o in out)
    assert any(isinstance(o, cmd.ConnectToAgent) for o in out)
    switchboard.handle(ev.AgentRinging(at=1.5, call_id=CALL, agent_id=AGENT), 1.5)
    out = switchboard.handle(
        ev.AgentNoAnswer(at=16.0, call_id=CALL, agent_id=AGENT), 16.0
    )
    assert any(isinstance(o, cmd.StartHold) for o in out)  # music again, not silence


def test_every_call_ends_in_one_record(tmp_path: Path) -> None:
    switchboard = board(tmp_path)
    switchboard.handle(ev.CallOffered(at=1.0, call_id=CALL, caller_number="+1"), 1.0)
    out = switchboard.handle(
        ev.CallEnded(at=5.0, call_id=CALL, by=ev.Party.CALLER), 5.0
    )
    (record,) = [o for o in out if isinstance(o, ev.CallCompleted)]
    assert record.outcome is ev.CallOutcome.ABANDONED
    assert switchboard.calls_in_progress() == 0


def test_skill_levels_read_name_and_level() -> None:
    assert skill_levels(["complaints=5", "language:zh"]) == {
        "complaints": 5,
        "language:zh": 1,
    }


KEYED_FLOW = """
start: reference
nodes:
  reference:
    kind: collect
    prompt: custom/enter-booking-reference
    max_digits: 8
    store: booking_reference
    next: find
  find:
    kind: crm_lookup
    by: digits
    variable: booking_reference
    next: queue
  queue:
    kind: enqueue
    queue: support
    hold: {announce_on_entry: false, offer_after: 0}
"""


def test_the_screen_pop_is_asked_for_the_reference_the_ivr_looked_up(
    tmp_path: Path,
) -> None:
    switchboard = board(tmp_path, KEYED_FLOW)
    switchboard.handle(ev.CallOffered(at=1.0, call_id=CALL, caller_number="+1"), 1.0)
    out = switchboard.handle(
        ev.DigitsCollected(at=4.0, call_id=CALL, digits="12345678"), 4.0
    )
    (lookup,) = [o for o in out if isinstance(o, LookupCustomer)]
    assert (lookup.number, lookup.reference) == ("+1", "12345678")
    found = CustomerFound(call_id=CALL, facts={"known": True, "customer_id": "7"})
    switchboard.handle(found, 4.5)
    out = switchboard.handle(ev.AgentRinging(at=5.0, call_id=CALL, agent_id=AGENT), 5.0)
    (pop,) = [o for o in out if isinstance(o, BuildScreenPop)]
    assert (pop.caller_number, pop.reference) == ("+1", "12345678")
    assert pop.ivr_variables["booking_reference"] == "12345678"
