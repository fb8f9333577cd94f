"""Event bus throughput in process, and MQTT round-trip latency through mosquitto.

Run: ``.venv/bin/python -m benchmarks.bus_throughput [--events N] [--pings N]``.
The MQTT part starts its own mosquitto on a free loopback port (skipped if absent)
and measures bus A -> bridge A -> mosquitto -> bridge B -> bus B, one event at a
time, with TCP_NODELAY on or off at the client and at the broker.
"""

import argparse
import asyncio
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from callcenter.bus import EventBus, Subscription
from callcenter.domain.events import (
    AgentState,
    AgentStateChanged,
    CallOffered,
    DomainEvent,
)
from callcenter.domain.ids import AgentId, CallId
from callcenter.mqtt import topics
from callcenter.mqtt.bridge import MqttBridge
from callcenter.mqtt.settings import MqttSettings
from tests.mosquitto import running_mosquitto


def _events(n: int) -> list[DomainEvent]:
    out: list[DomainEvent] = []
    for i in range(n):
        if i % 2:
            out.append(
                CallOffered(at=float(i), call_id=CallId(str(i)), caller_number="1")
            )
        else:
            out.append(
                AgentStateChanged(
                    at=float(i), agent_id=AgentId("a1"), state=AgentState.AVAILABLE
                )
            )
    return out


async def in_process(n: int) -> tuple[float, float]:
    """Return (publish-only events/s, publish+consume events/s)."""
    events = _events(n)
    bus = EventBus()
    subs: list[Subscription[Any]] = [
        bus.subscribe(maxsize=n),
        bus.subscribe(CallOffered, maxsize=n),
    ]
    recorded: list[DomainEvent] = []
    bus.add_listener(recorded.append)
    start = time.perf_counter()
    for event in events:
        bus.publish(event)
    publish_rate = n / (time.perf_counter() - start)

    async def consume(sub: Subscription[Any], expected: int) -> None:
        for _ in range(expected):
            await anext(sub)

    for sub in subs:
        sub.close()
    start = time.perf_counter()
    bus2 = EventBus()
    live: list[Subscription[Any]] = [
        bus2.subscribe(maxsize=n),
        bus2.subscribe(CallOffered, maxsize=n),
    ]
    readers = [
        asyncio.create_task(consume(live[0], n)),
        asyncio.create_task(consume(live[1], n // 2)),
    ]
    for i, event in enumerate(events):
        bus2.publish(event)
        if i % 100 == 0:
            await asyncio.sleep(0)
    await asyncio.gather(*readers)
    return publish_rate, n / (time.perf_counter() - start)


async def round_trip(port: int, *, client_nodelay: bool, pings: int) -> list[float]:
    """Return the bus-to-bus latencies (A publish -> B receive) in milliseconds."""
    settings = MqttSettings(port=port, site="bench")
    bus_a, bus_b = EventBus(), EventBus()
    # The agent's topic is the second of the two messages each state change makes:
    # the one Nagle's algorithm holds back until the first is acknowledged.
    feed = topics.agent_events("bench", "a1")
    importer = MqttBridge(
        bus_b, settings, export=False, import_filters=[feed], tcp_nodelay=client_nodelay
    )
    exporter = MqttBridge(bus_a, settings, tcp_nodelay=client_nodelay)
    latencies: list[float] = []
    async with importer, exporter:
        await importer.wait_connected()
        await exporter.wait_connected()
        with bus_b.subscribe(AgentStateChanged) as received:
            for i in range(pings + 20):
                event = AgentStateChanged(
                    at=float(i), agent_id=AgentId("a1"), state=AgentState.AVAILABLE
                )
                start = time.perf_counter()
                bus_a.publish(event)
                async with asyncio.timeout(5):
                    await anext(received)
                if i >= 20:  # warm-up
                    latencies.append((time.perf_counter() - start) * 1000)
                await asyncio.sleep(0.002)  # a paced feed, as in real traffic
    return latencies


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--pings", type=int, default=500)
    args = parser.parse_args()
    publish, consumed = asyncio.run(in_process(args.events))
    print(f"in-process bus, {args.events:,} events, 2 subscriptions + 1 listener")
    print(f"  publish only        {publish:>12,.0f} events/s")
    print(f"  publish + consume   {consumed:>12,.0f} events/s")
    if not (shutil.which("mosquitto") or Path("/usr/sbin/mosquitto").exists()):
        print("MQTT round trip skipped: mosquitto is not installed")
        return
    print(
        f"\nMQTT bus->bus latency through mosquitto, {args.pings} paced events, QoS 0"
    )
    print(
        f"  {'client NODELAY':<15}{'broker NODELAY':<16}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'max ms':>8}"
    )
    for client_nd, broker_nd in (
        (False, False),
        (True, False),
        (False, True),
        (True, True),
    ):
        with running_mosquitto(tcp_nodelay=broker_nd) as broker:
            lat = asyncio.run(
                round_trip(broker.port, client_nodelay=client_nd, pings=args.pings)
            )
        print(
            f"  {'on' if client_nd else 'off':<15}{'on' if broker_nd else 'off':<16}"
            f"{statistics.median(lat):>8.2f}{_pct(lat, 0.99):>8.2f}{max(lat):>8.2f}"
        )


if __name__ == "__main__":
    main()
