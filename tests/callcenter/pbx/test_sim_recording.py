"""The simulated PBX records voicemail: a drawn time of speech, no audio, a hang-up."""

from callcenter.clock import VirtualClock
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.pbx.simulated import SimulatedPbx
from callcenter.pbx.traffic import TrafficModel
from callcenter.settings import SimulationSettings

T0 = 1_000.0


def pbx_with_caller() -> tuple[SimulatedPbx, list[ev.DomainEvent], cmd.RecordMessage]:
    clock = VirtualClock(T0)
    pbx = SimulatedPbx(TrafficModel(SimulationSettings(seed=3)), clock, arrivals=False)
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
