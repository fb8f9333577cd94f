"""The bus over MQTT: export events to a broker, import events and agent commands.

Theory of operation
-------------------
*Export.* A synchronous bus listener sees every event in order, routes it with
``topics.routes_for`` (plus the agent handling the call, see ``CallAgents``),
encodes it once with the domain codec and appends the messages to a bounded outbox.
Retained messages (queue stats) are kept apart, latest per topic, so they never
crowd out events and a reconnect always restores the current figures. One task
drains the outbox while connected; while the broker is away the outbox keeps at
most ``buffer_size`` messages and drops the oldest, counting them.

*Import.* Messages on ``import_filters`` are decoded and published on the local
bus; the export listener recognises them (by identity) and does not echo them.
Messages on ``agents/+/commands`` go to the command handler, one agent's commands
in arrival order; the reply goes to ``agents/{id}/replies``.

*Failure.* A lost or refused connection is logged once per outage at WARNING
("MQTT broker H:P unreachable: why; retrying in N s"), retried with jittered
exponential backoff, and logged at INFO when it comes back. The bus keeps working
in-process meanwhile. Passwords never reach a log: they are ``SecretStr`` in the
settings and error texts are scrubbed.
"""

import asyncio
import logging
import random
import secrets
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import aiomqtt

from callcenter.bus import EventBus
from callcenter.domain.codec import CodecError, from_json, to_json
from callcenter.domain.events import DomainEvent
from callcenter.domain.ids import AgentId
from callcenter.mqtt import commands, topics
from callcenter.mqtt.commands import CommandDispatcher, CommandHandler
from callcenter.mqtt.outbox import Outbox, Outgoing
from callcenter.mqtt.settings import MqttSettings

logger = logging.getLogger(__name__)

