"""The media side of one call on Asterisk: its FastAGI session runs our commands.

Theory of operation. The runtime never waits for media: ``push`` queues a command and
returns. While a FastAGI session of the call is attached (``serve``), commands run
on it one at a time, each reporting its outcome as a domain event (``PromptFinished``,
``DigitsCollected``, ``MessageRecorded``). ``StartHold`` lasts until the next
command: the music plays as the channel's generator (``SET MUSIC ON``) while short
``WAIT FOR DIGIT`` polls catch a key (``HoldInterrupted``) and let a newer command take
over within one poll.

A session ends in one of four ways (``Ending``): the call was moved away by our own
AMI ``Redirect`` (to ring an agent or to transfer; Asterisk answers the running
command ``-1``, then ``HANGUP`` and ``511``: that is *not* a hang-up); the caller
hung up; we hung up; or the adapter stopped the line (the AMI reported the hang-up
first). Returning closes the socket at once, which Asterisk needs to release the
channel. After an agent's ring ends unanswered the dialplan returns to the AGI: a new
session attaches to the same line and the hold resumes where it was.
"""

import asyncio
from collections import deque
from collections.abc import Callable
from enum import StrEnum

from callcenter.agi.channel import AgiChannel
from callcenter.agi.errors import AgiHangup
from callcenter.domain import commands as cmd
from callcenter.domain.events import (
    DigitsCollected,
    DomainEvent,
    HoldInterrupted,
    MessageRecorded,
    PromptFinished,
)
from callcenter.domain.ids import CallId

ESCAPE_DIGITS = "0123456789*#"
MINUTE = 60
RECORDING_FORMAT = "wav"  # 8 kHz signed linear: ``endpos`` counts 8000 a second
RECORDING_RATE = 8000
END_OF_MESSAGE = "#"  # the caller keys it when done
_RECORDED = frozenset({"timeout", "dtmf", "hangup"})  # RECORD FILE wrote the file


class Ending(StrEnum):
    """Why a FastAGI session of a call ended."""

    DETACHED = "detached"  # moved away by our Redirect; the call goes on
    CALLER_GONE = "caller_gone"
    HUNG_UP = "hung_up"  # by our HangUp command
    STOPPED = "stopped"  # the adapter ended it (hang-up seen on the AMI)


