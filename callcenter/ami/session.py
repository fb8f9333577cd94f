"""The socket side of one AMI connection, and small pieces the client is built from.

``AmiSession`` is an ``asyncio.Protocol``: it is the fastest way asyncio offers to get
bytes to the sans-IO core (no StreamReader copy, no extra task per read), which matters
at tens of thousands of events per second.
"""

import asyncio
import random
import socket
from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

from callcenter.ami.errors import ConnectionLost, NotConnected
from callcenter.ami.messages import Action, ActionResult, AmiMessage, Banner
from callcenter.ami.protocol import AmiConnection, State


class ConnectionState(StrEnum):
    """What the client's connection is doing, as published to ``on_state``."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    CLOSED = "closed"


class SupportsSecret(Protocol):
    """Anything like pydantic's ``SecretStr``."""

    def get_secret_value(self) -> str:
        """Return the secret in clear text."""
        ...


class Secret:
    """Holds the AMI secret so that no repr, f-string or log line can show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str | SupportsSecret) -> None:
        self._value = value if isinstance(value, str) else value.get_secret_value()

    def reveal(self) -> str:
        """Return the secret in clear text, for the Login action only."""
        return self._value

    def __repr__(self) -> str:
        return "'**********'"

    __str__ = __repr__


def backoff_delay(
    attempt: int, *, initial: float, maximum: float, rng: random.Random
) -> float:
    """Return the wait before reconnect ``attempt`` (0-based), with "equal jitter".

    Half the exponential delay is fixed and half random, so a restarted Asterisk is
    not hit by every client at the same instant, yet no client retries at once.
    """
    delay: float = min(maximum, initial * (2 ** min(attempt, 30)))
    return delay / 2 + rng.random() * delay / 2


class AmiSession(asyncio.Protocol):
    """One TCP connection: feeds bytes to the core and hands messages to the client."""

    def __init__(self, handle: "Handle", *, max_message_size: int) -> None:
        self.handle = handle
        self.conn = AmiConnection(max_message_size=max_message_size)
        loop = asyncio.get_running_loop()
        self.banner: asyncio.Future[Banner] = loop.create_future()
        self.lost: asyncio.Future[None] = loop.create_future()
        self.futures: dict[str, asyncio.Future[ActionResult]] = {}
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Set TCP_NODELAY: actions are small and latency-bound."""
        assert isinstance(transport, asyncio.Transport)  # noqa: S101 - TCP only
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        """Hand the bytes to the core and its messages to the client."""
        self.handle(self, self.conn.receive_data(data))

    def eof_received(self) -> bool:
        """Close our side too (return False)."""
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: ARG002
        """Report EOF to the core and fail everything still waiting."""
        if self.conn.state not in {State.CLOSED, State.ERROR}:
            self.handle(self, self.conn.receive_data(b""))
        for future in self.futures.values():
            if not future.done():
                future.set_exception(ConnectionLost("AMI connection lost"))
        self.futures.clear()
        if not self.banner.done():
            self.banner.set_exception(ConnectionLost("closed before the banner"))
        if not self.lost.done():
            self.lost.set_result(None)

    def write(self, action: Action) -> asyncio.Future[ActionResult]:
        """Send ``action`` (which has an ActionID); return its answer's future."""
        if self.transport is None or self.transport.is_closing():
            raise NotConnected("AMI connection is closing")
        future: asyncio.Future[ActionResult] = (
            asyncio.get_running_loop().create_future()
        )
        data = self.conn.send(action)
        assert action.action_id is not None  # noqa: S101 - the client always sets one
        self.futures[action.action_id] = future
        self.transport.write(data)
        return future


Handle = Callable[[AmiSession, list[AmiMessage]], None]
