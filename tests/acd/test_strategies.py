"""Each routing strategy picks the agent its definition says."""

from collections import Counter

import pytest

from acd.inputs import LogIn
from acd.strategies import STRATEGIES
from callcenter.domain.commands import CancelRing
from callcenter.domain.events import AgentNoAnswer, CallAnswered
from callcenter.domain.ids import AgentId, CallId
from tests.acd.harness import Harness, agent, queue


def center(strategy: str, n: int = 3) -> Harness:
    """Agents a0..a(n-1) log in one second apart (a0 idle the longest)."""
    agents = [agent(f"a{i}") for i in range(n)]
    h = Harness([queue(strategy=strategy, wrap_up=0)], agents, login=False)
    for config in agents:
        h.do(LogIn(agent_id=config.agent_id))
        h.advance(1)
    return h


def take(h: Harness, call_id: str, talk: float = 10.0) -> str | None:
    """Enqueue a call; if it rings someone, answer, talk and hang up."""
    h.enqueue(call_id)
    chosen = h.ringing_agent(call_id)
    if chosen is not None:
        h.answer(call_id)
        h.advance(talk)
        h.hang_up(call_id)
    return chosen


def test_the_registry_holds_every_documented_strategy() -> None:
    assert set(STRATEGIES) == {
        "longest_idle",
        "round_robin",
        "fewest_calls",
        "least_talk_time",
        "random",
        "ring_all",
        "linear",
        "skills_best_fit",
    }


def test_longest_idle_takes_the_agent_free_the_longest() -> None:
    h = center("longest_idle")
    assert [take(h, f"c{i}") for i in range(4)] == ["a0", "a1", "a2", "a0"]


def test_round_robin_rotates() -> None:
    h = center("round_robin")
    assert [take(h, f"c{i}") for i in range(6)] == ["a0", "a1", "a2"] * 2


def test_fewest_calls_balances_call_counts() -> None:
    h = center("fewest_calls")
    h.enqueue("x")
    h.answer("x")  # a0: one call, still talking
    h.enqueue("y")
    h.answer("y")  # a1
    h.hang_up("x")
    h.hang_up("y")
    assert take(h, "c1") == "a2"


def test_least_talk_time_prefers_who_talked_least() -> None:
    h = center("least_talk_time")
    assert take(h, "long", talk=300) == "a0"
    assert take(h, "short", talk=5) == "a1"
    assert take(h, "next") == "a2"
    assert take(h, "then") == "a1"  # 5 s + 10 s < 300 s


def test_linear_always_tries_the_configured_order() -> None:
    h = center("linear")
    assert [take(h, f"c{i}") for i in range(3)] == ["a0", "a0", "a0"]


def test_random_is_seeded_and_spreads() -> None:
    picks = []
    for _ in range(2):
        h = center("random", n=4)
        picks.append([take(h, f"c{i}") for i in range(200)])
    assert picks[0] == picks[1]
    assert set(Counter(picks[0])) == {"a0", "a1", "a2", "a3"}


def test_ring_all_rings_every_free_agent_and_the_first_answer_wins() -> None:
    h = center("ring_all")
    h.enqueue("c1")
    ringing = {
        a for a in ("a0", "a1", "a2") if h.engine.agent_state(AgentId(a)) == "ringing"
    }
    assert ringing == {"a0", "a1", "a2"}
    out = h.do(CallAnswered(at=h.now, call_id=CallId("c1"), agent_id=AgentId("a1")))
    cancelled = {o.agent_id for o in out if isinstance(o, CancelRing)}
    assert cancelled == {"a0", "a2"}
    assert h.engine.agent_state(AgentId("a0")) == "available"


def test_ring_all_keeps_ringing_the_others_when_one_misses() -> None:
    h = center("ring_all", n=2)
    h.enqueue("c1")
    h.do(AgentNoAnswer(at=h.now, call_id=CallId("c1"), agent_id=AgentId("a0")))
    assert h.engine.agent_state(AgentId("a1")) == "ringing"
    assert h.engine.agent_state(AgentId("a0")) == "available"


def test_skills_best_fit_saves_the_all_rounder() -> None:
    agents = [
        agent("allrounder", skills={"fr": 3, "de": 3, "es": 3}),
        agent("french", skills={"fr": 2}),
    ]
    h = Harness([queue(strategy="skills_best_fit")], agents)
    h.enqueue("c1", skills={"fr": 1})
    assert h.ringing_agent("c1") == "french"
    h.enqueue("c2", skills={"de": 1})
    assert h.ringing_agent("c2") == "allrounder"


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_every_strategy_respects_skills(strategy: str) -> None:
    agents = [agent("plain"), agent("french", skills={"fr": 1})]
    h = Harness([queue(strategy=strategy)], agents)
    h.enqueue("c1", skills={"fr": 1})
    assert h.ringing_agent("c1") == "french"
