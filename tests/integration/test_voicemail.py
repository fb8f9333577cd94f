"""Voicemail end to end in virtual time: the IVR's voicemail node records a message.

The switchboard turns the IVR's ``RecordVoicemail`` into the PBX's ``RecordMessage``;
the simulated caller speaks for a while (no audio is written), the PBX reports
``MessageRecorded`` and the caller hangs up; the message is stored once and the call
ends as ``voicemail``.
"""

from callcenter.core.services import Facts
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from tests.integration.harness import Line

MONDAY_8_UTC = 1_767_600_000.0
HOLIDAY = {"holidays": ["2026-01-05"]}
URGENT: Facts = {"known": True, "language": "en", "urgent_complaint": True}


def recordings(line: Line) -> list[cmd.RecordMessage]:
    return [c for c in line.commands if isinstance(c, cmd.RecordMessage)]


async def test_an_urgent_complaint_on_a_holiday_leaves_a_message_for_complaints() -> (
    None
):
    line = Line(customers={"+8613800000004": URGENT}, hours=HOLIDAY)
    line.log_in("1001", "1002")
    call = line.call("+8613800000004")
    await line.run(900)
    assert line.path(call)[-1] == "complaint_voicemail"
    (record,) = recordings(line)
    assert (record.name, record.max_seconds, record.beep) == (
        f"complaints-{call}",
        300,
        True,
    )
    (message,) = line.of(ev.MessageRecorded, call)
    (voicemail,) = line.services.voicemails
    assert voicemail.call_id == call
    assert voicemail.recording_ref == f"sim:{call}.wav"
    assert voicemail.duration_seconds == message.duration_seconds
    assert 0 < voicemail.duration_seconds <= 300
    assert (voicemail.mailbox, voicemail.queue) == ("complaints", "complaints")
    assert voicemail.number == "+8613800000004"
    assert line.completed(call).outcome is ev.CallOutcome.VOICEMAIL
    (stored,) = line.services.calls
    assert stored.outcome is ev.CallOutcome.VOICEMAIL
    assert line.center.switchboard.calls_in_progress() == 0


async def test_after_hours_a_caller_leaves_a_general_message() -> None:
    office = {"timezone": "Asia/Shanghai", "weekly": {"mon": ["09:00-18:00"]}}
    line = Line(hours=office, start=MONDAY_8_UTC + 3 * 3600)  # 19:00 local
    call = line.call("+8613500000001")
    await line.run(900)
    assert line.path(call)[-2:] == ["closed", "general_voicemail"]
    (voicemail,) = line.services.voicemails
    assert (voicemail.mailbox, voicemail.queue) == ("general", None)
    assert 0 < voicemail.duration_seconds <= 120
    assert line.completed(call).outcome is ev.CallOutcome.VOICEMAIL
    ended = line.of(ev.CallEnded, call)
    assert [e.by for e in ended] == [ev.Party.CALLER]  # they hung up after speaking


async def test_a_caller_hanging_up_at_the_voicemail_prompt_leaves_nothing() -> None:
    line = Line(hours=HOLIDAY)
    call = line.call("+8613500000001", hang_up_at="general_voicemail")
    await line.run(900)
    assert recordings(line) == []
    assert line.services.voicemails == []
    assert line.of(ev.MessageRecorded) == []
    assert len(line.of(ev.CallCompleted, call)) == 1
