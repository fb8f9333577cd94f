"""Requests an IVR session makes of the orchestrator (besides PBX commands).

Semantics the orchestrator implements:

* ``LookupCustomer`` -> answer with ``CustomerFound`` (facts empty when unknown); if
  no answer comes before the lookup timeout the session goes on as "unknown".
* ``Enqueue`` -> put the call in the ACD queue; the session then emits
  ``QueryQueueStatus``, which must be answered synchronously with ``QueueStatus``.
* ``QueryQueueStatus`` -> answer at once with the ACD's current ``QueueStatus``.
* ``RequestCallback`` -> book a callback to ``number``; if the call is queued its
  queue entry becomes the callback and keeps its place. The session then plays a
  confirmation and hangs up.
* ``LeaveQueue`` -> remove the call from its queue (``reason``: closed, overflow).
  Not emitted when the caller hangs up: the ACD sees ``CallEnded`` itself.
* ``RecordVoicemail`` -> record a message into ``mailbox`` and end the call; the
  session is finished when it emits this.
* ``SaveSurvey`` -> store the 1-5 answers with the call.
* ``IvrFinished`` -> the session's last output, with outcome and path.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from callcenter.domain.commands import (
    AnswerCall,
    CollectDigits,
    HangUp,
    PlayPrompts,
    SayValue,
    StartHold,
    Transfer,
)
from callcenter.domain.events import IvrNodeVisited
from callcenter.domain.ids import CallId, QueueName
from ivr.model import HoldPolicy, LookupBy

__all__ = [
    "Enqueue",
    "HoldPolicy",
    "IvrFinished",
    "IvrOutput",
    "IvrRequest",
    "LeaveQueue",
    "LookupCustomer",
    "QueryQueueStatus",
    "RecordVoicemail",
    "RequestCallback",
    "SaveSurvey",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class IvrRequest:
    """Base of every request: the call it is about."""

    call_id: CallId


@dataclass(frozen=True, slots=True, kw_only=True)
class LookupCustomer(IvrRequest):
    """Find the customer by caller number, or by digits the caller keyed.

    ``by`` says what ``value`` is: the caller's number (``caller``), a booking
    reference (``digits``) or an account number (``account``).
    """

    by: LookupBy
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Enqueue(IvrRequest):
    """Queue the call for an agent with these skills; ``hold`` says how it waits."""

    queue: QueueName
    skills: tuple[str, ...]
    hold: HoldPolicy


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryQueueStatus(IvrRequest):
    """Ask for the call's position and EWT now (answer: ``QueueStatus``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestCallback(IvrRequest):
    """Book a callback to ``number``, keeping the queue place if queued."""

    number: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaveQueue(IvrRequest):
    """Take the call out of its queue (closed, overflow)."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordVoicemail(IvrRequest):
    """Record a voicemail of at most ``max_seconds`` into ``mailbox``."""

    mailbox: str
    max_seconds: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SaveSurvey(IvrRequest):
    """Store the survey answers (question key -> score 1-5) with the call."""

    answers: Mapping[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class IvrFinished(IvrRequest):
    """The session ended: how (``outcome``) and through which nodes (``path``)."""

    outcome: str
    path: tuple[str, ...]


IvrOutput = (
    AnswerCall
    | PlayPrompts
    | SayValue
    | CollectDigits
    | StartHold
    | Transfer
    | HangUp
    | IvrNodeVisited
    | LookupCustomer
    | Enqueue
    | QueryQueueStatus
    | RequestCallback
    | LeaveQueue
    | RecordVoicemail
    | SaveSurvey
    | IvrFinished
)
"""Everything ``IvrSession.start``/``handle`` may return."""
