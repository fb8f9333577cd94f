"""The simulated PBX records voicemail: a drawn time of speech, then a hang-up.

Without a recordings folder no audio is written (a ``sim:`` reference); with one the
message is a WAV file as long as the caller spoke.
"""

import wave
from pathlib import Path

from callcenter.center import make_pbx, recordings_dir
from callcenter.clock import VirtualClock
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.pbx.simulated import SimulatedPbx
from callcenter.pbx.traffic import TrafficModel
from callcenter.settings import Settings, SimulationSettings

T0 = 1_000.0


def pbx_with_caller(
    folder: Path | None = None,
) -> tuple[SimulatedPbx, list[ev.DomainEvent], cmd.RecordMessage]:
    clock = VirtualClock(T0)
    traffic = TrafficModel(SimulationSettings(seed=3))
    pbx = SimulatedPbx(traffic, clock, arrivals=False, recordings_dir=folder)
    events: list[ev.DomainEvent] = []
    pbx.attach(events.append)
    call_id = pbx.offer_call("+8613800138000")
    record = cmd.RecordMessage(call_id=call_id, name="general-x", max_seconds=60)
    return pbx, events, record


def run_all(pbx: SimulatedPbx) -> None:
    while (due := pbx.next_due()) is not None:
        pbx.fire_due(due)


def test_the_caller_speaks_then_hangs_up_and_the_message_is_a_reference() -> None:
    pbx, events, record = pbx_with_caller()
    pbx.apply(record, T0)
    run_all(pbx)
    message, ended = events[-2:]
    assert isinstance(message, ev.MessageRecorded)
    assert message.recording_ref == f"sim:{record.call_id}.wav"
    assert 5.0 <= message.duration_seconds <= 60.0
    assert message.at == T0 + 0.5 + message.duration_seconds  # after the beep
    assert ended == ev.CallEnded(
        at=message.at, call_id=record.call_id, by=ev.Party.CALLER
    )
    assert pbx.calls_in_progress() == 0


def test_no_beep_starts_at_once_and_a_short_mailbox_bounds_the_message() -> None:
    pbx, events, record = pbx_with_caller()
    pbx.apply(
        cmd.RecordMessage(call_id=record.call_id, name="n", max_seconds=3, beep=False),
        T0,
    )
    run_all(pbx)
    (message,) = [e for e in events if isinstance(e, ev.MessageRecorded)]
    assert message.duration_seconds == 3.0
    assert message.at == T0 + 3.0


def test_patience_no_longer_runs_while_the_caller_records() -> None:
    pbx, events, record = pbx_with_caller()
    pbx.apply(cmd.StartHold(call_id=record.call_id), T0)  # patience starts (3600 s)
    pbx.apply(record, T0 + 3599.0)
    run_all(pbx)
    assert isinstance(events[-2], ev.MessageRecorded)
    assert events[-1].at > T0 + 3600.0  # the caller was not gone at 3600 s


def test_a_caller_hanging_up_mid_message_leaves_none() -> None:
    pbx, events, record = pbx_with_caller()
    pbx.apply(record, T0)
    pbx.hang_up(record.call_id)
    run_all(pbx)
    assert not [e for e in events if isinstance(e, ev.MessageRecorded)]
    assert isinstance(events[-1], ev.CallEnded)


def test_with_a_recordings_folder_the_message_is_a_wav_as_long_as_the_caller_spoke(
    tmp_path: Path,
) -> None:
    pbx, events, record = pbx_with_caller(tmp_path / "recordings")
    pbx.apply(record, T0)
    run_all(pbx)
    (message,) = [e for e in events if isinstance(e, ev.MessageRecorded)]
    path = tmp_path / "recordings" / "general-x.wav"
    assert message.recording_ref == str(path.resolve())
    with wave.open(str(path), "rb") as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        assert audio.getframerate() == 8000
        seconds = audio.getnframes() / audio.getframerate()
        frames = audio.readframes(400)
    assert seconds == round(message.duration_seconds * 8000) / 8000
    assert any(frames)  # a tone, not silence


def test_callcenter_up_records_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.model_validate({"general": {"data_dir": str(tmp_path)}})
    assert recordings_dir(settings) == tmp_path / "recordings"
    pbx = make_pbx(settings, VirtualClock(T0))
    assert isinstance(pbx, SimulatedPbx)
    events: list[ev.DomainEvent] = []
    pbx.attach(events.append)
    call_id = pbx.offer_call("+8613800138000")
    pbx.apply(cmd.RecordMessage(call_id=call_id, name="m", max_seconds=5), T0)
    run_all(pbx)
    assert (tmp_path / "recordings" / "m.wav").is_file()


def test_asterisk_recordings_are_read_from_its_recordings_folder() -> None:
    settings = Settings.model_validate(
        {"pbx": {"kind": "asterisk", "recordings_dir": "/srv/voicemail"}}
    )
    assert recordings_dir(settings) == Path("/srv/voicemail")
