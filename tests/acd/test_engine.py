"""The ACD engine, behaviour by behaviour, as the orchestrator relies on it."""

from typing import Any

import pytest

from acd.errors import (
    DuplicateCallError,
    IllegalTransitionError,
    UnknownAgentError,
    UnknownQueueError,
)
from acd.inputs import (
    AddToQueue,
    EndWrapUp,
    LogIn,
    LogOut,
    Pause,
    RemoveFromQueue,
    SetReady,
)
from callcenter.domain.commands import CancelRing, ConnectToAgent
from callcenter.domain.events import (
    AcdCallFinished,
    AgentLegEnded,
    AgentRinging,
    AgentState,
    AgentStateChanged,
    CallAbandoned,
    CallOfferedToAgent,
    CallOutcome,
    CallQueued,
)
from callcenter.domain.ids import AgentId, CallId, QueueName
from tests.acd.harness import SALES, Harness, agent, queue


def busy_center(n_agents: int = 1, **queue_options: Any) -> Harness:
    """A center whose agents are all talking (to calls busy-1 ...)."""
    h = Harness([queue(**queue_options)], [agent(f"a{i}") for i in range(n_agents)])
    for i in range(n_agents):
        h.enqueue(f"busy-{i}")
        h.answer(f"busy-{i}")
    return h


def test_an_offer_is_connect_then_offered_then_ringing() -> None:
    h = Harness([queue()], [agent("a1")])
    out = h.enqueue("c1")
    assert [type(o) for o in out] == [
        CallQueued,
        ConnectToAgent,
        CallOfferedToAgent,
        AgentStateChanged,
    ]
    assert out[1] == ConnectToAgent(
        call_id=CallId("c1"),
        agent_id=AgentId("a1"),
        endpoint="sim/a1",
        ring_timeout=15.0,
    )
    assert isinstance(out[3], AgentStateChanged)
    assert out[3].state == AgentState.RINGING


def test_vip_joining_behind_five_ordinary_callers_is_answered_next() -> None:
    h = busy_center()
    for i in range(5):
        h.enqueue(f"ord-{i}")
        h.advance(10)
    h.enqueue("vip", tier="vip")
    assert h.engine.position(CallId("vip")) == 1
    assert h.engine.position(CallId("ord-0")) == 2
    h.hang_up("busy-0")
    h.advance(10)  # wrap-up
    assert h.ringing_agent("vip") == "a0"


def test_equal_priority_is_first_in_first_out() -> None:
    h = busy_center()
    for name in ("first", "second", "third"):
        h.enqueue(name)
        h.advance(1)
    assert [h.engine.position(CallId(n)) for n in ("first", "second", "third")] == [
        1,
        2,
        3,
    ]
    h.hang_up("busy-0")
    h.advance(10)
    assert h.ringing_agent("first") == "a0"


def test_aging_lets_a_long_waiting_caller_pass_a_fresh_vip() -> None:
    h = busy_center(aging_rate=1.0)  # 1 point per minute; VIP = 30 points
    h.enqueue("patient")
    h.advance(31 * 60)
    h.enqueue("vip", tier="vip")
    assert h.engine.position(CallId("patient")) == 1


def test_without_aging_priority_is_strict() -> None:
    h = busy_center(aging_rate=0.0)
    h.enqueue("patient")
    h.advance(3 * 3600)
    h.enqueue("vip", tier="vip")
    assert h.engine.position(CallId("vip")) == 1


def test_open_and_urgent_complaints_raise_priority() -> None:
    h = busy_center(aging_rate=0.0)
    h.enqueue("plain", tier="key")
    h.enqueue("complaint", tier="key", open_complaint=True)
    h.enqueue("urgent", urgent_complaint=True)
    order = [h.engine.position(CallId(n)) for n in ("urgent", "complaint", "plain")]
    assert order == [1, 2, 3]


def test_a_key_account_reaches_its_account_manager() -> None:
    h = Harness([queue()], [agent("first"), agent("manager")])
    h.enqueue("key", tier="key", preferred_agent=AgentId("manager"))
    assert h.ringing_agent("key") == "manager"


def test_a_key_account_waits_for_a_busy_account_manager_then_anyone() -> None:
    h = Harness([queue(preferred_agent_wait=30.0)], [agent("manager"), agent("other")])
    h.enqueue("warm-up")
    h.answer("warm-up")  # manager talks
    h.enqueue("key", tier="key", preferred_agent=AgentId("manager"))
    assert h.ringing_agent("key") is None  # "other" is free but the call waits
    h.advance(29)
    assert h.ringing_agent("key") is None
    h.advance(1)
    assert h.ringing_agent("key") == "other"


