"""How the console reaches the CTI server: the ``ConsoleBackend`` port.

The app never awaits the network in a handler: ``send`` only queues a request (and
refuses it at once while the link is down, so nothing is silently lost), and one
worker iterates ``events()``, which yields link changes, server events and replies.

* ``MqttBackend`` talks to the server over MQTT with the agent's own credentials:
  it reads ``agents/{id}/events`` and ``agents/{id}/replies`` and publishes to
  ``agents/{id}/commands`` (``docs/BUS.md``); it reconnects by itself.
* ``InProcessBackend`` calls a command handler directly (tests, demos); its link
  can be cut and restored to rehearse an outage.
"""

import asyncio
import contextlib
import itertools
import json
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

import aiomqtt
from aiomqtt.exceptions import MqttConnectError

from callcenter.mqtt import topics

logger = logging.getLogger(__name__)

_REFUSED_LOGIN: Final = frozenset({4, 5, 134, 135})
"""CONNACK codes of a refused login: MQTT 3.1.1 4/5 and MQTT 5 0x86/0x87 (bad user
name or password, not authorised); paho reports the 3.1.1 ones as the MQTT 5 ones."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkUp:
    """The link to the server is (again) up: time to resync."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkDown:
    """The link is lost; ``reason`` is for the banner."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerEvent:
    """A domain event for this agent, as its JSON payload."""

    payload: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """The server's answer to one request."""

    request_id: str
    command: str
    body: dict[str, Any]


BackendItem = LinkUp | LinkDown | ServerEvent | Reply


class NotConnectedError(Exception):
    """A command was refused because the link to the server is down."""


class ConsoleBackend(Protocol):
    """The console's one door to the CTI server."""

    agent_id: str

    @property
    def connected(self) -> bool:
        """Return whether commands can be sent now."""
        ...

    def send(self, command: str, args: dict[str, Any] | None = None) -> str:
        """Queue one command; return its request id.

        Raises:
            NotConnectedError: the link is down; the command is not kept.
        """
        ...

    def events(self) -> AsyncIterator[BackendItem]:
        """Yield link changes, server events and replies until ``close``."""
        ...

    async def close(self) -> None:
        """Disconnect and end ``events()``."""
        ...


_ids = itertools.count(1)


def new_request_id() -> str:
    """Return a request id unique within this process."""
    return f"r{next(_ids)}"


Handler = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
Attach = Callable[[Callable[[bytes], None]], Callable[[], None]]


class InProcessBackend:
    """Calls the server's command handler directly; events are pushed in."""

    def __init__(self, agent_id: str, handler: Handler, attach: Attach) -> None:
        """Serve ``agent_id`` with ``handler``; ``attach(sink)`` feeds its events."""
        self.agent_id = agent_id
        self._handler = handler
        self._attach = attach
        self._queue: asyncio.Queue[BackendItem | None] = asyncio.Queue()
        self._detach: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.set_link(up=True)

    @property
    def connected(self) -> bool:
        """Return whether the simulated link is up."""
        return self._detach is not None

    def set_link(self, *, up: bool) -> None:
        """Cut or restore the link (events are missed while it is cut)."""
        if up and self._detach is None:
            self._detach = self._attach(self._deliver)
            self._queue.put_nowait(LinkUp())
        elif not up and self._detach is not None:
            self._detach()
            self._detach = None
            self._queue.put_nowait(LinkDown(reason="link cut"))

    def _deliver(self, payload: bytes) -> None:
        self._queue.put_nowait(ServerEvent(payload=json.loads(payload)))

    def send(self, command: str, args: dict[str, Any] | None = None) -> str:
        """Call the handler in a task; the reply comes through ``events()``."""
        if not self.connected:
            raise NotConnectedError(command)
        request_id = new_request_id()
        body = {
            "v": 1,
            "command": command,
            "request_id": request_id,
            "args": args or {},
        }
        task = asyncio.create_task(self._serve(request_id, command, body))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return request_id

    async def _serve(self, request_id: str, command: str, body: dict[str, Any]) -> None:
        result = await self._handler(self.agent_id, body)
        if self.connected:  # a reply on a cut link is lost, as over MQTT
            answer = {"ok": True, **result, "request_id": request_id}
            self._queue.put_nowait(
                Reply(request_id=request_id, command=command, body=answer)
            )

    async def events(self) -> AsyncIterator[BackendItem]:
        """Yield what arrives until ``close``."""
        while (item := await self._queue.get()) is not None:
            yield item

    async def close(self) -> None:
        """End ``events()``."""
        if self._detach is not None:
            self._detach()
            self._detach = None
        self._queue.put_nowait(None)


