"""The engine's mutable state and the primitive moves every handler shares.

``Core`` holds everything; handlers in ``acd.routing``, ``acd.calls`` and
``acd.agents`` change it and append outputs to ``core.out``. Only ``set_state``
changes an agent's state, so the pool of available agents, the per-queue state
counts, the time accounting and the ``AgentStateChanged`` events never drift apart.
"""

from dataclasses import dataclass, field
from random import Random

from acd.actions import AcdOutput
from acd.agent_state import STAFFED, Trigger, next_state
from acd.config import PriorityPolicy, QueueConfig
from acd.ewt import HoldtimeEma
from acd.inputs import CallerFacts
from acd.lines import WaitingLine
from acd.models import AgentRecord, QueuedCall
from acd.stats import AgentTimes, SlDefinition, Windows
from acd.strategies import AgentPool, RoutingStrategy
from acd.timers import Timers
from callcenter.domain.events import AgentState, AgentStateChanged
from callcenter.domain.ids import AgentId, CallId, QueueName


@dataclass(slots=True, kw_only=True)
class Core:
    """All the state of one engine."""

    queues: dict[QueueName, QueueConfig]
    strategies: dict[QueueName, RoutingStrategy]
    agents: dict[AgentId, AgentRecord]
    policy: PriorityPolicy
    rng: Random
    pool: AgentPool
    timezone: str = "UTC"
    calls: dict[CallId, QueuedCall] = field(default_factory=dict)
    lines: dict[QueueName, WaitingLine] = field(default_factory=dict)
    present: dict[QueueName, dict[CallId, QueuedCall]] = field(default_factory=dict)
    reserved: dict[AgentId, list[QueuedCall]] = field(default_factory=dict)
    counts: dict[QueueName, dict[AgentState, int]] = field(default_factory=dict)
    penalties: dict[QueueName, set[int]] = field(default_factory=dict)
    stats: dict[QueueName, Windows] = field(default_factory=dict)
    holdtime: dict[QueueName, HoldtimeEma] = field(default_factory=dict)
    times: dict[AgentId, AgentTimes] = field(default_factory=dict)
    timers: Timers = field(default_factory=Timers)
    out: list[AcdOutput] = field(default_factory=list)
    now: float = 0.0
    seq: int = 0

    def next_seq(self) -> int:
        """Return a fresh sequence number (FIFO tie-break, offers, timers)."""
        self.seq += 1
        return self.seq

    def priority(self, caller: CallerFacts) -> int:
        """Return the base priority the policy gives a caller."""
        policy = self.policy
        points = policy.tier_priority.get(caller.tier, policy.unknown_tier)
        if caller.urgent_complaint:
            points += policy.urgent_complaint
        elif caller.open_complaint:
            points += policy.open_complaint
        return points

    def sl_definition(self, queue: QueueName) -> SlDefinition:
        """Return the service-level definition of a queue."""
        return self.queues[queue].service_level_definition

    def staffed(self, queue: QueueName) -> int:
        """Return agents on the queue who are logged in and not paused."""
        counts = self.counts[queue]
        return sum(counts[state] for state in STAFFED)

    def join(self, agent: AgentRecord, queue: QueueName, penalty: int) -> None:
        """Make the agent a member of a queue (counts and penalties follow)."""
        agent.queues[queue] = penalty
        self.counts[queue][agent.state] += 1
        self.penalties[queue].add(penalty)

    def leave(self, agent: AgentRecord, queue: QueueName) -> None:
        """Take the agent out of a queue."""
        del agent.queues[queue]
        self.counts[queue][agent.state] -= 1


def set_state(
    core: Core,
    agent: AgentRecord,
    state: AgentState,
    *,
    reason: str = "",
    call_id: CallId | None = None,
) -> None:
    """Move an agent and keep every index in step; emit ``AgentStateChanged``."""
    old = agent.state
    if old == state and agent.reason == reason:
        return
    now = core.now
    if old == AgentState.AVAILABLE:
        core.pool.discard(agent)
    if old != AgentState.LOGGED_OUT:
        core.times[agent.agent_id].add(
            now, old.value, agent.reason, now - agent.state_since
        )
    for queue in agent.queues:
        counts = core.counts[queue]
        counts[old] -= 1
        counts[state] += 1
    agent.state, agent.reason, agent.state_since = state, reason, now
    agent.token += 1
    if state == AgentState.AVAILABLE:
        core.pool.add(agent)
    core.out.append(
        AgentStateChanged(
            at=now, agent_id=agent.agent_id, state=state, reason=reason, call_id=call_id
        )
    )


def settle(
    core: Core,
    agent: AgentRecord,
    trigger: Trigger,
    *,
    reset_idle: bool,
    reason: str = "",
) -> None:
    """End a call-related state via ``trigger`` and apply a deferred pause or logout.

    The agent ends AVAILABLE (not yet served: the caller decides when), PAUSED
    (``reason``, else the deferred pause's reason) or LOGGED_OUT.
    """
    target = next_state(agent.state, trigger)
    pending = agent.pending
    if pending is not None:
        target = next_state(target, pending)
        reason = reason or agent.pending_reason
        agent.pending, agent.pending_reason = None, ""
    agent.call_id = None
    if target == AgentState.AVAILABLE and reset_idle:
        agent.idle_since = core.now
    set_state(core, agent, target, reason=reason if target == AgentState.PAUSED else "")
