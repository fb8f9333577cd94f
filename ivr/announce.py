"""What a waiting caller hears about their place in the queue.

Built from Asterisk's core queue sounds (``queue-thereare`` "You are currently
caller number", ``queue-youarenext``, ``queue-holdtime``, ``queue-minutes``,
``queue-thankyou``) so a stock Asterisk plays it without custom recordings.
"""

import math

from callcenter.domain.commands import PlayPrompts, SayKind, SayValue
from callcenter.domain.ids import CallId
from ivr.inputs import QueueStatus
from ivr.model import HoldPolicy

BUILTIN_PROMPTS = (
    "queue-thereare",
    "queue-youarenext",
    "queue-callswaiting",
    "queue-holdtime",
    "queue-minutes",
    "queue-thankyou",
)


def figures(status: QueueStatus, hold: HoldPolicy) -> tuple[int | None, int | None]:
    """Return what an announcement would say: (position, EWT minutes)."""
    position = status.position if hold.announce_position else None
    minutes = None
    if hold.announce_ewt and status.ewt_seconds is not None:
        minutes = max(1, math.ceil(status.ewt_seconds / 60))
    return position, minutes


def announcement(
    status: QueueStatus, hold: HoldPolicy, *, call_id: CallId, language: str
) -> list[PlayPrompts | SayValue]:
    """Return the media commands announcing position and EWT (empty: nothing to say)."""
    position, minutes = figures(status, hold)
    parts: list[str | int] = []
    if position == 1:
        parts.append("queue-youarenext")
    elif position is not None:
        parts += ["queue-thereare", position, "queue-callswaiting"]
    if minutes is not None and position != 1:
        parts += ["queue-holdtime", minutes, "queue-minutes"]
    if not parts:
        return []
    parts.append("queue-thankyou")
    return _commands(parts, call_id=call_id, language=language)


def figures_after_intro(
    status: QueueStatus, hold: HoldPolicy, *, call_id: CallId, language: str
) -> list[PlayPrompts | SayValue]:
    """Return the rest of a position announcement once ``queue-thereare`` played.

    The session asks the ACD again when the intro ends, so the figure spoken right
    after "You are currently caller number" is the position at that very moment.
    """
    position, minutes = figures(status, hold)
    parts: list[str | int] = []
    if position is not None:
        parts += [position, "queue-callswaiting"]
    if minutes is not None and position != 1:
        parts += ["queue-holdtime", minutes, "queue-minutes"]
    parts.append("queue-thankyou")
    return _commands(parts, call_id=call_id, language=language)


def _commands(
    parts: list[str | int], *, call_id: CallId, language: str
) -> list[PlayPrompts | SayValue]:
    commands: list[PlayPrompts | SayValue] = []
    pending: list[str] = []
    for part in parts:
        if isinstance(part, str):
            pending.append(part)
            continue
        if pending:
            commands.append(_play(pending, call_id, language))
            pending = []
        commands.append(
            SayValue(
                call_id=call_id, value=part, kind=SayKind.NUMBER, language=language
            )
        )
    if pending:
        commands.append(_play(pending, call_id, language))
    return commands


def _play(prompts: list[str], call_id: CallId, language: str) -> PlayPrompts:
    return PlayPrompts(
        call_id=call_id, prompts=tuple(prompts), language=language, interruptible=False
    )