class CallLine:
    """Commands for one call and the FastAGI session (if any) that runs them."""

    def __init__(
        self,
        call_id: CallId,
        *,
        emit: Callable[[DomainEvent], None],
        now: Callable[[], float],
        hold_poll_ms: int = 1000,
        recordings_dir: str = "/var/spool/asterisk/callcenter",
    ) -> None:
        """Create an idle line; events go to ``emit`` stamped with ``now()``.

        Voicemail goes to ``recordings_dir`` on the Asterisk host (it must exist).
        """
        self.call_id = call_id
        self.recordings_dir = recordings_dir.rstrip("/")
        self.hold_class: str | None = None
        self.stopped = False
        self._emit, self._now = emit, now
        self._hold_poll_ms = hold_poll_ms
        self._queue: deque[cmd.PbxCommand] = deque()
        self._wake = asyncio.Event()
        self._session: object | None = None
        self._detach: object | None = None
        self._language = ""

    @property
    def attached(self) -> bool:
        """Return whether a FastAGI session of the call is being served."""
        return self._session is not None

    def push(self, command: cmd.PbxCommand) -> None:
        """Queue a media command; it runs when the session gets to it."""
        self._queue.append(command)
        self._wake.set()

    def detach(self, *, wait_class: str | None = None) -> None:
        """Let the current session go: our ``Redirect`` is about to move the call.

        With ``wait_class`` the caller waits on that music when they come back
        unanswered (an agent's ring ends in the dialplan's return to the AGI).
        """
        self._queue.clear()
        if wait_class is not None:
            self.hold_class = self.hold_class or wait_class
        self._detach = self._session
        self._wake.set()

    def ringing(self) -> None:
        """The agent's phone rings: the IVR dropped whatever it was about to play."""
        self._queue.clear()

    def talking(self) -> None:
        """The agent answered: no hold to resume when the caller comes back."""
        self.hold_class = None

    def stop(self) -> None:
        """End the line for good (the call is over)."""
        self.stopped = True
        self._queue.clear()
        self._wake.set()

    async def serve(self, channel: AgiChannel) -> Ending:
        """Run queued commands on ``channel`` until the session must end."""
        token = object()
        self._session, self._language = token, ""
        try:
            return await self._loop(channel, token)
        except AgiHangup:
            return Ending.DETACHED if self._detach is token else Ending.CALLER_GONE
        finally:
            if self._session is token:
                self._session = None

    async def _loop(self, channel: AgiChannel, token: object) -> Ending:
        music = False
        while not self.stopped and self._detach is not token:
            if self._queue:
                if music:
                    await channel.run("SET MUSIC", "OFF")
                    music = False
                command = self._queue.popleft()
                if await self._run(channel, command):
                    return Ending.HUNG_UP
            elif self.hold_class is not None:
                if not music:
                    await channel.run("SET MUSIC", "ON", self.hold_class)
                    music = True
                digit = await channel.wait_for_digit(self._hold_poll_ms)
                if digit and self._detach is not token:
                    self._emit(
                        HoldInterrupted(
                            at=self._now(), call_id=self.call_id, digit=digit
                        )
                    )
            else:
                self._wake.clear()
                await self._wake.wait()
        return Ending.STOPPED if self.stopped else Ending.DETACHED

    async def _run(self, channel: AgiChannel, command: cmd.PbxCommand) -> bool:
        """Run one command; return True when it hung the call up."""
        if not isinstance(command, cmd.StartHold | cmd.AnswerCall):
            self.hold_class = None
        match command:
            case cmd.AnswerCall():
                await channel.answer()
            case cmd.StartHold(moh_class=moh_class):
                self.hold_class = moh_class
            case cmd.PlayPrompts():
                await self._set_language(channel, command.language)
                digit = await self._play(channel, command)
                self._finished(digit)
            case cmd.SayValue():
                await self._set_language(channel, command.language)
                self._finished(await self._say(channel, command))
            case cmd.CollectDigits():
                await self._set_language(channel, command.language)
                await self._collect(channel, command)
            case cmd.RecordMessage():
                await self._record(channel, command)
            case cmd.HangUp():
                await channel.hangup()
                return True
            case _:
                pass
        return False

    def _finished(self, digit: str | None) -> None:
        self._emit(
            PromptFinished(at=self._now(), call_id=self.call_id, digit=digit or "")
        )

    async def _set_language(self, channel: AgiChannel, language: str) -> None:
        if language and language != self._language:
            await channel.set_variable("CHANNEL(language)", language)
            self._language = language

    async def _play(self, channel: AgiChannel, command: cmd.PlayPrompts) -> str | None:
        escape = ESCAPE_DIGITS if command.interruptible else ""
        for prompt in command.prompts:
            digit, _ = await channel.stream_file(prompt, escape)
            if digit:
                return digit
        return None

    async def _say(self, channel: AgiChannel, command: cmd.SayValue) -> str | None:
        value = command.value
        match command.kind:
            case cmd.SayKind.DIGITS:
                return await channel.say_digits(str(value), ESCAPE_DIGITS)
            case cmd.SayKind.DATE:
                result = await channel.run("SAY DATE", value, ESCAPE_DIGITS)
                return chr(result.value) if result.value and result.value > 0 else None
            case cmd.SayKind.DURATION:
                minutes = value >= MINUTE
                amount, unit = (
                    (value // MINUTE, "minutes") if minutes else (value, "seconds")
                )
                digit = await channel.say_number(amount, ESCAPE_DIGITS)
                if digit:
                    return digit
                return (await channel.stream_file(unit, ESCAPE_DIGITS))[0]
            case _:
                return await channel.say_number(value, ESCAPE_DIGITS)

    async def _collect(self, channel: AgiChannel, command: cmd.CollectDigits) -> None:
        digits, timed_out = await channel.get_data(
            command.prompt, int(command.timeout * 1000), command.max_digits
        )
        self._emit(
            DigitsCollected(
                at=self._now(),
                call_id=self.call_id,
                digits=digits,
                timed_out=timed_out and not digits,
            )
        )

    async def _record(self, channel: AgiChannel, command: cmd.RecordMessage) -> None:
        """Record the caller's message (``RECORD FILE``) and report it.

        Asterisk answers ``result=0 (timeout)`` (time limit or silence), ``result=<#>
        (dtmf)`` or ``result=-1 (hangup)``, each with ``endpos`` in samples. A caller
        who hangs up after speaking has left a message: it is reported, then the
        session ends as the caller's hang-up. Any other failure reports an empty
        message, so the call is hung up rather than left in silence.

        Raises:
            AgiHangup: the caller hung up.
        """
        path = f"{self.recordings_dir}/{command.name}"
        args: list[str | int] = [path, RECORDING_FORMAT, END_OF_MESSAGE]
        args += [command.max_seconds * 1000, 0]  # the offset 0 keeps BEEP a flag
        if command.beep:
            args.append("BEEP")
        if command.silence_seconds > 0:
            args.append(f"s={command.silence_seconds}")
        result = await channel.run("RECORD FILE", *args)
        recorded = result.data in _RECORDED
        seconds = round((result.endpos or 0) / RECORDING_RATE, 2) if recorded else 0.0
        gone = result.data == "hangup" or (result.value == -1 and channel.hung_up)
        if not gone or seconds > 0:
            ref = f"{path}.{RECORDING_FORMAT}" if recorded else ""
            self._emit(
                MessageRecorded(
                    at=self._now(),
                    call_id=self.call_id,
                    recording_ref=ref,
                    duration_seconds=seconds,
                )
            )
        if gone:
            raise AgiHangup("RECORD FILE: caller hung up")
