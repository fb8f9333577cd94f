r"""Sans-IO AMI connection: bytes in, messages out; actions in, bytes out.

Theory of operation
-------------------
``AmiConnection`` holds no socket, task, clock or logger. The adapter feeds it every
chunk it reads (``receive_data``), writes whatever ``send`` returns, and feeds ``b""``
once the peer closed. The same object therefore works under asyncio, threads or a
test that replays a transcript.

Framing. Asterisk opens with one banner line (``Asterisk Call Manager/11.0.0``) that is
*not* followed by a blank line. After it every message is a block of ``Key: Value``
lines ended by an empty line. Lines end in CRLF, but some builds and proxies send bare
LF, so a message ends at ``\n\r?\n``. The buffer is searched only from where the last
search stopped (minus the length of a terminator), never from the start again, so a
large message arriving in many small reads costs linear time. Bytes are decoded to text
(UTF-8, ``errors="replace"``) only *after* a whole message is framed: a multi-byte
character split across two reads is kept intact (panoramisk drops it).

Bounds. A message larger than ``max_message_size`` is reported as one
``ProtocolViolation`` and skipped up to its terminator; while skipping only the last
few bytes are kept, so memory stays bounded whatever the peer sends. Garbage is never
an exception: the stream is Asterisk's, and one bad message must not end a CTI session.

Correlation. Every action sent with an ``ActionID`` is remembered. The ``Response``
carrying that id becomes an ``ActionResult``; when it says ``EventList: start`` the
result is held back and each following event carrying the same id is collected until
the ``...Complete`` event (``EventList: Complete``). Responses and events nobody waits
for pass through unchanged.

States (``_TRANSITIONS`` is the whole truth; anything else is our misuse)::

    AWAIT_BANNER --banner--> READY --eof--> CLOSED
         |                                   ^
         +--------------eof------------------+
    any illegal (state, input) -> ERROR, raising LocalProtocolError
"""

import re
from dataclasses import dataclass, field
from enum import Enum, auto

from callcenter.ami.errors import LocalProtocolError
from callcenter.ami.messages import (
    Action,
    ActionResult,
    AmiMessage,
    Banner,
    ConnectionClosed,
    Event,
    Headers,
    ProtocolViolation,
    Response,
)

DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024


class State(Enum):
    """Where the conversation is."""

    AWAIT_BANNER = auto()
    READY = auto()
    CLOSED = auto()
    ERROR = auto()


class Input(Enum):
    """What happened to the connection."""

    DATA = auto()
    BANNER = auto()
    SEND = auto()
    EOF = auto()


_TRANSITIONS: dict[tuple[State, Input], State] = {
    (State.AWAIT_BANNER, Input.DATA): State.AWAIT_BANNER,
    (
        State.AWAIT_BANNER,
        Input.SEND,
    ): State.AWAIT_BANNER,  # Login may precede the banner
    (State.AWAIT_BANNER, Input.BANNER): State.READY,
    (State.AWAIT_BANNER, Input.EOF): State.CLOSED,
    (State.READY, Input.DATA): State.READY,
    (State.READY, Input.SEND): State.READY,
    (State.READY, Input.EOF): State.CLOSED,
}

_TERMINATOR = re.compile(rb"\n\r?\n")
_HEADER_LIKE = re.compile(rb"^[A-Za-z][\w-]*: ")
_CR, _LF = 13, 10
# Bytes of a terminator that may sit after a message's last character.
_TERMINATOR_SLACK = 3
_EXCERPT = 120


@dataclass(slots=True)
class _PendingList:
    response: Response
    items: list[Event] = field(default_factory=list)


