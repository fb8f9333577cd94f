"""Immutable domain events, named in the past tense.

Every event carries ``at``: POSIX seconds (UTC) on the clock of the run, which is the
wall clock in real time and a virtual clock in simulation. Call events carry the
``call_id`` that correlates all legs of one call. The PBX port emits the events in
``PbxEvent``; the call-center core emits the rest. All of them travel on the bus
(see ``callcenter.domain.codec`` and ``docs/BUS.md``).
"""

from dataclasses import dataclass
from enum import StrEnum

from callcenter.domain.ids import AgentId, CallId, CustomerId, QueueName


class AgentState(StrEnum):
    """States of an agent as the ACD sees them."""

    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


class CallOutcome(StrEnum):
    """How a call ended, exactly one per offered call."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"
    IVR_ONLY = "ivr_only"
    OVERFLOWED = "overflowed"
    CALLBACK = "callback"
    VOICEMAIL = "voicemail"
    FAILED = "failed"
    UNFINISHED = "unfinished"  # still in progress when the call center stopped


class Party(StrEnum):
    """Who ended a call or leg."""

    CALLER = "caller"
    AGENT = "agent"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainEvent:
    """Base of every event: when it happened."""

    at: float


# --- Emitted by the PBX port -------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CallOffered(DomainEvent):
    """A new inbound call reached the call center."""

    call_id: CallId
    caller_number: str
    dialed_number: str = ""
    caller_name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PromptFinished(DomainEvent):
    """A play/say command finished; ``digit`` is set when a key interrupted it."""

    call_id: CallId
    digit: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class DigitsCollected(DomainEvent):
    """Digits keyed by the caller for a collect command (empty on timeout)."""

    call_id: CallId
    digits: str
    timed_out: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageRecorded(DomainEvent):
    """A ``RecordMessage`` ended with the caller's message stored by the PBX.

    ``recording_ref`` says where the PBX keeps the audio (a file path on Asterisk and
    in ``callcenter up``'s simulation; ``sim:<call_id>.wav`` for a simulation without
    a recordings folder, which writes no audio); it is empty when
    nothing could be recorded. A caller who hangs up after speaking still leaves a
    message: this event then comes just before ``CallEnded``.
    """

    call_id: CallId
    recording_ref: str
    duration_seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldInterrupted(DomainEvent):
    """The caller keyed a digit while on hold (e.g. 2 to ask for a callback)."""

    call_id: CallId
    digit: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentRinging(DomainEvent):
    """The agent's phone rings with this call: the moment of the screen pop."""

    call_id: CallId
    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentNoAnswer(DomainEvent):
    """The agent did not answer within the ring timeout (or rejected)."""

    call_id: CallId
    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class CallAnswered(DomainEvent):
    """The agent answered: caller and agent are talking."""

    call_id: CallId
    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class CallEnded(DomainEvent):
    """The caller's leg is gone; ``by`` tells who hung up."""

    call_id: CallId
    by: Party


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentLegEnded(DomainEvent):
    """The agent hung up while the caller stays (e.g. to take the survey)."""

    call_id: CallId
    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class OriginateFinished(DomainEvent):
    """Result of an outbound (callback) call: answered or failed with a reason."""

    call_id: CallId
    answered: bool
    reason: str = ""


# --- Emitted by the call-center core ----------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class IvrEntered(DomainEvent):
    """The call entered an IVR flow."""

    call_id: CallId
    flow: str


@dataclass(frozen=True, slots=True, kw_only=True)
class IvrNodeVisited(DomainEvent):
    """The IVR moved to a node; the path of a call is the sequence of these."""

    call_id: CallId
    flow: str
    node: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerIdentified(DomainEvent):
    """The CRM recognised (or not) the caller; drives priority and the screen pop."""

    call_id: CallId
    customer_id: CustomerId | None
    name: str
    tier: str
    open_complaint: bool = False
    urgent_complaint: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CallQueued(DomainEvent):
    """The call joined a queue with a priority, at a position (1 = next)."""

    call_id: CallId
    queue: QueueName
    priority: int
    position: int


@dataclass(frozen=True, slots=True, kw_only=True)
class CallOfferedToAgent(DomainEvent):
    """The ACD chose an agent for the call; the PBX is asked to ring them."""

    call_id: CallId
    queue: QueueName
    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class CallAbandoned(DomainEvent):
    """The caller hung up while waiting in a queue."""

    call_id: CallId
    queue: QueueName
    waited: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CallCompleted(DomainEvent):
    """Final record of a call: exactly one per offered call."""

    call_id: CallId
    outcome: CallOutcome
    caller_number: str
    queue: QueueName | None
    agent_id: AgentId | None
    customer_id: CustomerId | None
    offered_at: float
    wait_seconds: float
    talk_seconds: float


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentStateChanged(DomainEvent):
    """An agent moved to a new state (with a reason when paused)."""

    agent_id: AgentId
    state: AgentState
    reason: str = ""
    call_id: CallId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueStatsUpdated(DomainEvent):
    """A live snapshot of one queue's figures."""

    queue: QueueName
    waiting: int
    longest_wait: float
    offered: int
    answered: int
    abandoned: int
    service_level: float | None
    agents_available: int
    agents_busy: int
    agents_logged_in: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AcdCallFinished(DomainEvent):
    """The ACD is done with a call: exactly one per ``EnqueueCall``.

    Emitted when the call leaves the ACD for good: answered by ``agent_id`` (at the
    answer), abandoned, withdrawn, overflowed out of the ACD, sent to voicemail,
    turned away (closed, full, empty: see ``reason``), or as a callback that was
    answered (``CALLBACK``) or gave up (``FAILED``). ``waited`` is the time from
    joining the ACD to that moment; ``queue`` is the last queue the call was in.
    """

    call_id: CallId
    queue: QueueName
    outcome: CallOutcome
    agent_id: AgentId | None = None
    waited: float = 0.0
    reason: str = ""


PBX_EVENTS: tuple[type[DomainEvent], ...] = (
    CallOffered,
    PromptFinished,
    DigitsCollected,
    MessageRecorded,
    HoldInterrupted,
    AgentRinging,
    AgentNoAnswer,
    CallAnswered,
    CallEnded,
    AgentLegEnded,
    OriginateFinished,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreenPopReady(DomainEvent):
    """The caller's CRM record, addressed to the agent whose phone rings.

    ``record`` is the JSON-ready screen-pop record (customer card, complaints, last
    interactions, routing facts, IVR path and digits) built by the CRM link.
    """

    call_id: CallId
    agent_id: AgentId
    caller_number: str
    record: dict[str, object]


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentCommandRejected(DomainEvent):
    """An agent's command could not be carried out; ``code`` is a stable string."""

    agent_id: AgentId
    command: str
    code: str
    message: str


class AlertLevel(StrEnum):
    """How urgent a supervisor alert is; ``ok`` clears an earlier alert."""

    OK = "ok"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True, slots=True, kw_only=True)
class SupervisorAlert(DomainEvent):
    """A wallboard threshold was crossed (or cleared), or a complaint became overdue.

    ``kind`` is a stable string (``service_level``, ``longest_wait``,
    ``complaint_overdue``); ``subject`` names the queue or the complaint.
    """

    kind: str
    level: AlertLevel
    subject: str
    value: float
    threshold: float
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SupervisorActed(DomainEvent):
    """Audit record: a supervisor acted on an agent (whether the ACD accepted it)."""

    supervisor: str
    agent_id: AgentId
    action: str
    args: dict[str, str]
    ok: bool
    code: str
