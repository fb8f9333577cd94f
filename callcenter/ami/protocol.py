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
LF, so a message ends at ``\n\r?\n``. Each read is checked once for bare LF (two
``count`` calls); where there is none a terminator can only be ``\r\n\r\n``, found with
``bytes.find``, and only the regex handles the rest. The buffer is searched only from
where the last search stopped (minus the length of a terminator), never from the start
again, so a large message arriving in many small reads costs linear time.

Laziness. An ``Event:`` frame becomes an ``Event`` carrying its name (the rest of the
first line) and its raw bytes; its headers are decoded (UTF-8, ``errors="replace"``)
and split the first time someone reads them. A message is decoded only *after* it is
framed whole, so a multi-byte character split across two reads is kept intact
(panoramisk drops it).

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
    ProtocolViolation,
    Response,
    split_headers,
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

_END = b"\r\n\r\n"
_TERMINATOR = re.compile(rb"\n\r?\n")  # where bare LF was received
_HEADER_LIKE = re.compile(rb"^[A-Za-z][\w-]*: ")
_EVENT = b"Event: "
_CR = 13
_BLANK = (13, 10)  # CR, LF: stray blank lines between messages
# Bytes of a terminator that may sit before the end of the buffer: kept, and
# searched again when more arrives.
_KEEP = len(_END) - 1
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
        buf = self._buffer
        if data.count(b"\n") != data.count(b"\r\n"):
            self._dirty_until = len(buf) + len(data)
        buf += data
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
        if self._skipping and not self._skip_oversized(buf):
            return
        start = _after_blank_lines(buf, 0)
        if self._find(buf, max(start, self._scan_from))[0] >= 0:
            start = self._frames(bytes(buf), start, out)
        if len(buf) - start > self.max_message_size + _KEEP:
            out.append(_too_large(buf, start))
            self._skipping = True
            self._discard(len(buf) - _KEEP)
            self._scan_from = 0
            return
        self._discard(start)
        self._scan_from = max(0, len(buf) - _KEEP)

    def _frames(self, data: bytes, start: int, out: list[AmiMessage]) -> int:
        """Turn every complete frame of ``data`` from ``start`` into messages.

        The hot path: a CRLF region is framed with ``bytes.find``, and an ``Event:``
        frame becomes a lazy ``Event`` from one more ``find`` (the end of its first
        line). Returns the offset of the first byte not consumed.
        """
        limit, dirty, size = self.max_message_size, self._dirty_until, len(data)
        find = data.find
        while True:
            if start >= dirty:
                end = find(_END, start)
                after = end + 4
            else:
                end, after = self._find(data, start)
            if end < 0:
                return start
            if end - start > limit:
                out.append(_too_large(data, start))
            elif data.startswith(_EVENT, start):
                line = find(b"\n", start, end)
                if line < 0:
                    line = end
                elif data[line - 1] == _CR:
                    line -= 1
                name = data[start + 7 : line].decode("utf-8", "replace")
                event = Event.from_frame(name, data[start:end])
                if self._lists:
                    self._dispatch(event, out)
                else:
                    out.append(event)
            else:
                self._dispatch(_classify(data[start:end]), out)
            start = after
            while start < size and data[start] in _BLANK:
                start += 1

    def _find(self, buf: bytes | bytearray, pos: int) -> tuple[int, int]:
        """Return (end of the message, offset after its terminator) or (-1, -1).

        Where no bare LF was received a terminator is exactly CRLF CRLF; elsewhere
        the regex also finds LF LF and LF CRLF.
        """
        if pos >= self._dirty_until:
            end = buf.find(_END, pos)
            return (end, end + 4) if end >= 0 else (-1, -1)
        match = _TERMINATOR.search(buf, pos)
        if match is None:
            return -1, -1
        end = match.start()
        return (end - 1 if buf[end - 1] == _CR else end), match.end()

    def _skip_oversized(self, buf: bytearray) -> bool:
        """Drop the rest of an oversized message; return whether its end was seen."""
        match = _TERMINATOR.search(buf, self._scan_from)
        self._scan_from = 0
        if match is None:
            self._discard(max(0, len(buf) - _KEEP))
            return False
        self._skipping = False
        self._discard(match.end())
        return True

    def _discard(self, count: int) -> None:
        del self._buffer[:count]
        self._dirty_until = max(0, self._dirty_until - count)

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


def _too_large(buf: bytes | bytearray, start: int) -> ProtocolViolation:
    excerpt = bytes(buf[start : start + _EXCERPT]).decode("utf-8", "replace")
    return ProtocolViolation(reason="message exceeds max_message_size", excerpt=excerpt)


def _after_blank_lines(buf: bytes | bytearray, start: int) -> int:
    size = len(buf)
    while start < size and buf[start] in _BLANK:
        start += 1
    return start


def _classify(raw: bytes) -> Response | Event | ProtocolViolation:
    """Turn a frame that does not start with ``Event: `` into a message.

    The first header tells what it is, in any letter case; its headers are split
    here already, since they are needed to tell.
    """
    text = raw.decode("utf-8", "replace")
    headers = split_headers(text)
    key, value = headers[0]
    if key.lower() == "event":
        return Event(name=value, headers=headers)
    if key.lower() == "response":
        return Response(status=value, headers=headers)
    return ProtocolViolation(
        reason="message is neither a Response nor an Event", excerpt=text[:_EXCERPT]
    )