NODELAY = (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class BridgeStats:
    """Counters of a bridge, for diagnostics."""

    connected: bool
    connects: int
    outages: int
    published: int
    buffered: int
    dropped: int
    imported: int
    rejected: int
    commands: int


class MqttBridge:
    """Connects an ``EventBus`` to an MQTT broker and keeps it connected.

    Use as ``async with MqttBridge(bus, settings, ...) as bridge:``; the connection
    is made and re-made in the background, so entering never fails because the
    broker is down.
    """

    def __init__(
        self,
        bus: EventBus,
        settings: MqttSettings,
        *,
        role: str = "server",
        export: bool = True,
        import_filters: Sequence[str] = (),
        command_handler: CommandHandler | None = None,
        tcp_nodelay: bool = True,
        reconnect_delay: tuple[float, float] = (0.5, 30.0),
        command_timeout: float = 10.0,
        logger: logging.Logger | None = None,
    ) -> None:
        """Prepare the bridge (nothing connects before ``start``).

        Args:
            bus: The local bus to export from and import into.
            settings: Broker address, credentials, site and buffer size.
            role: Part of the client id (``{prefix}-{role}-{random}``).
            export: Publish every bus event, and the retained ``system/status``.
            import_filters: Topic filters whose events are published on ``bus``.
            command_handler: Serves ``agents/+/commands``; ``None`` ignores them.
            tcp_nodelay: Disable Nagle's algorithm (avoids a ~40 ms latency tail).
            reconnect_delay: First and longest wait between connection attempts.
            command_timeout: Seconds a handler may take before ``timeout`` is sent.
            logger: Where to log; defaults to this module's logger.
        """
        self._bus = bus
        self._settings = settings
        self._site = settings.site
        self._export = export
        self._import_filters = tuple(import_filters)
        self._nodelay = tcp_nodelay
        self._delay_min, self._delay_max = reconnect_delay
        self._log = logger if logger is not None else logging.getLogger(__name__)
        self._client_id = f"{settings.client_id_prefix}-{role}-{secrets.token_hex(4)}"
        self._address = f"{settings.host}:{settings.port}"
        self._calls = topics.CallAgents()
        self._outbox = Outbox(maxsize=settings.buffer_size)
        self._commands = (
            CommandDispatcher(
                command_handler,
                self._send_reply,
                timeout=command_timeout,
                logger=self._log,
            )
            if command_handler is not None
            else None
        )
        self._wakeup = asyncio.Event()
        self._ready = asyncio.Event()
        self._importing: DomainEvent | None = None
        self._remove_listener: Callable[[], None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._outage_since: float | None = None
        self._dropped_at_outage = 0
        self._failures = 0
        self._counts = dict.fromkeys(
            ("connects", "outages", "published", "imported", "rejected"), 0
        )

    # --- life cycle -------------------------------------------------------------

    async def start(self) -> None:
        """Start exporting and connecting in the background."""
        if self._task is not None:
            return
        if self._export:
            self._remove_listener = self._bus.add_listener(
                self._on_event, name=f"mqtt-bridge-{self._client_id}"
            )
        self._task = asyncio.create_task(self._run(), name=f"mqtt-{self._client_id}")

    async def stop(self, *, flush_timeout: float = 2.0) -> None:
        """Flush what is buffered (while connected), say offline, disconnect."""
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None
        task, self._task = self._task, None
        if task is None:
            return
        self._closing = True
        self._wakeup.set()
        if not self._ready.is_set():
            task.cancel()  # nothing to flush to; stop retrying
        _, pending = await asyncio.wait([task], timeout=flush_timeout)
        if pending:
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        if self._commands is not None:
            await self._commands.aclose()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def client_id(self) -> str:
        """Return the MQTT client id of this bridge."""
        return self._client_id

    @property
    def connected(self) -> bool:
        """Return whether the broker session is up (subscriptions made)."""
        return self._ready.is_set()

    async def wait_connected(self) -> None:
        """Wait until connected and subscribed (wrap in ``asyncio.timeout``)."""
        await self._ready.wait()

    def stats(self) -> BridgeStats:
        """Return the bridge counters."""
        return BridgeStats(
            connected=self.connected,
            buffered=len(self._outbox),
            dropped=self._outbox.dropped,
            commands=self._commands.received if self._commands else 0,
            **self._counts,
        )

    # --- export -------------------------------------------------------------------

    def _on_event(self, event: DomainEvent) -> None:
        extra = self._calls.observe(event)
        if event is self._importing:
            return  # came from the broker: do not echo it back
        payload = to_json(event)
        for route in topics.routes_for(event, site=self._site, extra_agents=extra):
            self._enqueue(
                Outgoing(
                    topic=route.topic,
                    payload=payload,
                    qos=route.qos,
                    retain=route.retain,
                )
            )

    def _send_reply(self, agent_id: AgentId, body: dict[str, Any]) -> None:
        topic = topics.agent_replies(self._site, agent_id)
        payload = commands.encode(body)
        self._enqueue(Outgoing(topic=topic, payload=payload, qos=topics.QOS_STATE))

    def _enqueue(self, message: Outgoing) -> None:
        self._outbox.put(message)
        self._wakeup.set()

    async def _pump_out(self, client: aiomqtt.Client) -> None:
        while True:
            message = self._outbox.peek()
            if message is None:
                if self._closing:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            await client.publish(
                message.topic, message.payload, qos=message.qos, retain=message.retain
            )
            self._outbox.sent(message)
            self._counts["published"] += 1

    # --- import and commands ------------------------------------------------------

    async def _pump_in(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            topic = message.topic.value
            parsed = topics.parse_agent_topic(topic)
            if (
                self._commands is not None
                and parsed is not None
                and parsed.channel == "commands"
            ):
                self._commands.submit(parsed.agent_id, bytes(message.payload))
            else:
                self._import(topic, bytes(message.payload))

    def _import(self, topic: str, payload: bytes) -> None:
        try:
            event = from_json(payload)
        except CodecError as exc:
            self._counts["rejected"] += 1
            self._log.debug("ignored MQTT message on %s: %s", topic, exc)
            return
        self._counts["imported"] += 1
        self._importing = event
        try:
            self._bus.publish(event)
        finally:
            self._importing = None

    # --- connection ---------------------------------------------------------------

    def _client(self) -> aiomqtt.Client:
        settings = self._settings
        status = topics.system_status(self._site)
        will = (
            aiomqtt.Will(status, self._status("offline"), qos=1, retain=True)
            if self._export
            else None
        )
        password = settings.password.get_secret_value() if settings.password else None
        return aiomqtt.Client(
            settings.host,
            settings.port,
            identifier=self._client_id,
            username=settings.username,
            password=password,
            keepalive=settings.keepalive,
            will=will,
            tls_params=aiomqtt.TLSParameters() if settings.tls else None,
            socket_options=[NODELAY] if self._nodelay else [],
            max_queued_incoming_messages=10_000,
        )

    def _status(self, status: str) -> bytes:
        body = {"v": 1, "status": status, "client_id": self._client_id}
        return commands.encode(body)

    async def _run(self) -> None:
        while True:
            error = await self._session()
            if self._closing:
                return
            delay = self._next_delay()
            self._report_outage(error, delay)
            await asyncio.sleep(delay)

    async def _session(self) -> str:
        """Connect and serve until the connection ends; return why it ended."""
        reason = "closed"
        connects = self._counts["connects"]
        try:
            async with self._client() as client:
                await self._subscribe(client)
                self._on_connected()
                try:
                    async with asyncio.TaskGroup() as group:
                        inbound = group.create_task(self._pump_in(client))
                        await self._pump_out(client)
                        inbound.cancel()
                    await self._say_offline(client)
                finally:
                    self._ready.clear()
        except* aiomqtt.MqttError as failures:
            first = _first(failures)
            reason = str(first) or type(first).__name__
            if self._counts["connects"] > connects:
                reason = f"connection lost ({reason})"
        except* Exception as failures:  # noqa: BLE001 - task boundary: log, retry
            first = _first(failures)
            self._log.error("MQTT bridge failed", exc_info=first)
            reason = f"internal error: {first!r}"
        return self._scrub(reason)

    async def _subscribe(self, client: aiomqtt.Client) -> None:
        if self._export:
            status = topics.system_status(self._site)
            await client.publish(status, self._status("online"), qos=1, retain=True)
        if self._commands is not None:
            await client.subscribe(topics.all_agent_commands(self._site), qos=1)
        for topic_filter in self._import_filters:
            await client.subscribe(topic_filter, qos=1)

    async def _say_offline(self, client: aiomqtt.Client) -> None:
        if self._export:
            status = topics.system_status(self._site)
            await client.publish(status, self._status("offline"), qos=1, retain=True)

    def _on_connected(self) -> None:
        self._counts["connects"] += 1
        self._failures = 0
        if self._outage_since is not None:
            lost = self._outbox.dropped - self._dropped_at_outage
            self._log.info(
                "MQTT broker %s reachable again after %.1f s (%d messages dropped)",
                self._address,
                time.monotonic() - self._outage_since,
                lost,
            )
            self._outage_since = None
        else:
            self._log.info("MQTT bridge connected to %s", self._address)
        self._ready.set()

    def _next_delay(self) -> float:
        base = min(self._delay_max, self._delay_min * 2.0**self._failures)
        self._failures += 1
        return base * random.uniform(0.75, 1.25)  # jitter, not crypto

    def _report_outage(self, reason: str, delay: float) -> None:
        if self._outage_since is None:
            self._outage_since = time.monotonic()
            self._dropped_at_outage = self._outbox.dropped
            self._counts["outages"] += 1
            note = (
                f" (the bus keeps running, up to {self._outbox.maxsize} messages kept)"
                if self._export
                else ""
            )
            self._log.warning(
                "MQTT broker %s unreachable: %s; retrying in %.2g s%s",
                self._address,
                reason,
                delay,
                note,
            )
        else:
            self._log.debug(
                "MQTT broker %s still unreachable: %s", self._address, reason
            )

    def _scrub(self, text: str) -> str:
        password = self._settings.password
        secret = password.get_secret_value() if password else ""
        return text.replace(secret, "**********") if secret else text


def _first(group: BaseExceptionGroup[Exception]) -> Exception:
    """Return the first leaf exception of a (possibly nested) group."""
    first: Exception | BaseExceptionGroup[Exception] = group.exceptions[0]
    while isinstance(first, BaseExceptionGroup):
        first = first.exceptions[0]
    return first
