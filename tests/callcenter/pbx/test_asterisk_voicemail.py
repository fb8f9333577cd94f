"""Voicemail on a fake Asterisk: ``RECORD FILE`` as res_agi takes it, and its replies.

res_agi reads ``RECORD FILE <file> <format> <escape digits> <timeout ms> [offset]
[BEEP] [s=<silence>]`` and answers ``200 result=0 (timeout) endpos=N`` (time limit or
silence), ``200 result=<digit> (dtmf) endpos=N`` or ``200 result=-1 (hangup)
endpos=N``, ``endpos`` in samples (8000 a second for ``wav``).
"""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from callcenter.center import make_call_center
from callcenter.core.services import InMemoryServices
from callcenter.domain import events as ev
from callcenter.domain.ids import CallId
from callcenter.pbx.asterisk import AsteriskPbx
from tests.callcenter.pbx.fake_asterisk import AgiCall, FakeAmi
from tests.callcenter.pbx.test_asterisk import CALL, CALLER, Running, settings_for

FLOW = """\
description: Test line - straight to the general mailbox
start: leave_message
nodes:
  leave_message:
    kind: voicemail
    mailbox: general
    max_seconds: 60
    prompts: [custom/leave-message]
"""
FILE = f"/var/spool/asterisk/callcenter/general-{CALL}"
RECORD = f'RECORD FILE {FILE} wav "#" 60000 0 BEEP s=5'


@pytest.fixture
async def vm_running(tmp_path: Path) -> AsyncIterator[Running]:
    (tmp_path / "test.yaml").write_text(FLOW)
    ami = FakeAmi()
    await ami.start()
    services = InMemoryServices()
    center = make_call_center(settings_for(ami, tmp_path), services=services)
    assert isinstance(center.pbx, AsteriskPbx)
    run = Running(center, services)
    await center.pbx.start()
    task = asyncio.create_task(center.runtime.run())
    yield run
    center.runtime.stop()
    await task
    await center.runtime.shut_down()
    await center.pbx.close()
    await ami.stop()


async def to_the_beep(running: Running) -> AgiCall:
    call = AgiCall(uniqueid=CALLER, linkedid=CALL)
    await call.connect(running.pbx.agi.port)
    await call.expect("ANSWER")
    await call.expect("STREAM FILE custom/leave-message", "200 result=0 endpos=8000")
    return call


async def test_the_caller_keys_hash_the_message_is_stored_and_the_call_hung_up(
    vm_running: Running,
) -> None:
    call = await to_the_beep(vm_running)
    assert await call.expect("RECORD FILE", "200 result=35 (dtmf) endpos=96000") == (
        RECORD
    )
    await call.expect("HANGUP", "200 result=1")
    completed = await vm_running.until(ev.CallCompleted)
    assert completed.outcome is ev.CallOutcome.VOICEMAIL
    (message,) = vm_running.of(ev.MessageRecorded)
    assert message == ev.MessageRecorded(
        at=message.at,
        call_id=CallId(CALL),
        recording_ref=f"{FILE}.wav",
        duration_seconds=12.0,
    )
    (voicemail,) = vm_running.services.voicemails
    assert (voicemail.recording_ref, voicemail.duration_seconds) == (f"{FILE}.wav", 12)
    assert (voicemail.number, voicemail.mailbox) == ("+8613800138000", "general")
    call.close()


async def test_the_time_limit_or_silence_ends_the_message(vm_running: Running) -> None:
    call = await to_the_beep(vm_running)
    await call.expect("RECORD FILE", "200 result=0 (timeout) endpos=480000")
    await call.expect("HANGUP", "200 result=1")
    await vm_running.until(ev.CallCompleted)
    (voicemail,) = vm_running.services.voicemails
    assert voicemail.duration_seconds == 60.0
    call.close()


async def test_a_caller_who_hangs_up_after_speaking_leaves_the_message(
    vm_running: Running,
) -> None:
    call = await to_the_beep(vm_running)
    await call.expect("RECORD FILE", "200 result=-1 (hangup) endpos=40000")
    call.send("HANGUP")
    assert await call.closed_by_server()
    ended = await vm_running.until(ev.CallEnded)
    assert ended.by is ev.Party.CALLER
    completed = await vm_running.until(ev.CallCompleted)
    assert completed.outcome is ev.CallOutcome.VOICEMAIL
    (voicemail,) = vm_running.services.voicemails
    assert voicemail.duration_seconds == 5.0
    assert vm_running.events.index(vm_running.of(ev.MessageRecorded)[0]) < (
        vm_running.events.index(ended)
    )
    call.close()


async def test_a_caller_who_hangs_up_at_the_beep_leaves_nothing(
    vm_running: Running,
) -> None:
    call = await to_the_beep(vm_running)
    await call.expect("RECORD FILE", "200 result=-1 (hangup) endpos=0")
    call.send("HANGUP")
    assert await call.closed_by_server()
    await vm_running.until(ev.CallCompleted)
    assert vm_running.of(ev.MessageRecorded) == []
    assert vm_running.services.voicemails == []
    call.close()


async def test_a_file_asterisk_cannot_write_stores_nothing_but_hangs_up(
    vm_running: Running,
) -> None:
    call = await to_the_beep(vm_running)
    await call.expect("RECORD FILE", "200 result=-1 (writefile)")
    await call.expect("HANGUP", "200 result=1")
    await vm_running.until(ev.CallCompleted)
    (message,) = vm_running.of(ev.MessageRecorded)
    assert (message.recording_ref, message.duration_seconds) == ("", 0.0)
    assert vm_running.services.voicemails == []
    call.close()