def test_a_key_account_gets_the_manager_who_frees_up_in_time() -> None:
    h = Harness([queue(preferred_agent_wait=30.0, wrap_up=0)], [agent("manager")])
    h.enqueue("warm-up")
    h.answer("warm-up")
    h.enqueue("ordinary")
    h.enqueue("key", preferred_agent=AgentId("manager"))
    h.hang_up("warm-up")
    assert h.ringing_agent("key") == "manager"


def test_a_missed_offer_goes_to_the_next_agent_and_the_third_miss_pauses() -> None:
    h = Harness([queue(max_no_answer=3, wrap_up=0)], [agent("a1"), agent("a2")])
    for i in range(3):
        h.do(Pause(agent_id=AgentId("a2"), reason="lunch"))
        h.enqueue(f"c{i}")
        assert h.ringing_agent(f"c{i}") == "a1"
        h.do(SetReady(agent_id=AgentId("a2")))
        out = h.miss(f"c{i}")
        assert h.ringing_agent(f"c{i}") == "a2", out
        h.answer(f"c{i}")
        h.hang_up(f"c{i}")
    assert h.engine.agent_state(AgentId("a1")) == AgentState.PAUSED
    assert h.engine.agent_view(AgentId("a1"), h.now).reason == "no-answer"


def test_an_answer_resets_the_miss_count() -> None:
    h = Harness([queue(max_no_answer=2, wrap_up=0)], [agent("a1")])
    h.enqueue("c1")
    h.miss("c1")  # only agent: rung again
    h.answer("c1")
    h.hang_up("c1")
    h.enqueue("c2")
    h.miss("c2")
    assert h.engine.agent_state(AgentId("a1")) == AgentState.RINGING


def test_a_missed_call_keeps_its_original_position() -> None:
    h = Harness([queue(wrap_up=0)], [agent("a1"), agent("a2")])
    h.enqueue("talk")
    h.answer("talk")  # a1 busy
    h.enqueue("old")  # rings a2
    h.do(Pause(agent_id=AgentId("a2"), reason="x"))  # deferred
    h.enqueue("new")
    h.miss("old")  # a2 pauses (deferred), old returns ahead of new
    assert h.engine.position(CallId("old")) == 1
    assert h.engine.position(CallId("new")) == 2


def test_the_engine_ring_timer_cancels_the_ring_and_moves_on() -> None:
    h = Harness([queue(ring_timeout=15.0)], [agent("a1"), agent("a2")])
    h.enqueue("c1")
    h.do(AgentRinging(at=h.now, call_id=CallId("c1"), agent_id=AgentId("a1")))
    out = h.advance(15)
    assert CancelRing(call_id=CallId("c1"), agent_id=AgentId("a1")) in out
    assert h.ringing_agent("c1") == "a2"


def test_agent_ringing_restarts_the_ring_timer() -> None:
    h = Harness([queue(ring_timeout=15.0)], [agent("a1")])
    h.enqueue("c1")
    h.advance(5)
    h.do(AgentRinging(at=h.now, call_id=CallId("c1"), agent_id=AgentId("a1")))
    assert h.engine.next_deadline() == h.now + 15.0


def test_wrap_up_holds_the_agent_for_the_queue_wrap_up_time() -> None:
    h = Harness([queue(wrap_up=20.0)], [agent("a1")])
    h.enqueue("c1")
    h.answer("c1")
    h.advance(60)
    h.hang_up("c1")
    h.enqueue("c2")
    assert h.engine.agent_state(AgentId("a1")) == AgentState.WRAP_UP
    h.advance(19.9)
    assert h.ringing_agent("c2") is None
    h.advance(0.1)
    assert h.ringing_agent("c2") == "a1"


def test_an_agent_wrap_up_overrides_the_queue_and_can_end_early() -> None:
    h = Harness([queue(wrap_up=20.0)], [agent("a1", wrap_up=90.0)])
    h.enqueue("c1")
    h.answer("c1")
    h.hang_up("c1")
    assert h.engine.next_deadline() == h.now + 90.0
    h.do(EndWrapUp(agent_id=AgentId("a1")))
    assert h.engine.agent_state(AgentId("a1")) == AgentState.AVAILABLE


def test_agent_hanging_up_first_sends_them_to_wrap_up() -> None:
    h = Harness([queue()], [agent("a1")])
    h.enqueue("c1")
    h.answer("c1")
    h.do(AgentLegEnded(at=h.now, call_id=CallId("c1"), agent_id=AgentId("a1")))
    assert h.engine.agent_state(AgentId("a1")) == AgentState.WRAP_UP
    assert h.hang_up("c1") == []  # the survey ends later: nothing for the ACD


