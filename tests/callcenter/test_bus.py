"""The in-process event bus: order, filtering, bounded queues, isolation, closing."""

import asyncio
import logging
from dataclasses import dataclass
from typing import TypeVar

import pytest

from callcenter.bus import EventBus, Subscription
from callcenter.domain.events import (
    AgentState,
    AgentStateChanged,
    CallAnswered,
    CallOffered,
    DomainEvent,
)
from callcenter.domain.ids import AgentId, CallId

E = TypeVar("E", bound=DomainEvent)


@dataclass(frozen=True, slots=True, kw_only=True)
class VipCallOffered(CallOffered):
    """A subclass, to show that subscribing to a base class receives it."""


def offered(n: int) -> CallOffered:
    return CallOffered(at=float(n), call_id=CallId(f"c{n}"), caller_number="+3312")


def state(agent: str, n: int = 0) -> AgentStateChanged:
    return AgentStateChanged(
        at=float(n), agent_id=AgentId(agent), state=AgentState.AVAILABLE
    )


async def drain(sub: Subscription[E]) -> list[E]:
    sub.close()
    return [event async for event in sub]


async def test_a_subscriber_receives_events_in_publication_order() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    events = [offered(n) for n in range(50)]
    for event in events:
        bus.publish(event)
    assert await drain(sub) == events


async def test_subscription_filters_by_type_and_accepts_subclasses() -> None:
    bus = EventBus()
    calls = bus.subscribe(CallOffered)
    agents = bus.subscribe(AgentStateChanged)
    both = bus.subscribe(CallOffered, AgentStateChanged)
    vip = VipCallOffered(at=1.0, call_id=CallId("v"), caller_number="1")
    answered = CallAnswered(at=2.0, call_id=CallId("v"), agent_id=AgentId("a"))
    for event in (vip, state("a"), answered):
        bus.publish(event)
    assert await drain(calls) == [vip]
    assert await drain(agents) == [state("a")]
    assert await drain(both) == [vip, state("a")]


async def test_a_waiting_subscriber_is_woken_by_publish() -> None:
    bus = EventBus()
    with bus.subscribe(CallOffered) as sub:
        reader = asyncio.create_task(anext(sub))
        await asyncio.sleep(0)
        assert not reader.done()
        bus.publish(offered(1))
        async with asyncio.timeout(1):
            assert await reader == offered(1)


async def test_a_slow_subscriber_drops_its_oldest_events_without_stalling_others() -> (
    None
):
    bus = EventBus()
    slow = bus.subscribe(maxsize=3, name="slow")
    fast = bus.subscribe(name="fast")
    for n in range(10):
        bus.publish(offered(n))
    assert slow.dropped == 7
    assert await drain(slow) == [offered(7), offered(8), offered(9)]
    assert fast.dropped == 0
    assert len(await drain(fast)) == 10


async def test_publish_never_blocks_even_when_nobody_reads() -> None:
    bus = EventBus()
    sub = bus.subscribe(maxsize=10)
    for n in range(10_000):
        bus.publish(offered(n))  # synchronous: returns without awaiting anybody
    assert sub.pending() == 10
    assert sub.dropped == 9_990


async def test_listeners_see_every_event_in_order() -> None:
    bus = EventBus()
    seen: list[DomainEvent] = []
    bus.add_listener(seen.append)
    events = [offered(n) for n in range(5)]
    for event in events:
        bus.publish(event)
    assert seen == events


async def test_a_failing_listener_is_counted_and_isolated(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = EventBus()
    seen: list[DomainEvent] = []

    def broken(event: DomainEvent) -> None:
        raise RuntimeError("boom")

    bus.add_listener(broken, name="broken")
    bus.add_listener(seen.append, name="recorder")
    sub = bus.subscribe()
    with caplog.at_level(logging.ERROR, logger="callcenter.bus"):
        for n in range(3):
            bus.publish(offered(n))
    assert len(seen) == 3
    assert len(await drain(sub)) == 3
    stats = {listener.name: listener for listener in bus.stats().listeners}
    assert stats["broken"].errors == 3
    assert stats["recorder"].errors == 0
    assert len(caplog.records) == 1  # logged once, then only counted
    assert "broken" in caplog.records[0].getMessage()


async def test_events_published_by_a_listener_keep_one_global_order() -> None:
    bus = EventBus()
    first: list[DomainEvent] = []
    second: list[DomainEvent] = []

    def react(event: DomainEvent) -> None:
        first.append(event)
        if isinstance(event, CallOffered):
            bus.publish(state("a", int(event.at)))

    bus.add_listener(react)
    bus.add_listener(second.append)
    sub = bus.subscribe()
    bus.publish(offered(1))
    bus.publish(offered(2))
    expected = [offered(1), state("a", 1), offered(2), state("a", 2)]
    assert first == expected
    assert second == expected
    assert await drain(sub) == expected


async def test_removed_listener_is_no_longer_called() -> None:
    bus = EventBus()
    seen: list[DomainEvent] = []
    remove = bus.add_listener(seen.append)
    bus.publish(offered(1))
    remove()
    remove()  # idempotent
    bus.publish(offered(2))
    assert seen == [offered(1)]


async def test_close_ends_iteration_after_the_queued_events() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    bus.publish(offered(1))
    sub.close()
    bus.publish(offered(2))  # not received: closed
    assert [event async for event in sub] == [offered(1)]
    assert sub.closed
    assert bus.stats().subscriptions == ()


async def test_close_wakes_a_waiting_reader() -> None:
    bus = EventBus()
    sub = bus.subscribe()

    async def read_all() -> list[DomainEvent]:
        return [event async for event in sub]

    reader = asyncio.create_task(read_all())
    await asyncio.sleep(0)
    sub.close()
    async with asyncio.timeout(1):
        assert await reader == []


async def test_context_managers_close_the_subscription() -> None:
    bus = EventBus()
    with bus.subscribe() as sync_sub:
        pass
    async with bus.subscribe() as async_sub:
        pass
    assert sync_sub.closed
    assert async_sub.closed
    assert bus.stats().subscriptions == ()


async def test_bus_close_closes_every_subscription() -> None:
    bus = EventBus()
    subs = [bus.subscribe() for _ in range(3)]
    bus.close()
    assert all(sub.closed for sub in subs)


async def test_stats_report_counters() -> None:
    bus = EventBus()
    sub = bus.subscribe(CallOffered, maxsize=2, name="calls")
    for n in range(3):
        bus.publish(offered(n))
    await anext(sub)
    stats = bus.stats()
    assert stats.published == 3
    assert stats.dropped == 1
    (only,) = stats.subscriptions
    assert only.name == "calls"
    assert only.event_types == ("CallOffered",)
    assert (only.queued, only.maxsize, only.delivered, only.dropped) == (1, 2, 1, 1)


def test_subscribe_rejects_non_event_types_and_bad_sizes() -> None:
    bus = EventBus()
    with pytest.raises(TypeError):
        bus.subscribe(int)  # type: ignore[type-var]
    with pytest.raises(ValueError):
        bus.subscribe(maxsize=0)


def test_publish_works_without_a_running_loop() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    bus.publish(offered(1))
    assert sub.pending() == 1
