"""Instructions of the ACD's own to the orchestrator (beside PBX commands and events).

Each names the call and the queue it concerns. ``Overflow``, ``SendToVoicemail``,
``QueueClosed``, ``QueueFull`` and ``QueueEmpty`` mean the call has left the ACD
(an ``AcdCallFinished`` follows in the same output list) unless ``Overflow`` names
another ACD queue, in which case a ``CallQueued`` for that queue follows.
"""

from dataclasses import dataclass

from callcenter.domain.commands import PbxCommand
from callcenter.domain.events import DomainEvent
from callcenter.domain.ids import CallId, QueueName


@dataclass(frozen=True, slots=True, kw_only=True)
class AcdAction:
    """Base of the ACD's own instructions."""

    call_id: CallId
    queue: QueueName


@dataclass(frozen=True, slots=True, kw_only=True)
class Overflow(AcdAction):
    """An overflow rule fired: ``destination`` is a queue (``internal``) or a target."""

    destination: str
    internal: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class SendToVoicemail(AcdAction):
    """Take the caller to voicemail (overflow rule)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferCallback(AcdAction):
    """Propose a callback to the waiting caller (answer with ``RequestCallback``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueClosed(AcdAction):
    """The queue is outside business hours; route the caller to ``destination``."""

    destination: str


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueFull(AcdAction):
    """The queue holds ``max_waiting`` callers already."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueEmpty(AcdAction):
    """No agent could serve the caller (join or leave when empty)."""


AcdOutput = PbxCommand | DomainEvent | AcdAction