def test_a_caller_hanging_up_while_waiting_abandons() -> None:
    h = busy_center(short_abandon_seconds=5.0)
    h.enqueue("quick")
    h.advance(3)
    h.hang_up("quick")
    h.enqueue("slow")
    h.advance(40)
    out = h.hang_up("slow")
    assert (
        CallAbandoned(at=h.now, call_id=CallId("slow"), queue=SALES, waited=40.0) in out
    )
    report = h.engine.queue_report(SALES, h.now).today
    assert (report.abandoned, report.short_abandoned) == (2, 1)


def test_a_caller_hanging_up_while_ringing_cancels_the_ring() -> None:
    h = Harness([queue()], [agent("a1")])
    h.enqueue("c1")
    out = h.hang_up("c1")
    assert CancelRing(call_id=CallId("c1"), agent_id=AgentId("a1")) in out
    assert h.engine.agent_state(AgentId("a1")) == AgentState.AVAILABLE


def test_every_call_gets_one_final_word() -> None:
    h = busy_center()
    h.enqueue("c1")
    h.hang_up("c1")
    finals = h.of_type(AcdCallFinished)
    assert [(f.call_id, f.outcome) for f in finals] == [
        ("busy-0", CallOutcome.ANSWERED),
        ("c1", CallOutcome.ABANDONED),
    ]


def test_pause_during_a_call_applies_after_wrap_up() -> None:
    h = Harness([queue(wrap_up=5.0)], [agent("a1")])
    h.enqueue("c1")
    h.answer("c1")
    h.do(Pause(agent_id=AgentId("a1"), reason="lunch"))
    assert h.engine.agent_state(AgentId("a1")) == AgentState.ON_CALL
    h.hang_up("c1")
    h.advance(5)
    view = h.engine.agent_view(AgentId("a1"), h.now)
    assert (view.state, view.reason) == (AgentState.PAUSED, "lunch")


def test_logout_during_a_call_applies_after_it() -> None:
    h = Harness([queue(wrap_up=0.0)], [agent("a1")])
    h.enqueue("c1")
    h.answer("c1")
    h.do(LogOut(agent_id=AgentId("a1")))
    h.hang_up("c1")
    assert h.engine.agent_state(AgentId("a1")) == AgentState.LOGGED_OUT


def test_impossible_agent_commands_raise() -> None:
    h = Harness([queue()], [agent("a1")], login=False)
    with pytest.raises(IllegalTransitionError):
        h.do(SetReady(agent_id=AgentId("a1")))
    h.do(LogIn(agent_id=AgentId("a1")))
    h.do(LogIn(agent_id=AgentId("a1")))  # a repeat changes nothing


def test_unknown_queue_and_duplicate_call_raise() -> None:
    h = Harness([queue()], [agent("a1")])
    with pytest.raises(UnknownQueueError):
        h.enqueue("c1", "nowhere")
    h.enqueue("c1")
    with pytest.raises(DuplicateCallError):
        h.enqueue("c1")


def test_position_and_estimated_wait() -> None:
    h = busy_center(n_agents=2)
    h.enqueue("c1")
    h.enqueue("c2")
    assert h.engine.position(CallId("c2")) == 2
    ewt = h.engine.estimated_wait(CallId("c2"), h.now)
    assert ewt == pytest.approx(180.0 * 2 / 2)  # default AHT, 2 staffed
    assert h.engine.estimated_wait(CallId("busy-0"), h.now) is None


def test_queue_stats_give_todays_figures_of_the_queue_report() -> None:
    h = Harness([queue(service_level_seconds=20)], [agent("a1")])
    h.enqueue("c1")
    h.answer("c1")
    h.enqueue("c2")
    h.advance(30)
    h.hang_up("c2")  # abandoned after 30 s
    h.enqueue("c3")
    stats = h.engine.queue_stats(SALES, h.now)
    today = h.engine.queue_report(SALES, h.now).today
    assert (stats.offered, stats.answered, stats.abandoned) == (3, 1, 1)
    assert (stats.offered, stats.answered, stats.abandoned) == (
        today.offered,
        today.answered,
        today.abandoned,
    )
    assert stats.service_level == today.service_level == 0.5


def test_agent_queues_follow_membership() -> None:
    h = Harness([queue(), queue("other")], [agent("a1")])
    a1, other = AgentId("a1"), QueueName("other")
    assert h.engine.agent_queues(a1) == [SALES]
    h.do(AddToQueue(agent_id=a1, queue=other, penalty=2))
    assert h.engine.agent_queues(a1) == [SALES, other]
    h.do(RemoveFromQueue(agent_id=a1, queue=SALES))
    assert h.engine.agent_queues(a1) == [other]
    with pytest.raises(UnknownAgentError):
        h.engine.agent_queues(AgentId("nobody"))
