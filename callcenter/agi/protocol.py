r"""Sans-IO AGI session: the environment block, commands out, results in.

Theory of operation
-------------------
An AGI conversation is line-based and strictly one command at a time. Asterisk first
sends the ``agi_`` environment, ended by an empty line. Then the script writes one
command line and Asterisk answers with one result line:

* ``200 result=N [(data)] [key=value ...]``: done; ``data`` holds e.g. a variable's
  value or ``timeout``; ``endpos`` the sample offset where playback stopped.
* ``510 Invalid or unknown command``, ``511 Command Not Permitted on a dead channel``.
* ``520-Invalid command syntax.  Proper usage follows:``, usage lines, and the closing
  ``520 End of proper usage.``: one result spread over several lines.

When the caller hangs up (or an AMI Redirect takes the channel out of the AGI) Asterisk
writes an unsolicited ``HANGUP`` line, which can arrive just ahead of the reply to the
next command. It is reported as ``HangupRequested`` and the reply is still awaited.
Asterisk never closes a FastAGI socket by itself: the script has to.

``AgiSession`` does no I/O: ``receive_data(bytes)`` returns what happened and
``send_command`` returns the bytes to write. The states are a table (``_TRANSITIONS``)::

    AWAIT_ENV --env end--> IDLE --send--> AWAIT_REPLY --reply--> IDLE
                                          AWAIT_REPLY --"520-"--> AWAIT_USAGE
                                          AWAIT_USAGE --"520 "--> IDLE
    any --eof--> CLOSED;  garbage or an over-long line --> ERROR (reported once)

Misuse by us (a second command before the reply, a line break in an argument) raises
``AgiLocalProtocolError``. ``parse_result`` is pure and shared with process-mode AGI.
"""

import re
from dataclasses import dataclass
from enum import Enum, auto

from callcenter.agi.environment import AgiEnvironment
from callcenter.agi.errors import (
    AgiCommandError,
    AgiDeadChannel,
    AgiInvalidCommand,
    AgiLocalProtocolError,
    AgiRemoteProtocolError,
    AgiUsageError,
)

__all__ = [
    "AgiEnvironment",
    "AgiResult",
    "AgiSession",
    "HangupRequested",
    "ProtocolViolation",
    "SessionClosed",
    "format_command",
    "parse_result",
]

