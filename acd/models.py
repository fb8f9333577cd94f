"""Mutable run-time records of the engine: calls it holds and agents it knows.

These never leave ``acd``: the outside world sees domain events and the read-only
views of ``acd.views``.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from acd.agent_state import Trigger
from acd.config import AgentConfig
from acd.inputs import CallerFacts
from callcenter.domain.events import AgentState
from callcenter.domain.ids import AgentId, CallId, QueueName


class CallPhase(StrEnum):
    """Where a call held by the ACD stands."""

    WAITING = "waiting"  # in its queue's line (or reserved for a preferred agent)
    RINGING = "ringing"  # offered: one agent rings (several for ring-all)
    DIALING = "dialing"  # callback being originated to a reserved agent
    RETRY_WAIT = "retry_wait"  # callback failed, waiting to try again
    CONNECTED = "connected"  # talking to an agent


@dataclass(slots=True, kw_only=True)
class QueuedCall:
    """A call the ACD holds, from ``EnqueueCall`` to the end of its talk."""

    call_id: CallId
    queue: QueueName
    caller: CallerFacts
    required: Mapping[str, int]  # the call's own skill needs (kept across overflows)
    skills: Mapping[str, int]  # what agents must have now: queue's and call's
    base_priority: int
    entered_at: float  # joined the ACD: ages the call across overflows
    joined_queue_at: float  # joined the current queue: tiers, stats
    seq: int
    key: tuple[float, float, int] = (0.0, 0.0, 0)
    phase: CallPhase = CallPhase.WAITING
    ringing: list[AgentId] = field(default_factory=list)
    missed_by: set[AgentId] = field(default_factory=set)
    reserved_for: AgentId | None = None
    overflow_step: int = 0
    callback_number: str = ""
    callback_attempts: int = 0
    agent_id: AgentId | None = None
    answered_at: float = 0.0
    offered_at: float = 0.0


@dataclass(slots=True, kw_only=True)
class AgentRecord:
    """What the engine tracks about one agent."""

    config: AgentConfig
    order: int  # position in the configuration: the "linear" order
    queues: dict[QueueName, int]
    state: AgentState = AgentState.LOGGED_OUT
    reason: str = ""
    state_since: float = 0.0
    idle_since: float = 0.0
    last_offer: int = 0
    calls_taken: int = 0
    talk_time: float = 0.0
    misses: int = 0
    call_id: CallId | None = None
    pending: Trigger | None = None
    pending_reason: str = ""
    token: int = 0  # bumped on every offer, wrap-up and availability change
    wrap_queue: QueueName | None = None
    agent_id: AgentId = field(init=False)

    def __post_init__(self) -> None:
        self.agent_id = self.config.agent_id

    @property
    def skill_total(self) -> int:
        """Sum of skill levels: how versatile the agent is (best-fit routing)."""
        return sum(self.config.skills.values())

    def has_skills(self, required: Mapping[str, int]) -> bool:
        """Return whether the agent meets every required skill level."""
        skills = self.config.skills
        return all(skills.get(name, 0) >= level for name, level in required.items())
