"""``CallLine`` runs media commands on an AGI channel: here, ``RecordMessage``."""

import pytest

from callcenter.agi.channel import AgiChannel
from callcenter.agi.environment import AgiEnvironment
from callcenter.agi.errors import AgiHangup
from callcenter.agi.protocol import AgiResult, parse_result
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import CallId
from callcenter.pbx.agi_line import CallLine

CALL = CallId("1795342860.35")


class Scripted:
    """An AGI transport answering each command with the next scripted reply."""

    def __init__(self, *replies: str, hung_up: bool = False) -> None:
        self.replies = list(replies)
        self.lines: list[str] = []
        self.hung_up = hung_up

    async def execute(self, line: str, *, timeout: float | None = None) -> AgiResult:  # noqa: ASYNC109
        del timeout
        self.lines.append(line)
        return parse_result(self.replies.pop(0))


async def record(
    command: cmd.RecordMessage, reply: str, *, hung_up: bool = False
) -> tuple[list[str], list[ev.DomainEvent]]:
    events: list[ev.DomainEvent] = []
    line = CallLine(
        CALL, emit=events.append, now=lambda: 5.0, recordings_dir="/srv/vm/"
    )
    transport = Scripted(reply, hung_up=hung_up)
    channel = AgiChannel(transport, AgiEnvironment(variables=()))
    await line._record(channel, command)
    return transport.lines, events


async def test_without_beep_or_silence_only_the_offset_follows_the_timeout() -> None:
    command = cmd.RecordMessage(
        call_id=CALL, name="m-1", max_seconds=30, beep=False, silence_seconds=0
    )
    lines, events = await record(command, "200 result=0 (timeout) endpos=24000")
    assert lines == ['RECORD FILE /srv/vm/m-1 wav "#" 30000 0']
    assert events == [
        ev.MessageRecorded(
            at=5.0,
            call_id=CALL,
            recording_ref="/srv/vm/m-1.wav",
            duration_seconds=3.0,
        )
    ]


async def test_a_hang_up_during_the_beep_raises_without_a_message() -> None:
    command = cmd.RecordMessage(call_id=CALL, name="m-1", max_seconds=30)
    with pytest.raises(AgiHangup):
        await record(command, "200 result=-1 (randomerror) endpos=0", hung_up=True)


async def test_a_digit_during_the_beep_reports_an_empty_message() -> None:
    command = cmd.RecordMessage(call_id=CALL, name="m-1", max_seconds=30)
    lines, events = await record(command, "200 result=35 (randomerror) endpos=0")
    assert lines == ['RECORD FILE /srv/vm/m-1 wav "#" 30000 0 BEEP s=5']
    assert events == [
        ev.MessageRecorded(at=5.0, call_id=CALL, recording_ref="", duration_seconds=0)
    ]
