"""AMI wire messages: what Asterisk sends and what we send, as frozen values.

Headers are kept verbatim and in order as ``tuple[tuple[str, str], ...]`` because AMI
repeats keys (``ChanVariable``, ``Output``, ``Variable``) and some consumers care about
order. Lookups are case-insensitive because Asterisk itself is (``ActionID`` and
``ActionId`` both occur in the wild). Events stay one generic class keyed by ``name``:
unknown events must pass through untouched, and the PBX adapter dispatches on the name.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Self

Headers = tuple[tuple[str, str], ...]

# Header values that must never appear in a repr or a log line.
_SECRET_KEYS = frozenset({"secret", "key"})


def _get(headers: Headers, key: str, default: str | None) -> str | None:
    for k, v in headers:  # exact spelling first: the common, cheap case
        if k == key:
            return v
    lowered = key.lower()
    for k, v in headers:
        if k.lower() == lowered:
            return v
    return default


def split_headers(text: str) -> Headers:
    """Split one decoded frame (without its terminator) into headers.

    A frame with only CRLF line ends takes the fast path: one split, one partition
    per line. Otherwise (bare LF, or a line that is not ``Key: Value``) every line
    is read on its own; a line without a colon (the body of an old ``Response:
    Follows``) is kept under the empty key, so nothing Asterisk sent is lost.
    """
    if text.count("\n") == text.count("\r\n"):
        parts = [line.partition(": ") for line in text.split("\r\n")]
        pairs = [(key, value) for key, sep, value in parts if sep]
        if len(pairs) == len(parts):
            return tuple(pairs)
    slow: list[tuple[str, str]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        key, colon, value = line.partition(":")
        slow.append((key, value.removeprefix(" ")) if colon else ("", line))
    return tuple(slow)


def _get_all(headers: Headers, key: str) -> tuple[str, ...]:
    lowered = key.lower()
    return tuple(v for k, v in headers if k.lower() == lowered)


class _HeaderAccess:
    """Case-insensitive read access shared by every header-carrying message."""

    __slots__ = ()
    if TYPE_CHECKING:

        @property
        def headers(self) -> Headers:
            """Every header, verbatim and in order."""

    def get(self, key: str, default: str | None = None) -> str | None:
        """Return the first value of ``key`` (case-insensitive), or ``default``."""
        return _get(self.headers, key, default)

    def get_all(self, key: str) -> tuple[str, ...]:
        """Return every value of a repeated header (``ChanVariable``), in order."""
        return _get_all(self.headers, key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and _get(self.headers, key, None) is not None

    def as_dict(self) -> dict[str, str]:
        """Return the headers as a dict; for a repeated key the first value wins."""
        result: dict[str, str] = {}
        for k, v in self.headers:
            result.setdefault(k, v)
        return result

    @property
    def action_id(self) -> str | None:
        """Return the ``ActionID`` echoed by Asterisk, if any."""
        return _get(self.headers, "ActionID", None)

    def variables(self, key: str = "ChanVariable") -> dict[str, str]:
        """Return the ``NAME=value`` pairs of a repeated header as a dict.

        Asterisk writes channel variables as ``ChanVariable: NAME=value`` (older
        versions as ``ChanVariable(NAME): value``); both spellings are understood.
        """
        result: dict[str, str] = {}
        prefix = key.lower() + "("
        for k, v in self.headers:
            lowered = k.lower()
            if lowered == key.lower():
                name, _, value = v.partition("=")
                result[name] = value
            elif lowered.startswith(prefix) and k.endswith(")"):
                result[k[len(prefix) : -1]] = v
        return result


@dataclass(frozen=True, slots=True, kw_only=True)
class Banner:
    """The greeting line, e.g. ``Asterisk Call Manager/11.0.0``."""

    text: str

    @property
    def version(self) -> str:
        """Return the AMI protocol version after the slash (``11.0.0``), or ``""``."""
        return self.text.rpartition("/")[2].strip() if "/" in self.text else ""


class _Frame(_HeaderAccess):
    """A received message whose headers are split only when first read.

    The parser stores the frame's bytes (without its terminator) and the first
    header's value; most events are routed by name and never read further, and
    building ~30 ``(key, value)`` tuples per event was most of the cost of the
    whole client. Not a frozen dataclass: its ``object.__setattr__`` per field
    would double the cost of building one again; public fields are read-only
    properties instead. Equality, hash and repr are those of the parsed headers, so
    a frame read with bare LF equals the same frame read with CRLF.
    """

    __slots__ = ("_headers", "_raw")
    _headers: Headers | None
    _raw: bytes

    @property
    def headers(self) -> Headers:
        """Return every header verbatim and in order, split on first use."""
        headers = self._headers
        if headers is None:
            text = self._raw.decode("utf-8", "replace")
            headers = self._headers = split_headers(text)
        return headers

    def _key(self) -> tuple[str, Headers]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Frame) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


class Response(_Frame):
    """A ``Response:`` message; ``status`` is ``Success``, ``Error``, ``Goodbye``..."""

    __slots__ = ("_status",)
    __match_args__ = ("status", "headers")

    def __init__(self, *, status: str, headers: Headers) -> None:
        """Build a response from already split headers (tests, fakes)."""
        self._status = status
        self._headers = headers
        self._raw = b""

    @classmethod
    def from_frame(cls, status: str, raw: bytes) -> Self:
        """Wrap a framed message whose headers are split on first use."""
        response = cls.__new__(cls)
        response._status = status  # noqa: SLF001 - own class
        response._headers = None  # noqa: SLF001
        response._raw = raw  # noqa: SLF001
        return response

    @property
    def status(self) -> str:
        """Return the value of the ``Response`` header."""
        return self._status

    def _key(self) -> tuple[str, Headers]:
        return self._status, self.headers

    def __repr__(self) -> str:
        return f"Response(status={self._status!r}, headers={self.headers!r})"

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return partial(Response, status=self._status, headers=self.headers), ()

    @property
    def ok(self) -> bool:
        """Return whether Asterisk reported success (``Success``, ``Goodbye``...)."""
        return self.status.lower() in {"success", "follows", "goodbye", "pong"}

    @property
    def message(self) -> str:
        """Return the human-readable ``Message`` header, or ``""``."""
        return _get(self.headers, "Message", "") or ""

    @property
    def output(self) -> tuple[str, ...]:
        """Return the lines of a ``Command`` action's output.

        Asterisk 14+ sends one ``Output:`` header per line; older ones sent a
        ``Response: Follows`` block of bare lines, kept under the empty key.
        """
        return tuple(
            v
            for k, v in self.headers
            if (not k and v != "--END COMMAND--") or k.lower() == "output"
        )


class Event(_Frame):
    """An ``Event:`` message. Unknown event names are normal and never an error."""

    __slots__ = ("_name",)
    __match_args__ = ("name", "headers")

    def __init__(self, *, name: str, headers: Headers) -> None:
        """Build an event from already split headers (tests, fakes, snapshots)."""
        self._name = name
        self._headers = headers
        self._raw = b""

    @property
    def name(self) -> str:
        """Return the value of the ``Event`` header (``Newchannel``, ``Hangup``...)."""
        return self._name

    @classmethod
    def from_frame(cls, name: str, raw: bytes) -> Self:
        """Wrap a framed message whose headers are split on first use."""
        event = cls.__new__(cls)
        event._name = name  # noqa: SLF001 - own class
        event._headers = None  # noqa: SLF001
        event._raw = raw  # noqa: SLF001
        return event

    def _key(self) -> tuple[str, Headers]:
        return self._name, self.headers

    def __repr__(self) -> str:
        return f"Event(name={self._name!r}, headers={self.headers!r})"

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return partial(Event, name=self._name, headers=self.headers), ()

    @property
    def uniqueid(self) -> str | None:
        """Return the ``Uniqueid`` of the channel this event is about, if any."""
        return _get(self.headers, "Uniqueid", None)

    @property
    def linkedid(self) -> str | None:
        """Return the ``Linkedid``: the id of the call the channel belongs to."""
        return _get(self.headers, "Linkedid", None)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionResult:
    """Everything Asterisk answered to one action we sent, matched by ``ActionID``.

    For list actions (``EventList: start``) ``events`` holds the item events and
    ``complete`` the closing ``...Complete`` event; otherwise both are empty.
    """

    action_id: str
    response: Response
    events: tuple[Event, ...] = ()
    complete: Event | None = None

    @property
    def ok(self) -> bool:
        """Return whether the response reported success."""
        return self.response.ok

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProtocolViolation:
    """Asterisk (or whatever is on the socket) sent something we had to skip.

    The connection goes on; the adapter decides whether to log it or reconnect.
    """

    reason: str
    excerpt: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionClosed:
    """End of stream; ``unanswered`` names actions that never got a full answer."""

    unanswered: tuple[str, ...] = ()
    partial_bytes: int = 0


AmiMessage = (
    Banner | Response | Event | ActionResult | ProtocolViolation | ConnectionClosed
)

FieldValue = str | int | Sequence[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Action(_HeaderAccess):
    """An action to send.

    With ``action_id`` None no ``ActionID`` is sent and nothing can be correlated;
    ``AmiClient`` always fills one in.
    """

    name: str
    headers: Headers = ()
    action_id: str | None = None
    # Only for repr: values of these keys are masked.
    _masked: frozenset[str] = field(default=_SECRET_KEYS, repr=False, compare=False)

    @classmethod
    def create(
        cls,
        name: str,
        fields: Mapping[str, FieldValue] | None = None,
        /,
        *,
        action_id: str | None = None,
        **kwargs: FieldValue,
    ) -> Self:
        """Build an action from keyword fields; a sequence value repeats the header.

        ``Action.create("Originate", Channel="PJSIP/1001", Variable=["A=1", "B=2"])``.
        """
        merged: dict[str, FieldValue] = {**(fields or {}), **kwargs}
        return cls(
            name=name, headers=tuple(_flatten(merged.items())), action_id=action_id
        )

    def with_action_id(self, action_id: str) -> Self:
        """Return a copy carrying ``action_id``."""
        return type(self)(name=self.name, headers=self.headers, action_id=action_id)

    def __repr__(self) -> str:
        shown = tuple(
            (k, "***" if k.lower() in self._masked else v) for k, v in self.headers
        )
        return (
            f"Action(name={self.name!r}, headers={shown!r}, "
            f"action_id={self.action_id!r})"
        )


def _flatten(items: Iterable[tuple[str, FieldValue]]) -> Iterator[tuple[str, str]]:
    for key, value in items:
        if isinstance(value, str | int):
            yield key, str(value)
        else:
            for item in value:
                yield key, str(item)
