"""Commands to the PBX port: imperative, immutable, one call leg each.

Each command names the call it acts on. Outcomes come back as domain events
(``PromptFinished``, ``DigitsCollected``, ``MessageRecorded``, ``AgentRinging`` ...),
never as return
values, so the same core drives a simulated PBX and a real Asterisk.
"""

from dataclasses import dataclass
from enum import StrEnum

from callcenter.domain.ids import AgentId, CallId
from callcenter.domain.supervision import MonitorMode


class SayKind(StrEnum):
    """How a value is spoken by the PBX's say functions."""

    NUMBER = "number"
    DIGITS = "digits"
    DURATION = "duration"
    DATE = "date"


@dataclass(frozen=True, slots=True, kw_only=True)
class PbxCommand:
    """Base of every PBX command."""

    call_id: CallId


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerCall(PbxCommand):
    """Answer the caller's channel."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayPrompts(PbxCommand):
    """Play sound files in order; a key interrupts when ``interruptible``."""

    prompts: tuple[str, ...]
    language: str = "en"
    interruptible: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class SayValue(PbxCommand):
    """Speak a number, digits, a duration (seconds) or a date (epoch seconds)."""

    value: int
    kind: SayKind = SayKind.NUMBER
    language: str = "en"


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectDigits(PbxCommand):
    """Play a prompt and collect up to ``max_digits`` digits (``#`` ends early)."""

    prompt: str
    max_digits: int
    timeout: float
    language: str = "en"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordMessage(PbxCommand):
    """Record what the caller says (a voicemail) into the PBX's recordings.

    ``name`` is a file name without directory or extension: the PBX decides where
    recordings live, so the core never names a path on another machine. Recording
    ends after ``max_seconds``, after ``silence_seconds`` of silence (0: never), when
    the caller keys ``#`` or hangs up; ``MessageRecorded`` reports it.
    """

    name: str
    max_seconds: int
    beep: bool = True
    silence_seconds: int = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class StartHold(PbxCommand):
    """Put the caller on music on hold until another command or an assignment."""

    moh_class: str = "default"


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectToAgent(PbxCommand):
    """Ring the agent's endpoint and bridge the caller when they answer."""

    agent_id: AgentId
    endpoint: str
    ring_timeout: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelRing(PbxCommand):
    """Stop ringing an agent (the caller stays where they were)."""

    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class HangUp(PbxCommand):
    """Hang up the caller's channel."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Transfer(PbxCommand):
    """Blind-transfer the caller to a number or dialplan destination."""

    target: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldCall(PbxCommand):
    """The agent puts the caller on hold (music on hold; the agent stays on)."""

    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class ResumeCall(PbxCommand):
    """The agent takes the caller off hold."""

    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class OriginateCallback(PbxCommand):
    """Call the customer back and connect them to the reserved agent."""

    number: str
    agent_id: AgentId
    endpoint: str
    timeout: float = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class AnswerForAgent(PbxCommand):
    """Answer the agent's ringing phone remotely (where the phone allows it)."""

    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class HangUpAgent(PbxCommand):
    """Hang up the agent's leg; the caller may continue (e.g. to a survey)."""

    agent_id: AgentId


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitorCall(PbxCommand):
    """Bridge a supervisor's phone into the agent's call: listen, whisper or barge.

    The same ``endpoint`` already monitoring this call switches to ``mode`` instead
    (``MonitorModeChanged``). Outcomes: ``MonitorStarted`` or ``MonitorFailed``.
    """

    agent_id: AgentId
    supervisor: str
    endpoint: str
    mode: MonitorMode = MonitorMode.LISTEN


@dataclass(frozen=True, slots=True, kw_only=True)
class StopMonitor(PbxCommand):
    """Take a supervisor's phone out of the call (``MonitorEnded``, reason stopped)."""

    agent_id: AgentId
    endpoint: str


MEDIA_COMMANDS = (AnswerCall, PlayPrompts, SayValue, CollectDigits, StartHold,
                  RecordMessage)  # fmt: skip
"""What the IVR plays to or asks of a caller: one at a time, on the caller's line.

A media command for a caller who talks to an agent means the core took the caller
back (a transfer to a queue): the PBX ends the agent's part first.
"""