_RESULT_200 = re.compile(r"^200 result=(\S*)(?: \((.*)\))?((?: [\w-]+=\S*)*)\s*$")
_CODE = re.compile(r"^(\d{3})[ -](.*)$")
_SAFE_ARG = re.compile(r"^[\w.,:@+=/()*%-]+$")
_ERRORS: dict[int, type[AgiCommandError]] = {
    510: AgiInvalidCommand,
    511: AgiDeadChannel,
    520: AgiUsageError,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class AgiResult:
    """One reply to one command."""

    code: int
    result: str = ""
    data: str | None = None
    endpos: int | None = None
    extra: tuple[tuple[str, str], ...] = ()
    message: str = ""
    usage: str = ""
    raw: str = ""

    @property
    def ok(self) -> bool:
        """Return whether the command was accepted (code 200)."""
        return self.code == 200  # noqa: PLR2004 - the AGI success code

    @property
    def value(self) -> int | None:
        """Return ``result`` as an int (``-1`` error/hangup), or None when empty."""
        try:
            return int(self.result)
        except ValueError:
            return None

    @property
    def timed_out(self) -> bool:
        """Return whether Asterisk flagged ``(timeout)`` (GET DATA, GET OPTION)."""
        return self.data == "timeout"

    def raise_for_status(self, command: str = "") -> "AgiResult":
        """Return self when ``ok``; raise the error mapped from the code otherwise.

        Raises:
            AgiInvalidCommand: 510.
            AgiDeadChannel: 511 (also an ``AgiHangup``).
            AgiUsageError: 520, with Asterisk's usage text.
            AgiCommandError: any other code.
        """
        if self.ok:
            return self
        error = _ERRORS.get(self.code, AgiCommandError)
        text = self.message or self.raw
        raise error(
            f"{command or 'AGI command'}: {text}", command=command, usage=self.usage
        )


def parse_result(text: str) -> AgiResult:
    """Parse one reply (one line, or a whole ``520-`` block) into an ``AgiResult``.

    Raises:
        AgiRemoteProtocolError: the text is not an AGI reply.
    """
    lines = text.strip("\r\n").replace("\r\n", "\n").split("\n")
    first = lines[0]
    match = _RESULT_200.match(first)
    if match is not None:
        value, data, tail = match.groups()
        extra = tuple(
            (key, val) for key, _, val in (item.partition("=") for item in tail.split())
        )
        endpos = next((int(v) for k, v in extra if k == "endpos" and _is_int(v)), None)
        return AgiResult(
            code=200, result=value, data=data, endpos=endpos, extra=extra, raw=text
        )
    code_match = _CODE.match(first)
    if code_match is None:
        raise AgiRemoteProtocolError(f"not an AGI reply: {first[:120]!r}")
    code = int(code_match.group(1))
    usage = "\n".join(lines[1:-1]) if first[3:4] == "-" else ""
    return AgiResult(code=code, message=code_match.group(2), usage=usage, raw=text)


def _excerpt(buf: bytearray, start: int) -> str:
    return bytes(buf[start : start + 120]).decode("utf-8", "replace")


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit()


def format_command(verb: str, *args: str | int) -> str:
    r"""Return one command line (without newline), quoting arguments where needed.

    ``format_command("STREAM FILE", "hello-world", "")`` gives
    ``STREAM FILE hello-world ""``. Empty arguments and ones with spaces, quotes,
    backslashes or DTMF symbols are double-quoted, with ``"`` and ``\`` escaped.

    Raises:
        AgiLocalProtocolError: a line break in the verb or an argument.
    """
    if "\n" in verb or "\r" in verb or not verb.strip():
        raise AgiLocalProtocolError(f"invalid AGI command {verb!r}")
    parts = [verb.strip()]
    for arg in args:
        text = str(arg)
        if "\n" in text or "\r" in text:
            raise AgiLocalProtocolError(f"line break in AGI argument {text!r}")
        if not _SAFE_ARG.match(text):
            escaped = text.replace("\\", "\\\\").replace('"', '\\"')
            text = f'"{escaped}"'
        parts.append(text)
    return " ".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class HangupRequested:
    """Asterisk sent the unsolicited ``HANGUP`` line: the channel left the AGI."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ProtocolViolation:
    """Asterisk sent something that is not AGI; the session cannot go on."""

    reason: str
    excerpt: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionClosed:
    """The peer closed; ``awaiting_reply`` when a command was left unanswered."""

    awaiting_reply: bool = False


AgiMessage = (
    AgiEnvironment | AgiResult | HangupRequested | ProtocolViolation | SessionClosed
)


class AgiState(Enum):
    """Where the AGI conversation is."""

    AWAIT_ENV = auto()
    IDLE = auto()
    AWAIT_REPLY = auto()
    AWAIT_USAGE = auto()
    CLOSED = auto()
    ERROR = auto()


class AgiInput(Enum):
    """What happened."""

    ENV_LINE = auto()
    ENV_END = auto()
    SEND = auto()
    REPLY = auto()
    USAGE_START = auto()
    USAGE_LINE = auto()
    USAGE_END = auto()
    HANGUP = auto()
    EOF = auto()


_S, _I = AgiState, AgiInput
_TRANSITIONS: dict[tuple[AgiState, AgiInput], AgiState] = {
    (_S.AWAIT_ENV, _I.ENV_LINE): _S.AWAIT_ENV,
    (_S.AWAIT_ENV, _I.ENV_END): _S.IDLE,
    (_S.IDLE, _I.SEND): _S.AWAIT_REPLY,
    (_S.IDLE, _I.HANGUP): _S.IDLE,
    (_S.AWAIT_REPLY, _I.HANGUP): _S.AWAIT_REPLY,
    (_S.AWAIT_REPLY, _I.REPLY): _S.IDLE,
    (_S.AWAIT_REPLY, _I.USAGE_START): _S.AWAIT_USAGE,
    (_S.AWAIT_USAGE, _I.USAGE_LINE): _S.AWAIT_USAGE,
    (_S.AWAIT_USAGE, _I.USAGE_END): _S.IDLE,
}


class AgiSession:
    """One AGI conversation, without I/O. See the module docstring."""

    def __init__(
        self, *, max_line_size: int = 16 * 1024, max_env_lines: int = 512
    ) -> None:
        """Create a session waiting for the environment block.

        Args:
            max_line_size: longest line accepted (bytes); longer is a violation.
            max_env_lines: most environment (and usage) lines accepted.
        """
        self.state = AgiState.AWAIT_ENV
        self.max_line_size = max_line_size
        self.max_env_lines = max_env_lines
        self.environment: AgiEnvironment | None = None
        self.hung_up = False
        self.last_command = ""
        self._buffer = bytearray()
        self._scan_from = 0
        self._block: list[str] = []

    @classmethod
    def resume(cls, environment: AgiEnvironment, **options: int) -> "AgiSession":
        """Return a session whose environment was already read by someone else.

        Process-mode AGI uses this: pyst2 reads the environment from stdin.
        """
        session = cls(**options)
        session.environment = environment
        session.state = AgiState.IDLE
        return session

    @property
    def buffered_bytes(self) -> int:
        """Return how many received bytes wait for the end of their line."""
        return len(self._buffer)

    def _transition(self, event: AgiInput) -> None:
        try:
            self.state = _TRANSITIONS[self.state, event]
        except KeyError:
            old, self.state = self.state, AgiState.ERROR
            msg = f"cannot handle {event.name} in state {old.name}"
            raise AgiLocalProtocolError(msg) from None

    def send_command(self, command: str) -> bytes:
        """Return the bytes of ``command`` (one line); only one may be outstanding.

        Raises:
            AgiLocalProtocolError: a reply is still awaited, or the line has a break.
        """
        if "\n" in command or "\r" in command:
            raise AgiLocalProtocolError(f"line break in AGI command {command!r}")
        if self.state is not AgiState.IDLE:
            msg = f"cannot send {command!r} in state {self.state.name}"
            raise AgiLocalProtocolError(msg)
        self._transition(AgiInput.SEND)
        self.last_command = command
        return f"{command}\n".encode()

    def receive_data(self, data: bytes) -> list[AgiMessage]:
        """Feed received bytes (``b""`` = EOF) and return what they completed."""
        if not data:
            return self._eof()
        if self.state in {AgiState.CLOSED, AgiState.ERROR}:
            return []
        self._buffer += data
        out: list[AgiMessage] = []
        buf = self._buffer
        start = 0
        while self.state not in {AgiState.ERROR, AgiState.CLOSED}:
            end = buf.find(b"\n", max(start, self._scan_from))
            if end < 0:
                break
            if end - start > self.max_line_size:
                self._violate("line exceeds max_line_size", _excerpt(buf, start), out)
                break
            line = buf[start:end].decode("utf-8", "replace").removesuffix("\r")
            start = end + 1
            self._line(line, out)
        del buf[:start]
        self._scan_from = len(buf)
        if len(buf) > self.max_line_size and not self._broken:
            self._violate("line exceeds max_line_size", _excerpt(buf, 0), out)
        if self._broken:
            buf.clear()
        return out

    @property
    def _broken(self) -> bool:
        return self.state is AgiState.ERROR

    def _eof(self) -> list[AgiMessage]:
        awaiting = self.state in {AgiState.AWAIT_REPLY, AgiState.AWAIT_USAGE}
        self.state = AgiState.CLOSED
        self._buffer.clear()
        return [SessionClosed(awaiting_reply=awaiting)]

    def _violate(self, reason: str, excerpt: str, out: list[AgiMessage]) -> None:
        self.state = AgiState.ERROR
        out.append(ProtocolViolation(reason=reason, excerpt=excerpt[:120]))

    def _line(self, line: str, out: list[AgiMessage]) -> None:
        state = self.state
        if state is AgiState.AWAIT_ENV:
            self._env_line(line, out)
        elif state is AgiState.AWAIT_USAGE:
            self._usage_line(line, out)
        elif line.strip() == "HANGUP":
            self._transition(AgiInput.HANGUP)
            self.hung_up = True
            out.append(HangupRequested())
        elif not line.strip():
            return  # stray empty line: harmless
        elif state is AgiState.AWAIT_REPLY:
            self._reply_line(line, out)
        else:
            self._violate("reply without a command", line, out)

    def _env_line(self, line: str, out: list[AgiMessage]) -> None:
        if not line.strip():
            self._transition(AgiInput.ENV_END)
            self.environment = AgiEnvironment.from_lines(self._block)
            self._block = []
            out.append(self.environment)
        elif ":" not in line or len(self._block) >= self.max_env_lines:
            self._violate("not an agi_ environment line", line, out)
        else:
            self._transition(AgiInput.ENV_LINE)
            self._block.append(line)

    def _reply_line(self, line: str, out: list[AgiMessage]) -> None:
        if line.startswith("520-"):
            self._transition(AgiInput.USAGE_START)
            self._block = [line]
            return
        try:
            result = parse_result(line)
        except AgiRemoteProtocolError:
            self._violate("not an AGI reply", line, out)
            return
        self._transition(AgiInput.REPLY)
        out.append(result)

    def _usage_line(self, line: str, out: list[AgiMessage]) -> None:
        self._block.append(line)
        if line.startswith("520 "):
            self._transition(AgiInput.USAGE_END)
            text, self._block = "\n".join(self._block), []
            out.append(parse_result(text))
        elif len(self._block) > self.max_env_lines:
            self._violate("520 usage text too long", line, out)
        else:
            self._transition(AgiInput.USAGE_LINE)
