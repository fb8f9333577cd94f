"""The switchboard joins PBX events, IVR sessions and the ACD."""

from pathlib import Path

from acd.config import AgentConfig, QueueConfig
from acd.engine import AcdEngine
from acd.inputs import LogIn
from callcenter.core.messages import (
    AgentCommand,
    AgentReply,
    BuildScreenPop,
    CustomerFound,
    LookupCustomer,
)
from callcenter.core.switchboard import Output, Switchboard, skill_levels
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


BOOKING_THEN_ACCOUNT_FLOW = KEYED_FLOW.replace(
    "    next: queue\n  queue:",
    """    next: account
  account:
    kind: collect
    prompt: custom/enter-account-number
    max_digits: 12
    store: account_number
    next: find_account
  find_account:
    kind: crm_lookup
    by: account
    variable: account_number
    next: queue
  queue:""",
)


def test_an_account_number_keyed_is_looked_up_and_popped_as_an_account(
    tmp_path: Path,
) -> None:
    switchboard = board(tmp_path, BOOKING_THEN_ACCOUNT_FLOW)
    switchboard.handle(ev.CallOffered(at=1.0, call_id=CALL, caller_number="+1"), 1.0)
    out = switchboard.handle(
        ev.DigitsCollected(at=4.0, call_id=CALL, digits="12345674"), 4.0
    )
    (lookup,) = [o for o in out if isinstance(o, LookupCustomer)]
    assert (lookup.reference, lookup.account) == ("12345674", None)
    switchboard.handle(CustomerFound(call_id=CALL, facts={"known": False}), 4.5)
    out = switchboard.handle(
        ev.DigitsCollected(at=8.0, call_id=CALL, digits="79927398713"), 8.0
    )
    (lookup,) = [o for o in out if isinstance(o, LookupCustomer)]
    assert (lookup.number, lookup.reference, lookup.account) == (
        "+1", None, "79927398713",
    )  # fmt: skip
    found = CustomerFound(call_id=CALL, facts={"known": True, "customer_id": "42"})
    switchboard.handle(found, 8.5)
    out = switchboard.handle(ev.AgentRinging(at=9.0, call_id=CALL, agent_id=AGENT), 9.0)
    (pop,) = [o for o in out if isinstance(o, BuildScreenPop)]
    # the last keyed lookup decided who the caller is: the account, not the booking
    assert (pop.reference, pop.account) == (None, "79927398713")


# --- an agent's transfer to a queue ------------------------------------------------

BO = AgentId("1002")


def two_agent_board(tmp_path: Path, *, full: bool = False) -> Switchboard:
    """Agents 1001 (logged in) and 1002 (not yet) serve ``support``; ``vip`` is full."""
    (tmp_path / "main.yaml").write_text(FLOW, encoding="utf-8")
    support = QueueName("support")
    acd = AcdEngine(
        [
            QueueConfig(name=support, ring_timeout=15, wrap_up=30),
            QueueConfig(name=QueueName("vip"), max_waiting=0 if full else None),
        ],
        [
            AgentConfig(
                agent_id=agent,
                name=agent,
                endpoint=f"sim/{agent}",
                queues={support: 0, QueueName("vip"): 0},
            )
            for agent in (AGENT, BO)
        ],
    )
    acd.handle(LogIn(agent_id=AGENT), 0.0)
    return Switchboard(acd=acd, flows=load_flows(tmp_path), main_flow="main")


def talking(switchboard: Switchboard) -> None:
    switchboard.handle(ev.CallOffered(at=1.0, call_id=CALL, caller_number="+1"), 1.0)
    switchboard.handle(ev.AgentRinging(at=1.5, call_id=CALL, agent_id=AGENT), 1.5)
    switchboard.handle(ev.CallAnswered(at=3.0, call_id=CALL, agent_id=AGENT), 3.0)


def transfer(switchboard: Switchboard, queue: str, at: float) -> list[Output]:
    command = AgentCommand(
        agent_id=AGENT,
        command="transfer",
        args={"call_id": CALL, "kind": "queue", "target": queue},
    )
    return list(switchboard.handle(command, at))


def test_a_caller_transferred_to_a_queue_with_nobody_free_is_held_again(
    tmp_path: Path,
) -> None:
    switchboard = two_agent_board(tmp_path)
    talking(switchboard)
    out = transfer(switchboard, "support", 60.0)
    (reply,) = [o for o in out if isinstance(o, AgentReply)]
    assert reply.ok
    assert [type(o) for o in out if isinstance(o, cmd.PbxCommand)] == [cmd.StartHold]
    # The first agent's phone hangs up as the caller leaves it: no survey, no hang-up.
    out = switchboard.handle(
        ev.AgentLegEnded(at=60.2, call_id=CALL, agent_id=AGENT), 60.2
    )
    assert [o for o in out if isinstance(o, cmd.PbxCommand)] == []
    # The wait starts over: the announcement comes 30 s after the transfer.
    assert switchboard.next_deadline() == 90.0
    out = switchboard.handle(AgentCommand(agent_id=BO, command="login"), 95.0)
    (ring,) = [o for o in out if isinstance(o, cmd.ConnectToAgent)]
    assert ring.agent_id == BO


def test_a_caller_transferred_to_a_free_agent_rings_them_without_music(
    tmp_path: Path,
) -> None:
    switchboard = two_agent_board(tmp_path)
    switchboard.handle(AgentCommand(agent_id=BO, command="login"), 0.0)
    talking(switchboard)
    out = transfer(switchboard, "support", 60.0)
    commands = [o for o in out if isinstance(o, cmd.PbxCommand)]
    assert commands == [
        cmd.ConnectToAgent(call_id=CALL, agent_id=BO, endpoint="sim/1002",
                           ring_timeout=15.0)
    ]  # fmt: skip
    switchboard.handle(ev.AgentRinging(at=60.5, call_id=CALL, agent_id=BO), 60.5)
    out = switchboard.handle(
        ev.AgentLegEnded(at=60.6, call_id=CALL, agent_id=AGENT), 60.6
    )
    assert [o for o in out if isinstance(o, cmd.PbxCommand)] == []
    out = switchboard.handle(ev.AgentNoAnswer(at=75.5, call_id=CALL, agent_id=BO), 75.5)
    assert any(isinstance(o, cmd.StartHold) for o in out)  # Bo missed it: music


def test_a_transfer_to_a_queue_that_would_turn_the_caller_away_is_refused(
    tmp_path: Path,
) -> None:
    switchboard = two_agent_board(tmp_path, full=True)
    talking(switchboard)
    out = transfer(switchboard, "vip", 60.0)
    (reply,) = [o for o in out if isinstance(o, AgentReply)]
    assert (reply.ok, reply.code) == (False, "queue_full")
    assert reply.message == "that queue is full: the caller stays with you"
    assert [o for o in out if isinstance(o, cmd.PbxCommand)] == []
    assert switchboard.acd.agent_state(AGENT) is ev.AgentState.ON_CALL
