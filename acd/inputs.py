"""What the runtime feeds the engine, besides the PBX domain events it accepts.

``AcdInput`` is the union of these commands and the domain events ``AgentRinging``,
``CallAnswered``, ``AgentNoAnswer``, ``CallEnded``, ``AgentLegEnded`` and
``OriginateFinished``. Everything is a frozen, slotted, keyword-only dataclass.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from callcenter.domain.events import (
    AgentLegEnded,
    AgentNoAnswer,
    AgentRinging,
    CallAnswered,
    CallEnded,
    OriginateFinished,
)
from callcenter.domain.ids import AgentId, CallId, CustomerId, QueueName


@dataclass(frozen=True, slots=True, kw_only=True)
class CallerFacts:
    """What the CRM knows about the caller that matters for routing."""

    tier: str = "ordinary"
    open_complaint: bool = False
    urgent_complaint: bool = False
    customer_id: CustomerId | None = None
    preferred_agent: AgentId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EnqueueCall:
    """A call asks to join a queue (the caller is on the line, on hold)."""

    call_id: CallId
    queue: QueueName
    caller: CallerFacts = field(default_factory=CallerFacts)
    required_skills: Mapping[str, int] = field(default_factory=dict)
    callback_number: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawCall:
    """The call leaves the queue alive (e.g. the caller chose voicemail)."""

    call_id: CallId
    reason: str = "withdrawn"


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestCallback:
    """The caller hangs up but keeps their place; call them back on ``number``."""

    call_id: CallId
    number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LogIn:
    """The agent starts a session (available, or paused with a reason)."""

    agent_id: AgentId
    paused: bool = False
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class LogOut:
    """The agent ends the session (deferred until a current call ends)."""

    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class SetReady:
    """The agent is ready for calls (unpause, or end wrap-up early)."""

    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class Pause:
    """The agent takes a break; during a call it applies once the call is done."""

    agent_id: AgentId
    reason: str = "break"


@dataclass(frozen=True, slots=True, kw_only=True)
class EndWrapUp:
    """The agent finished after-call work before the wrap-up timer."""

    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class AddToQueue:
    """Supervisor: make the agent a member of a queue at a penalty."""

    agent_id: AgentId
    queue: QueueName
    penalty: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveFromQueue:
    """Supervisor: the agent no longer serves the queue."""

    agent_id: AgentId
    queue: QueueName


@dataclass(frozen=True, slots=True, kw_only=True)
class SetPenalty:
    """Supervisor: change the agent's penalty (tier) in a queue."""

    agent_id: AgentId
    queue: QueueName
    penalty: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Tick:
    """Time passed: fire every timer due at ``now`` (see ``next_deadline``)."""


AgentCommand = (
    LogIn
    | LogOut
    | SetReady
    | Pause
    | EndWrapUp
    | AddToQueue
    | RemoveFromQueue
    | SetPenalty
)
"""Commands about one agent (from the agent or a supervisor)."""

AcdCommand = (
    EnqueueCall
    | WithdrawCall
    | RequestCallback
    | LogIn
    | LogOut
    | SetReady
    | Pause
    | EndWrapUp
    | AddToQueue
    | RemoveFromQueue
    | SetPenalty
    | Tick
)

AcdInput = (
    AcdCommand
    | AgentRinging
    | CallAnswered
    | AgentNoAnswer
    | CallEnded
    | AgentLegEnded
    | OriginateFinished
)