@dataclass(frozen=True, slots=True, kw_only=True)
class MqttAddress:
    """Where the broker is and who we are on it."""

    host: str = "127.0.0.1"
    port: int = 1883
    site: str = "default"
    username: str | None = None
    password: str | None = None
    tls: bool = False
    keepalive: int = 15


class MqttBackend:
    """The console's link over MQTT, reconnecting with backoff."""

    def __init__(
        self,
        agent_id: str,
        address: MqttAddress,
        *,
        retry: tuple[float, float] = (0.5, 10.0),
    ) -> None:
        """Act as ``agent_id`` on the broker at ``address``."""
        self.agent_id = agent_id
        self._address = address
        self._retry = retry
        self._queue: asyncio.Queue[BackendItem | None] = asyncio.Queue()
        self._outgoing: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        self._client: aiomqtt.Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._replies = topics.agent_replies(address.site, agent_id)
        self._events = topics.agent_events(address.site, agent_id)
        self._commands = topics.agent_commands(address.site, agent_id)
        self._queue_stats = topics.all_queue_stats(address.site)

    @property
    def connected(self) -> bool:
        """Return whether the broker session is up."""
        return self._client is not None

    def send(self, command: str, args: dict[str, Any] | None = None) -> str:
        """Queue a command for publishing on the agent's command topic."""
        if self._client is None:
            raise NotConnectedError(command)
        request_id = new_request_id()
        body = {
            "v": 1,
            "command": command,
            "request_id": request_id,
            "args": args or {},
        }
        self._outgoing.put_nowait((request_id, json.dumps(body).encode()))
        return request_id

    async def events(self) -> AsyncIterator[BackendItem]:
        """Start the link on first use and yield what arrives."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="console-mqtt")
        while (item := await self._queue.get()) is not None:
            yield item

    async def close(self) -> None:
        """Disconnect and end ``events()``."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._queue.put_nowait(None)

    async def _run(self) -> None:
        delay, logged = self._retry[0], ""
        while True:
            reason = await self._session()
            if reason != logged:  # once per cause, not once per retry
                logger.warning("link to the CTI server down: %s", reason)
                logged = reason
            self._queue.put_nowait(LinkDown(reason=reason))
            await asyncio.sleep(delay)
            delay = min(self._retry[1], delay * 2)

    def _make_client(self) -> aiomqtt.Client:
        a = self._address
        return aiomqtt.Client(
            a.host, a.port, username=a.username, password=a.password,
            keepalive=a.keepalive,
            identifier=f"console-{self.agent_id}-{new_request_id()}",
            tls_params=aiomqtt.TLSParameters() if a.tls else None,
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        )  # fmt: skip

    async def _session(self) -> str:
        reason = "connection closed"
        try:
            async with self._make_client() as client:
                await client.subscribe(self._events, qos=0)
                await client.subscribe(self._replies, qos=1)
                await client.subscribe(self._queue_stats, qos=0)  # retained
                self._client = client
                self._drain_stale()
                self._queue.put_nowait(LinkUp())
                try:
                    async with asyncio.TaskGroup() as group:
                        group.create_task(self._pump_out(client))
                        await self._pump_in(client)
                finally:
                    self._client = None
        except* aiomqtt.MqttError as failures:
            reason = self._explain(failures.exceptions[0])
        return reason

    def _explain(self, error: BaseException) -> str:
        """Say why the session ended; a refused login names the MQTT user."""
        rc: object = getattr(error, "rc", None)
        code: object = getattr(rc, "value", rc)  # paho's ReasonCode or an int
        if isinstance(error, MqttConnectError) and code in _REFUSED_LOGIN:
            user = self._address.username or "(anonymous)"
            return f"the broker refused MQTT user {user!r}: wrong user name or password"
        return str(error) or "connection lost"

    def _drain_stale(self) -> None:
        while not self._outgoing.empty():
            self._outgoing.get_nowait()

    async def _pump_out(self, client: aiomqtt.Client) -> None:
        while True:
            _, payload = await self._outgoing.get()
            await client.publish(self._commands, payload, qos=1)

    async def _pump_in(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            try:
                body = json.loads(bytes(message.payload))  # type: ignore[arg-type,unused-ignore]
            except ValueError:
                continue
            if not isinstance(body, dict):
                continue
            if message.topic.matches(self._replies):
                rid = str(body.get("request_id", ""))
                self._queue.put_nowait(
                    Reply(request_id=rid, command=str(body.get("command")), body=body)
                )
            else:
                self._queue.put_nowait(ServerEvent(payload=body))
        raise aiomqtt.MqttError("message stream ended")
