"""The MQTT bridge against a real mosquitto (and the embedded amqtt broker)."""

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiomqtt
import pytest
from pydantic import SecretStr

from callcenter.bus import EventBus, Subscription
from callcenter.domain import events as ev
from callcenter.domain.codec import to_payload
from callcenter.domain.ids import AgentId, CallId
from callcenter.mqtt import topics
from callcenter.mqtt.bridge import MqttBridge
from callcenter.mqtt.broker import EmbeddedBroker
from callcenter.mqtt.settings import MqttSettings
from tests.callcenter.mqtt.samples import AGENT, CALL, SAMPLES, T0
from tests.mosquitto import Mosquitto, running_mosquitto
from tests.services import free_port

FAST_RETRY = (0.05, 0.3)


@asynccontextmanager
async def bridged_pair(
    settings: MqttSettings,
) -> AsyncIterator[tuple[EventBus, Subscription[ev.DomainEvent], MqttBridge]]:
    """Bus A exported by a bridge; bus B importing the supervisor feed."""
    bus_a, bus_b = EventBus(), EventBus()
    importer = MqttBridge(
        bus_b,
        settings,
        role="b",
        export=False,
        import_filters=[topics.supervisor_events(settings.site)],
        reconnect_delay=FAST_RETRY,
    )
    exporter = MqttBridge(bus_a, settings, role="a", reconnect_delay=FAST_RETRY)
    async with importer, exporter:
        async with asyncio.timeout(5):
            await importer.wait_connected()
            await exporter.wait_connected()
        with bus_b.subscribe() as received:
            yield bus_a, received, exporter


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):
        while not condition():  # noqa: ASYNC110 - polling bridge state
            await asyncio.sleep(0.01)


async def take(sub: Subscription[ev.DomainEvent], n: int) -> list[ev.DomainEvent]:
    async with asyncio.timeout(5):
        return [await anext(sub) for _ in range(n)]


@asynccontextmanager
async def console(
    settings: MqttSettings, *filters: str
) -> AsyncIterator[aiomqtt.Client]:
    async with aiomqtt.Client(settings.host, settings.port) as client:
        for topic_filter in filters:
            await client.subscribe(topic_filter, qos=1)
        yield client


async def next_message(client: aiomqtt.Client) -> aiomqtt.Message:
    async with asyncio.timeout(5):
        return await anext(aiter(client.messages))


async def test_every_event_type_crosses_the_broker_unchanged(
    settings: MqttSettings,
) -> None:
    async with bridged_pair(settings) as (bus_a, received, _):
        for event in SAMPLES:
            bus_a.publish(event)
        assert await take(received, len(SAMPLES)) == list(SAMPLES)


async def test_the_agent_topic_carries_its_events_and_its_calls_hang_up(
    settings: MqttSettings,
) -> None:
    bus = EventBus()
    async with (
        MqttBridge(bus, settings) as bridge,
        console(settings, topics.agent_events(settings.site, AGENT)) as client,
    ):
        async with asyncio.timeout(5):
            await bridge.wait_connected()
        ringing = ev.AgentRinging(at=T0, call_id=CALL, agent_id=AGENT)
        other = ev.AgentRinging(at=T0, call_id=CallId("x"), agent_id=AgentId("a2"))
        ended = ev.CallEnded(at=T0, call_id=CALL, by=ev.Party.CALLER)
        for event in (ringing, other, ended):
            bus.publish(event)
        first = await next_message(client)
        second = await next_message(client)
    assert json.loads(first.payload) == to_payload(ringing)
    assert json.loads(second.payload)["type"] == "CallEnded"


async def test_queue_stats_and_status_are_retained_for_late_joiners(
    settings: MqttSettings,
) -> None:
    bus = EventBus()
    stats = next(e for e in SAMPLES if isinstance(e, ev.QueueStatsUpdated))
    async with MqttBridge(bus, settings) as bridge:
        async with asyncio.timeout(5):
            await bridge.wait_connected()
        bus.publish(stats)
        await asyncio.sleep(0.2)
        site = settings.site
        async with console(settings, topics.queue_stats(site, stats.queue)) as late:
            message = await next_message(late)
            assert message.retain
            assert json.loads(message.payload) == to_payload(stats)
        async with console(settings, topics.system_status(site)) as late:
            status = json.loads((await next_message(late)).payload)
            assert status["status"] == "online"
    async with console(settings, topics.system_status(settings.site)) as late:
        assert json.loads((await next_message(late)).payload)["status"] == "offline"


async def handler(agent_id: AgentId, request: dict[str, Any]) -> dict[str, Any]:
    match request["command"]:
        case "pause":
            return {"state": "paused", "agent": agent_id}
        case "slow":
            await asyncio.sleep(10)
            return {}
        case _:
            raise RuntimeError("handler bug")


