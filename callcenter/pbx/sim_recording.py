"""Voicemail on the simulated PBX: the caller speaks for a drawn time, then hangs up.

With a ``recordings_dir`` (``callcenter up``: ``<data-dir>/recordings``) the message
is a real file, ``<dir>/<name>.wav``: a quiet 400 Hz tone as long as the caller
"spoke" (8 kHz, 16-bit mono, like Asterisk's ``RECORD FILE ... wav``), so that
supervisors can play it back end to end. Without one (tests in virtual time) no
audio is written and the message is the reference ``sim:<call_id>.wav``. The
recording's end is scheduled under the call's ``media`` key, so a hang-up (or a newer
command) cancels it; the caller's patience and hold keys no longer apply (they are not
waiting any more).
"""

import logging
import math
import struct
import wave
from collections.abc import Callable
from pathlib import Path

from callcenter.domain.commands import RecordMessage
from callcenter.domain.events import DomainEvent, MessageRecorded
from callcenter.pbx.timeline import Timeline
from callcenter.pbx.traffic import TrafficModel

logger = logging.getLogger(__name__)

BEEP_SECONDS = 0.5
RATE = 8000
TONE_HZ = 400  # 20 samples a period at 8 kHz: whole periods repeat exactly
_PERIOD = b"".join(
    struct.pack("<h", round(2000 * math.sin(2 * math.pi * TONE_HZ * n / RATE)))
    for n in range(RATE // TONE_HZ)
)


def recording_ref(command: RecordMessage, recordings_dir: Path | None = None) -> str:
    """Return where the simulation keeps the message (``sim:`` when it keeps none)."""
    if recordings_dir is None:
        return f"sim:{command.call_id}.wav"
    return str(recordings_dir.resolve() / f"{command.name}.wav")


def write_wav(path: Path, seconds: float) -> None:
    """Write ``seconds`` of a quiet tone as a WAV file (8 kHz, 16-bit mono)."""
    samples = round(seconds * RATE)
    period = len(_PERIOD) // 2
    frames = _PERIOD * (samples // period) + _PERIOD[: 2 * (samples % period)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)


def record(
    command: RecordMessage,
    now: float,
    *,
    timeline: Timeline,
    traffic: TrafficModel,
    emit: Callable[[DomainEvent], None],
    hang_up: Callable[[float], None],
    recordings_dir: Path | None = None,
) -> None:
    """Schedule the caller's message: ``MessageRecorded``, then the caller hangs up."""
    call_id = command.call_id
    for purpose in ("patience", "hold-key"):
        timeline.cancel((purpose, call_id))
    spoken = traffic.message_seconds(command.max_seconds)
    start = now + (BEEP_SECONDS if command.beep else 0.0)
    ref = recording_ref(command, recordings_dir)

    def finished(at: float) -> None:
        if recordings_dir is not None:
            try:
                write_wav(Path(ref), spoken)
            except OSError as exc:
                logger.warning("cannot write the recording %s: %s", ref, exc)
        emit(
            MessageRecorded(
                at=at, call_id=call_id, recording_ref=ref, duration_seconds=spoken
            )
        )
        hang_up(at)

    timeline.schedule(start + spoken, finished, key=("media", call_id))