class AmiConnection:
    """One AMI conversation, without I/O. See the module docstring."""

    def __init__(self, *, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> None:
        """Create a connection waiting for Asterisk's banner.

        Args:
            max_message_size: largest message accepted, in bytes; larger ones are
                reported as ``ProtocolViolation`` and skipped.
        """
        self.state = State.AWAIT_BANNER
        self.max_message_size = max_message_size
        self.banner: Banner | None = None
        self._buffer = bytearray()
        self._scan_from = 0  # no terminator starts before this offset
        self._dirty_until = 0  # bytes before this offset may hold bare-LF lines
        self._skipping = False
        self._pending: dict[str, str] = {}  # ActionID -> action name
        self._lists: dict[str, _PendingList] = {}

    @property
    def buffered_bytes(self) -> int:
        """Return how many received bytes wait for the rest of their message."""
        return len(self._buffer)

    @property
    def pending_action_ids(self) -> tuple[str, ...]:
        """Return the ids of actions still waiting for (the end of) their answer."""
        return (*self._pending, *self._lists)

    def _transition(self, event: Input) -> None:
        try:
            self.state = _TRANSITIONS[self.state, event]
        except KeyError:
            old, self.state = self.state, State.ERROR
            msg = f"cannot handle {event.name} in state {old.name}"
            raise LocalProtocolError(msg) from None

    def send(self, action: Action) -> bytes:
        """Return the bytes for ``action`` and remember its ``ActionID`` to correlate.

        Raises:
            LocalProtocolError: after close, or when a name or value holds a line break
                (that would inject a header), or the ``ActionID`` is already pending.
        """
        self._transition(Input.SEND)
        lines = [_line("Action", action.name)]
        action_id = action.action_id
        if action_id is not None:
            if action_id in self._pending or action_id in self._lists:
                raise LocalProtocolError(f"ActionID {action_id!r} is already pending")
            lines.append(_line("ActionID", action_id))
        for key, value in action.headers:
            if key.lower() in {"action", "actionid"}:
                raise LocalProtocolError(
                    f"pass {key} as a field of Action, not a header"
                )
            lines.append(_line(key, value))
        lines.append("\r\n")
        if action_id is not None:
            self._pending[action_id] = action.name
        return "".join(lines).encode("utf-8")

    def forget(self, action_id: str) -> None:
        """Stop waiting for ``action_id`` (timed out); a late answer passes through."""
        self._pending.pop(action_id, None)
        self._lists.pop(action_id, None)

    def receive_data(self, data: bytes) -> list[AmiMessage]:
        """Feed received bytes; ``b""`` means the peer closed. Return complete messages.

        Raises:
            LocalProtocolError: when fed after EOF.
        """
        if not data:
            return self._eof()
        self._transition(Input.DATA)
        self._buffer += data
        if data.count(b"\n") != data.count(b"\r\n"):
            self._dirty_until = len(self._buffer)
        out: list[AmiMessage] = []
        if self.state is State.AWAIT_BANNER and not self._read_banner(out):
            return out
        self._read_messages(out)
        return out

    def _eof(self) -> list[AmiMessage]:
        self._transition(Input.EOF)
        partial = 0 if self._skipping else len(self._buffer.strip(b"\r\n"))
        closed = ConnectionClosed(
            unanswered=self.pending_action_ids, partial_bytes=partial
        )
        self._buffer.clear()
        self._pending.clear()
        self._lists.clear()
        return [closed]

    def _read_banner(self, out: list[AmiMessage]) -> bool:
        buf = self._buffer
        end = buf.find(b"\n", self._scan_from)
        if end < 0:
            self._scan_from = len(buf)
            if len(buf) > self.max_message_size:
                out.append(ProtocolViolation(reason="banner line too long"))
                self._skipping = True
                self._enter_ready(Banner(text=""), out, consumed=0)
                return True
            return False
        if _HEADER_LIKE.match(buf):
            # No banner at all (a proxy, or a restarted stream): parse it as a message.
            self._enter_ready(Banner(text=""), out, consumed=0)
            return True
        text = bytes(buf[:end]).rstrip(b"\r").decode("utf-8", "replace")
        self._enter_ready(Banner(text=text), out, consumed=end + 1)
        return True

    def _enter_ready(
        self, banner: Banner, out: list[AmiMessage], *, consumed: int
    ) -> None:
        del self._buffer[:consumed]
        self._scan_from = 0
        self._transition(Input.BANNER)
        self.banner = banner
        out.append(banner)

    def _read_messages(self, out: list[AmiMessage]) -> None:
        buf = self._buffer
        search = _TERMINATOR.search
        start = 0
        pos = self._scan_from
        limit = self.max_message_size
        while True:
            if self._skipping:
                match = search(buf, pos)
                if match is None:
                    keep = max(start, len(buf) - _TERMINATOR_SLACK + 1)
                    del buf[:keep]
                    self._scan_from = 0
                    self._dirty_until = len(buf)
                    return
                self._skipping = False
                start = pos = match.end()
            while start < len(buf) and buf[start] in (_CR, _LF):
                start += 1
            pos = max(pos, start)
            match = search(buf, pos)
            if match is None:
                break
            end = match.start()
            pos = match.end()
            if buf[end - 1] == _CR:
                end -= 1
            if end - start > limit:
                out.append(_too_large(buf, start))
            else:
                text = buf[start:end].decode("utf-8", "replace")
                self._dispatch(_parse(text, crlf=start >= self._dirty_until), out)
            start = pos
        if len(buf) - start > limit + _TERMINATOR_SLACK:
            out.append(_too_large(buf, start))
            self._skipping = True
            keep = len(buf) - _TERMINATOR_SLACK + 1
            del buf[:keep]
            self._scan_from = 0
            self._dirty_until = len(buf)
            return
        del buf[:start]
        self._dirty_until = max(0, self._dirty_until - start)
        self._scan_from = max(0, len(buf) - _TERMINATOR_SLACK + 1)

    def _dispatch(
        self, message: Response | Event | ProtocolViolation, out: list[AmiMessage]
    ) -> None:
        if type(message) is Event:
            if self._lists and (action_id := message.action_id) in self._lists:
                self._collect(action_id, message, out)
                return
        elif type(message) is Response and self._pending:
            action_id = message.action_id
            if action_id is not None and action_id in self._pending:
                del self._pending[action_id]
                if (message.get("EventList") or "").lower() == "start":
                    self._lists[action_id] = _PendingList(response=message)
                else:
                    out.append(ActionResult(action_id=action_id, response=message))
                return
        out.append(message)

    def _collect(self, action_id: str, event: Event, out: list[AmiMessage]) -> None:
        pending = self._lists[action_id]
        if (event.get("EventList") or "").lower() != "complete":
            pending.items.append(event)
            return
        del self._lists[action_id]
        out.append(
            ActionResult(
                action_id=action_id,
                response=pending.response,
                events=tuple(pending.items),
                complete=event,
            )
        )


def _line(key: str, value: str) -> str:
    if "\n" in key or "\r" in key or ":" in key or not key:
        raise LocalProtocolError(f"invalid AMI header name {key!r}")
    if "\n" in value or "\r" in value:
        raise LocalProtocolError(f"line break in the value of {key!r}")
    return f"{key}: {value}\r\n"


def _too_large(buf: bytearray, start: int) -> ProtocolViolation:
    excerpt = bytes(buf[start : start + _EXCERPT]).decode("utf-8", "replace")
    return ProtocolViolation(reason="message exceeds max_message_size", excerpt=excerpt)


def _parse(text: str, *, crlf: bool) -> Response | Event | ProtocolViolation:
    """Turn one framed message (decoded, without its terminator) into a message.

    ``crlf`` promises every line ends in CRLF (checked per read by the caller), which
    allows the fast path: one split, one partition per line.
    """
    if crlf:
        parts = [line.partition(": ") for line in text.split("\r\n")]
        pairs = [(key, value) for key, sep, value in parts if sep]
        if len(pairs) != len(parts):
            pairs = _parse_lines(text.replace("\r\n", "\n"))
    else:
        pairs = _parse_lines(text.replace("\r\n", "\n"))
    headers: Headers = tuple(pairs)
    key, value = headers[0]
    if key == "Event" or key.lower() == "event":
        return Event(name=value, headers=headers)
    if key == "Response" or key.lower() == "response":
        return Response(status=value, headers=headers)
    return ProtocolViolation(
        reason="message is neither a Response nor an Event", excerpt=text[:_EXCERPT]
    )


def _parse_lines(text: str) -> list[tuple[str, str]]:
    """Slow path for messages with lines that are not ``Key: Value``.

    A line without a colon (the body of an old ``Response: Follows``) is kept with an
    empty key, so nothing Asterisk sent is lost.
    """
    pairs: list[tuple[str, str]] = []
    for line in text.split("\n"):
        key, colon, value = line.partition(":")
        if not colon:
            pairs.append(("", line))
        else:
            pairs.append((key, value.removeprefix(" ")))
    return pairs
