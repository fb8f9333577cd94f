"""Routing strategies: which available agent of a queue gets the next call.

Every strategy is a *metric*: a pair of numbers computed when an agent becomes
available in a queue (smaller wins). It stays fixed while the agent is available,
because everything it depends on (last call, calls taken, talk time, last offer)
only changes when the agent is busy. That lets ``AgentPool`` keep, per queue and
per penalty tier, a heap of available agents ordered by the queue's metric: picking
an agent is a heap peek, not a scan, whatever the number of agents.

Penalty comes first, as in Asterisk's ``calc_metric`` (``penalty * 1e6 + metric``):
the pool tries tiers from the lowest penalty up. Metrics:

==================  =========================================================
longest_idle        longest time since the agent became available (default)
round_robin         least recently offered a call (rrmemory-like rotation)
fewest_calls        fewest calls answered, then longest idle
least_talk_time     least talk time, then longest idle
random              a fresh uniform draw per availability (uniform choice)
ring_all            rings every eligible free agent of the best tier at once
linear              the agents' configuration order (first free one wins)
skills_best_fit     the least versatile qualified agent (lowest skill total),
                    keeping all-rounders free, then longest idle
==================  =========================================================
"""

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from random import Random

from acd.models import AgentRecord, QueuedCall
from callcenter.domain.ids import AgentId, QueueName

Metric = Callable[[AgentRecord, Random], tuple[float, float]]


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutingStrategy:
    """A named agent-selection rule.

    Attributes:
        name: the key used in ``QueueConfig.strategy``.
        metric: smaller wins; computed when the agent becomes available.
        ring_all: offer to every eligible agent of the best tier at once.
    """

    name: str
    metric: Metric
    ring_all: bool = False


def _longest_idle(agent: AgentRecord, _rng: Random) -> tuple[float, float]:
    return (agent.idle_since, agent.order)


STRATEGIES: dict[str, RoutingStrategy] = {
    strategy.name: strategy
    for strategy in (
        RoutingStrategy(name="longest_idle", metric=_longest_idle),
        RoutingStrategy(
            name="round_robin", metric=lambda a, _r: (a.last_offer, a.order)
        ),
        RoutingStrategy(
            name="fewest_calls", metric=lambda a, _r: (a.calls_taken, a.idle_since)
        ),
        RoutingStrategy(
            name="least_talk_time", metric=lambda a, _r: (a.talk_time, a.idle_since)
        ),
        RoutingStrategy(name="random", metric=lambda _a, r: (r.random(), 0.0)),
        RoutingStrategy(name="ring_all", metric=_longest_idle, ring_all=True),
        RoutingStrategy(name="linear", metric=lambda a, _r: (a.order, 0.0)),
        RoutingStrategy(
            name="skills_best_fit",
            metric=lambda a, _r: (a.skill_total, a.idle_since),
        ),
    )
}
"""Every strategy by name."""

Entry = tuple[float, float, int, AgentId]


class _Tier:
    """Available agents of one (queue, penalty), a heap with lazy deletion."""

    __slots__ = ("heap", "live")

    def __init__(self) -> None:
        self.heap: list[Entry] = []
        self.live: dict[AgentId, int] = {}  # agent -> token of its valid entry


class AgentPool:
    """Available agents per queue and penalty tier, ordered by the queue's metric."""

    __slots__ = ("_rng", "_strategies", "_tiers")

    def __init__(
        self, strategies: dict[QueueName, RoutingStrategy], rng: Random
    ) -> None:
        self._strategies = strategies
        self._rng = rng
        self._tiers: dict[QueueName, dict[int, _Tier]] = {q: {} for q in strategies}

    def add(self, agent: AgentRecord) -> None:
        """Index an agent that became available, in every queue they serve."""
        for queue, penalty in agent.queues.items():
            tiers = self._tiers[queue]
            tier = tiers.get(penalty)
            if tier is None:
                tier = tiers[penalty] = _Tier()
                self._tiers[queue] = dict(sorted(tiers.items()))
            first, second = self._strategies[queue].metric(agent, self._rng)
            tier.live[agent.agent_id] = agent.token
            heapq.heappush(tier.heap, (first, second, agent.token, agent.agent_id))
            if len(tier.heap) > 2 * len(tier.live) + 32:
                _compact(tier)

    def discard(self, agent: AgentRecord) -> None:
        """Forget an agent who is no longer available (entries die lazily)."""
        for queue, penalty in agent.queues.items():
            tier = self._tiers[queue].get(penalty)
            if tier is not None:
                tier.live.pop(agent.agent_id, None)

    def count(self, queue: QueueName) -> int:
        """Return how many agents are available in the queue."""
        return sum(len(tier.live) for tier in self._tiers[queue].values())

    def tiers(self, queue: QueueName) -> Iterator[int]:
        """Yield the queue's penalties with available agents, lowest first."""
        return (p for p, tier in self._tiers[queue].items() if tier.live)

    def best(
        self,
        queue: QueueName,
        penalty: int,
        accept: Callable[[AgentId], bool],
    ) -> AgentId | None:
        """Return the best available agent of a tier that ``accept`` takes."""
        tier = self._tiers[queue][penalty]
        heap, live = tier.heap, tier.live
        while heap and live.get(heap[0][3]) != heap[0][2]:
            heapq.heappop(heap)
        if not heap:
            return None
        if accept(heap[0][3]):
            return heap[0][3]
        for entry in sorted(heap)[1:]:  # the rare path: skills or earlier misses
            if live.get(entry[3]) == entry[2] and accept(entry[3]):
                return entry[3]
        return None

    def all_in(
        self, queue: QueueName, penalty: int, accept: Callable[[AgentId], bool]
    ) -> list[AgentId]:
        """Return every available agent of a tier that ``accept`` takes, best first."""
        tier = self._tiers[queue][penalty]
        return [
            entry[3]
            for entry in sorted(tier.heap)
            if tier.live.get(entry[3]) == entry[2] and accept(entry[3])
        ]


def _compact(tier: _Tier) -> None:
    tier.heap = [e for e in tier.heap if tier.live.get(e[3]) == e[2]]
    heapq.heapify(tier.heap)


def call_accepts(call: QueuedCall) -> Callable[[AgentRecord], bool]:
    """Return the skill test of a call (a no-op when it needs no skill)."""
    if not call.skills:
        return lambda _agent: True
    return lambda agent: agent.has_skills(call.skills)
