"""What flows into and out of the switchboard besides domain events and PBX commands.

Inputs come from the runtime (CRM answers, agent commands, timers); requests go out to
the runtime, which carries them out with I/O (database, bus) and may answer with an
input. Everything is immutable and carries no I/O handle.
"""

from dataclasses import dataclass, field

from callcenter.domain.events import CallCompleted
from callcenter.domain.ids import AgentId, CallId, CustomerId, QueueName


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerFound:
    """The CRM's answer to ``LookupCustomer``: routing facts of the caller."""

    call_id: CallId
    facts: dict[str, str | int | bool]


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentCommand:
    """A command from an agent's console (login, ready, pause, answer, hangup ...)."""

    agent_id: AgentId
    command: str
    args: dict[str, str] = field(default_factory=dict)
    request_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SupervisorCommand:
    """A supervisor acts on an agent (web page or REST API), answered by ``AgentReply``.

    ``action`` is one of ``logout``, ``pause`` (``args["reason"]``), ``unpause``,
    ``add_queue`` / ``set_penalty`` (``args["queue"]``, ``args["penalty"]``) and
    ``remove_queue`` (``args["queue"]``), ``monitor`` (``args["mode"]``: listen,
    whisper or barge; ``args["endpoint"]``: the supervisor's phone) and
    ``stop_monitor`` (``callcenter.core.monitoring``). Kept apart from
    ``AgentCommand`` so that an agent's console can never send one.
    """

    supervisor: str
    agent_id: AgentId
    action: str
    args: dict[str, str] = field(default_factory=dict)
    request_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerDue:
    """The runtime's signal that ``next_deadline`` has been reached."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LookupCustomer:
    """Ask the CRM for the caller's routing facts (answered with ``CustomerFound``).

    With ``reference`` (a booking reference the caller keyed) or ``account`` (an
    account number they keyed; never both) the CRM looks that up instead of
    ``number``; the caller's number is kept for when nobody has the digits.
    """

    call_id: CallId
    number: str
    reference: str | None = None
    account: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildScreenPop:
    """Build the screen-pop record for the agent whose phone rings, and publish it.

    ``reference`` is the booking reference the caller keyed and the IVR looked up
    (``crm_lookup by: digits``), ``account`` the account number (``by: account``),
    if any: the CRM finds the caller by it first.
    """

    call_id: CallId
    agent_id: AgentId
    caller_number: str
    ivr_path: tuple[str, ...]
    ivr_variables: dict[str, str | int | bool]
    reference: str | None = None
    account: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PersistCall:
    """Store the final record of a call (through the CRM's durable outbox)."""

    record: CallCompleted
    ivr_path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PersistSurvey:
    """Store a caller's post-call survey answers."""

    call_id: CallId
    answers: dict[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class PersistVoicemail:
    """Store a message a caller left (the PBX keeps the audio at ``recording_ref``).

    ``queue`` is the queue the caller was in, if any; ``mailbox`` the IVR's voicemail
    box (the CRM keeps it with the message; Asterisk names the file after it).
    """

    call_id: CallId
    number: str
    at: float
    recording_ref: str
    duration_seconds: float
    mailbox: str = ""
    queue: QueueName | None = None
    customer_id: CustomerId | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TakeOverAgent:
    """A person logged in at a console: the simulation must stop answering for them."""

    agent_id: AgentId
    manual: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRequeued:
    """An agent passed their caller to a queue or another agent (a transfer).

    Internal to the core: the ACD has queued the call again, and the caller's IVR
    session must stop waiting for ``from_agent`` and, unless the ACD already rings
    the next agent (``ringing``), put the caller back on hold.
    """

    call_id: CallId
    from_agent: AgentId
    ringing: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentReply:
    """The answer to an ``AgentCommand``, routed back to that console."""

    agent_id: AgentId
    request_id: str
    ok: bool
    code: str = "ok"
    message: str = ""
    state: dict[str, str | float | None] = field(default_factory=dict)


CoreInput = CustomerFound | AgentCommand | SupervisorCommand | TimerDue
CoreRequest = (
    LookupCustomer
    | BuildScreenPop
    | PersistCall
    | PersistSurvey
    | PersistVoicemail
    | TakeOverAgent
    | AgentReply
)