async def test_commands_are_answered_on_the_agents_reply_topic(
    settings: MqttSettings, caplog: pytest.LogCaptureFixture
) -> None:
    site = settings.site
    async with (
        MqttBridge(
            EventBus(), settings, command_handler=handler, command_timeout=0.2
        ) as bridge,
        console(settings, topics.agent_replies(site, AGENT)) as client,
    ):
        async with asyncio.timeout(5):
            await bridge.wait_connected()
        command_topic = topics.agent_commands(site, AGENT)
        requests: list[bytes | str] = [
            json.dumps({"v": 1, "command": "pause", "request_id": "r1"}),
            json.dumps({"v": 1, "command": "boom", "request_id": "r2"}),
            json.dumps({"v": 1, "command": "slow", "request_id": "r3"}),
            json.dumps({"v": 2, "command": "pause", "request_id": "r4"}),
            b"not json",
        ]
        for request in requests:
            await client.publish(command_topic, request, qos=1)
        replies = [json.loads((await next_message(client)).payload) for _ in requests]
    assert replies[0] == {
        "v": 1,
        "request_id": "r1",
        "command": "pause",
        "ok": True,
        "state": "paused",
        "agent": AGENT,
    }
    assert (replies[1]["request_id"], replies[1]["error"]) == ("r2", "internal_error")
    assert (replies[2]["request_id"], replies[2]["error"]) == ("r3", "timeout")
    assert (replies[3]["request_id"], replies[3]["error"]) == ("r4", "bad_request")
    assert (replies[4]["request_id"], replies[4]["error"]) == (None, "bad_request")
    for refused in replies[1:]:  # the console API's shape: ok, code = error, message
        assert refused["ok"] is False
        assert refused["code"] == refused["error"]
        assert refused["message"]
    assert "handler bug" in caplog.text
    assert bridge.stats().commands == 5


async def test_the_bridge_survives_a_broker_crash_and_resumes_delivery(
    mosquitto: Mosquitto, settings: MqttSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="callcenter.mqtt.bridge")
    async with bridged_pair(settings) as (bus_a, received, exporter):
        local = bus_a.subscribe()
        bus_a.publish(SAMPLES[0])
        assert await take(received, 1) == [SAMPLES[0]]

        mosquitto.kill()
        await until(lambda: not exporter.connected)
        bus_a.publish(SAMPLES[1])  # the bus keeps working in-process
        assert [await anext(local), await anext(local)] == list(SAMPLES[:2])
        await asyncio.sleep(0.5)  # several failed attempts: still one line

        mosquitto.start()
        await until(lambda: exporter.connected and not exporter.stats().buffered)
        await asyncio.sleep(0.3)  # the importer reconnects on its own schedule
        bus_a.publish(SAMPLES[2])
        while (event := (await take(received, 1))[0]) != SAMPLES[2]:
            assert event == SAMPLES[1]  # buffered, delivered if B was back in time
    port = settings.port
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    unreachable = [line for line in warnings if "unreachable" in line]
    assert (
        len(warnings) == len(unreachable) == 2
    )  # one per bridge (A and B), not one per retry
    assert unreachable[0].startswith(f"MQTT broker 127.0.0.1:{port} unreachable: ")
    assert "retrying in" in unreachable[0]
    assert "reachable again" in caplog.text
    assert exporter.stats().outages == 1


async def test_while_the_broker_is_down_the_outbox_is_bounded_and_secrets_stay_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "s3cr3t-Pa55"
    settings = MqttSettings(
        port=free_port(),
        username="server",
        password=SecretStr(secret),
        buffer_size=5,
        site="test",
    )
    bus = EventBus()
    local = bus.subscribe()
    async with MqttBridge(bus, settings, reconnect_delay=FAST_RETRY) as bridge:
        for n in range(20):
            bus.publish(
                ev.CallOffered(at=T0 + n, call_id=CallId(str(n)), caller_number="1")
            )
        await asyncio.sleep(0.3)
        stats = bridge.stats()
    assert local.pending() == 20
    assert (stats.buffered, stats.dropped) == (5, 35)  # 2 topics per CallOffered
    assert not stats.connected
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1
    assert "unreachable" in lines[0]
    assert secret not in caplog.text
    assert secret not in repr(settings)


class WarningSeen(logging.Handler):
    """Sets ``seen`` at the first warning logged (however long it takes)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.set()


async def test_refused_credentials_are_reported_without_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "hunter2-hunter2"
    with running_mosquitto(anonymous=False) as broker:
        settings = MqttSettings(
            port=broker.port, username="agent", password=SecretStr(secret), site="t"
        )
        warned = WarningSeen()
        logging.getLogger().addHandler(warned)
        try:
            async with MqttBridge(EventBus(), settings, reconnect_delay=FAST_RETRY):
                await asyncio.wait_for(warned.seen.wait(), timeout=10)
                await asyncio.sleep(0.3)  # retries meanwhile: still said only once
        finally:
            logging.getLogger().removeHandler(warned)
    (line,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "unreachable" in line
    assert "authori" in line.lower()
    assert secret not in caplog.text


async def test_round_trip_through_the_embedded_amqtt_broker() -> None:
    async with EmbeddedBroker(port=0) as broker:
        settings = MqttSettings(port=broker.port, site="emb")
        async with bridged_pair(settings) as (bus_a, received, _):
            for event in SAMPLES:
                bus_a.publish(event)
            assert await take(received, len(SAMPLES)) == list(SAMPLES)
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", broker.port)):
        pass
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert others == []
