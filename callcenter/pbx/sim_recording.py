"""Voicemail on the simulated PBX: the caller speaks for a drawn time, then hangs up.

No audio is written: the message is the reference ``sim:<call_id>.wav``. The
recording's end is scheduled under the call's ``media`` key, so a hang-up (or a newer
command) cancels it; the caller's patience and hold keys no longer apply (they are not
waiting any more).
"""

from collections.abc import Callable

from callcenter.domain.commands import RecordMessage
from callcenter.domain.events import DomainEvent, MessageRecorded
from callcenter.pbx.timeline import Timeline
from callcenter.pbx.traffic import TrafficModel

BEEP_SECONDS = 0.5


def recording_ref(command: RecordMessage) -> str:
    """Return where the simulation says it keeps the message (it keeps no audio)."""
    return f"sim:{command.call_id}.wav"


def record(
    command: RecordMessage,
    now: float,
    *,
    timeline: Timeline,
    traffic: TrafficModel,
    emit: Callable[[DomainEvent], None],
    hang_up: Callable[[float], None],
) -> None:
    """Schedule the caller's message: ``MessageRecorded``, then the caller hangs up."""
    call_id = command.call_id
    for purpose in ("patience", "hold-key"):
        timeline.cancel((purpose, call_id))
    spoken = traffic.message_seconds(command.max_seconds)
    start = now + (BEEP_SECONDS if command.beep else 0.0)

    def finished(at: float) -> None:
        emit(
            MessageRecorded(
                at=at,
                call_id=call_id,
                recording_ref=recording_ref(command),
                duration_seconds=spoken,
            )
        )
        hang_up(at)

    timeline.schedule(start + spoken, finished, key=("media", call_id))
