"""Each queue's figures go on the bus when they change, at most once a second.

The runtime publishes ``QueueStatsUpdated`` for every queue at start, then for a
queue whose figures changed: at once after a quiet second, else at the end of the
second with the latest figures. Everything runs in virtual time.
"""

import asyncio
import itertools
import json
import operator
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiomqtt
import pytest

from acd.config import AgentConfig, OverflowAction, OverflowRule, QueueConfig
from acd.engine import AcdEngine
from acd.inputs import EnqueueCall, LogIn, Tick
from callcenter.bus import EventBus
from callcenter.center import CallCenter, make_call_center, run_virtual
from callcenter.clock import VirtualClock
from callcenter.core.queue_stats_feed import QueueStatsFeed, figures_key
from callcenter.core.runtime import Runtime
from callcenter.core.services import InMemoryServices
from callcenter.core.switchboard import Switchboard
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.codec import to_payload
from callcenter.domain.ids import AgentId, CallId, QueueName
from callcenter.mqtt import topics
from callcenter.mqtt.bridge import MqttBridge
from callcenter.mqtt.settings import MqttSettings
from callcenter.pbx.port import EventSink
from callcenter.settings import load_settings
from ivr.loader import load_flows
from tests.mosquitto import running_mosquitto

SUPPORT, SALES = QueueName("support"), QueueName("sales")
AGENT = AgentId("1001")
T0 = 1_767_600_000.0
FLOW = """
start: queue
nodes:
  queue:
    kind: enqueue
    queue: support
    hold:
      announce_on_entry: false
      announce_every: 0
"""


class SilentPbx:
    """A PBX with no timeline that ignores commands: callers wait until told."""

    def attach(self, sink: EventSink) -> None:
        self.sink = sink

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def execute(self, command: cmd.PbxCommand) -> None:
        pass

    def next_due(self) -> float | None:
        return None

    def fire_due(self, now: float) -> None:
        pass


def engine(*queues: QueueConfig) -> AcdEngine:
    """Support and sales; agent 1001 serves sales only."""
    configs = queues or (QueueConfig(name=SUPPORT), QueueConfig(name=SALES))
    agent = AgentConfig(
        agent_id=AGENT, name="A", endpoint="sim/1001", queues={SALES: 0}
    )
    return AcdEngine(configs, [agent])


@dataclass
class Center:
    """A runtime over the silent PBX, and every ``QueueStatsUpdated`` it published."""

    clock: VirtualClock
    runtime: Runtime
    acd: AcdEngine
    published: list[ev.QueueStatsUpdated] = field(default_factory=list)
    calls: int = 0

    async def run_until(self, instant: float) -> None:
        await self.runtime.run(until=instant)

    def call_in(self) -> None:
        self.calls += 1
        self.runtime.submit(
            ev.CallOffered(
                at=self.clock.now(),
                call_id=CallId(f"c{self.calls}"),
                caller_number="+1",
            )
        )

    def of(self, queue: QueueName, *, after: float = T0) -> list[ev.QueueStatsUpdated]:
        return [s for s in self.published if s.queue == queue and s.at > after]


@pytest.fixture
def center(tmp_path: Path) -> Center:
    (tmp_path / "main.yaml").write_text(FLOW, encoding="utf-8")
    acd = engine()
    acd.handle(LogIn(agent_id=AGENT), T0)
    clock = VirtualClock(T0)
    bus = EventBus()
    runtime = Runtime(
        clock=clock,
        pbx=SilentPbx(),
        switchboard=Switchboard(acd=acd, flows=load_flows(tmp_path), main_flow="main"),
        bus=bus,
        services=InMemoryServices(),
    )
    center = Center(clock=clock, runtime=runtime, acd=acd)
    bus.add_listener(
        lambda e: (
            center.published.append(e) if isinstance(e, ev.QueueStatsUpdated) else None
        )
    )
    return center


def same_figures(a: ev.QueueStatsUpdated, b: ev.QueueStatsUpdated) -> bool:
    return figures_key(a) == figures_key(b)


# --- through the runtime, in virtual time ---------------------------------------------


async def test_every_queue_is_published_once_at_start(center: Center) -> None:
    await center.run_until(T0)
    assert [s.queue for s in center.published] == [SUPPORT, SALES]
    assert all(s.at == T0 for s in center.published)
    sales = center.published[1]
    assert (sales.agents_available, sales.agents_logged_in, sales.waiting) == (1, 1, 0)
    await center.run_until(T0 + 60)
    assert len(center.published) == 2, "a second run does not publish them again"


async def test_a_queued_call_shows_within_a_second(center: Center) -> None:
    await center.run_until(T0 + 5)
    center.call_in()
    await center.run_until(T0 + 6)
    [update] = center.of(SUPPORT)
    assert update.waiting == 1
    assert update.offered == 1
    assert T0 + 5 <= update.at <= T0 + 6
    assert center.of(SALES) == [], "a queue the call did not touch stays quiet"


async def test_a_burst_within_a_second_is_coalesced_into_its_final_figures(
    center: Center,
) -> None:
    await center.run_until(T0 + 5)
    for i in range(50):
        center.call_in()
        await center.run_until(T0 + 5 + 0.019 * (i + 1))
    await center.run_until(T0 + 10)
    updates = center.of(SUPPORT)
    assert len(updates) == 2
    assert updates[0].at == T0 + 5, "the first change after a quiet second: at once"
    last = updates[1]
    assert (last.waiting, last.offered) == (50, 50)
    assert same_figures(last, center.acd.queue_stats(SUPPORT, center.clock.now()))
    assert last.at == T0 + 6, "the rest as soon as the second is over"
    assert center.of(SALES) == []


async def test_publications_of_a_queue_are_at_least_a_second_apart(
    center: Center,
) -> None:
    await center.run_until(T0 + 5)
    for i in range(200):  # a call every 0.3 s for a minute
        center.call_in()
        await center.run_until(T0 + 5 + 0.3 * (i + 1))
    await center.run_until(T0 + 100)
    instants = [s.at for s in center.of(SUPPORT, after=0)]
    gaps = [b - a for a, b in itertools.pairwise(instants)]
    assert min(gaps) >= 1.0
    assert len(instants) <= 1 + 60 + 1
    assert center.of(SUPPORT)[-1].waiting == 200


async def test_idle_queues_publish_nothing_for_minutes(center: Center) -> None:
    await center.run_until(T0 + 5)
    center.call_in()
    await center.run_until(T0 + 600)
    [update] = center.of(SUPPORT)  # the caller waiting on is not a change
    assert update.waiting == 1
    assert center.of(SALES) == []
    assert center.runtime.queue_feed.next_due() is None, "nothing left to wake for"


async def test_the_wait_is_published_as_of_its_instant(center: Center) -> None:
    await center.run_until(T0 + 5)
    center.call_in()
    await center.run_until(T0 + 30)
    center.call_in()
    await center.run_until(T0 + 40)
    first, second = center.of(SUPPORT)
    assert first.longest_wait == 0.0
    assert second.waiting == 2
    assert second.longest_wait == pytest.approx(25.0), "the first caller, at 30 s"


async def test_figures_still_held_back_go_out_when_the_center_stops(
    center: Center,
) -> None:
    await center.run_until(T0 + 5)
    center.call_in()
    await center.run_until(T0 + 5.5)
    center.call_in()
    await center.run_until(T0 + 5.6)
    assert [s.waiting for s in center.of(SUPPORT)] == [1]
    await center.runtime.shut_down()
    assert [s.waiting for s in center.of(SUPPORT)] == [1, 2]


class EveryQueueFeed(QueueStatsFeed):
    """The reference: every input and event may have changed every queue."""

    def touch(self, item: object) -> None:
        self._mark_all(self._acd.queue_names())


async def simulated(
    *, reference: bool = False
) -> tuple[CallCenter, list[ev.QueueStatsUpdated]]:
    """An hour of simulated traffic, then the calls in progress finish."""
    settings = load_settings(
        overrides={"simulation": {"seed": 3, "calls_per_hour": 600}}
    )
    center = make_call_center(settings, clock=VirtualClock(T0))
    runtime = center.runtime
    if reference:
        runtime.queue_feed = EveryQueueFeed(center.switchboard.acd, runtime._publish)
    published: list[ev.QueueStatsUpdated] = []
    center.bus.add_listener(
        lambda e: published.append(e) if isinstance(e, ev.QueueStatsUpdated) else None
    )
    await run_virtual(center, 3600)
    await runtime.run()
    return center, published


async def test_with_simulated_traffic_the_last_figures_are_the_true_ones() -> None:
    center, published = await simulated()
    acd, now = center.switchboard.acd, center.clock.now()
    assert any(s.answered > 0 for s in published)
    for queue in acd.queue_names():
        mine = [s for s in published if s.queue == queue]
        instants = [s.at for s in mine]
        assert all(b - a >= 1.0 for a, b in itertools.pairwise(instants))
        assert same_figures(mine[-1], acd.queue_stats(queue, now))


async def test_marking_only_the_touched_queues_loses_no_change() -> None:
    _, precise = await simulated()
    _, every = await simulated(reference=True)
    assert len(precise) > 1000
    in_order = operator.attrgetter("at", "queue")
    assert sorted(precise, key=in_order) == sorted(every, key=in_order)


# --- the feed on its own: which events touch which queues ---------------------------


def test_an_agent_state_change_touches_only_the_queues_they_serve() -> None:
    acd = engine()
    published: list[ev.QueueStatsUpdated] = []
    feed = QueueStatsFeed(acd, published.append)
    feed.start(T0)
    for output in acd.handle(LogIn(agent_id=AGENT), T0 + 5):
        feed.touch(output)
    feed.flush(T0 + 5)
    assert [(s.queue, s.agents_available) for s in published[2:]] == [(SALES, 1)]


def test_moves_between_busy_states_touch_no_queue() -> None:
    acd = engine()
    acd.handle(LogIn(agent_id=AGENT), T0)
    feed = QueueStatsFeed(acd, lambda _: None)
    feed.start(T0)
    call = CallId("c1")
    for output in acd.handle(EnqueueCall(call_id=call, queue=SALES), T0 + 5):
        feed.touch(output)  # the agent rings: available -> busy
    feed.flush(T0 + 5)
    answered = ev.CallAnswered(at=T0 + 9, call_id=call, agent_id=AGENT)
    hung_up = ev.AgentLegEnded(at=T0 + 60, call_id=call, agent_id=AGENT)
    for output in acd.handle(answered, T0 + 9):
        feed.touch(output)
    feed.flush(T0 + 9)
    computed = feed.computed
    states = []
    for output in acd.handle(hung_up, T0 + 60):
        feed.touch(output)  # on call -> wrap-up: the figures count both as busy
        if isinstance(output, ev.AgentStateChanged):
            states.append(output.state)
    assert states == [ev.AgentState.WRAP_UP]
    assert feed.next_due() is None
    feed.flush(T0 + 60)
    assert feed.computed == computed


def test_a_waiting_queue_is_unchanged_while_its_callers_just_wait() -> None:
    acd = engine()
    acd.handle(EnqueueCall(call_id=CallId("c1"), queue=SUPPORT), T0)
    early, late = acd.queue_stats(SUPPORT, T0 + 1), acd.queue_stats(SUPPORT, T0 + 99)
    assert late.longest_wait > early.longest_wait
    assert same_figures(early, late)
    acd.handle(EnqueueCall(call_id=CallId("c2"), queue=SUPPORT), T0 + 99)
    assert not same_figures(late, acd.queue_stats(SUPPORT, T0 + 99))


def test_a_call_moved_by_overflow_updates_the_queue_it_left() -> None:
    rule = OverflowRule(after=10, action=OverflowAction.QUEUE, destination=SALES)
    acd = engine(QueueConfig(name=SUPPORT, overflow=(rule,)), QueueConfig(name=SALES))
    published: list[ev.QueueStatsUpdated] = []
    feed = QueueStatsFeed(acd, published.append)
    feed.start(T0)
    for output in acd.handle(EnqueueCall(call_id=CallId("c1"), queue=SUPPORT), T0):
        feed.touch(output)
    feed.flush(T0 + 1)
    for output in acd.handle(Tick(), T0 + 10):
        feed.touch(output)  # the ACD names only the queue the call joined
    feed.flush(T0 + 10)
    moved = {s.queue: s.waiting for s in published if s.at == T0 + 10}
    assert moved == {SUPPORT: 0, SALES: 1}


# --- on the broker -------------------------------------------------------------------


@pytest.fixture
async def broker_settings() -> AsyncIterator[MqttSettings]:
    with running_mosquitto() as broker:
        yield MqttSettings(port=broker.port, embedded=False, site="test")


async def test_the_retained_topic_holds_each_queues_latest_figures(
    center: Center, broker_settings: MqttSettings
) -> None:
    async with MqttBridge(center.runtime.bus, broker_settings) as bridge:
        async with asyncio.timeout(5):
            await bridge.wait_connected()
        await center.run_until(T0 + 5)
        for i in range(5):
            center.call_in()
            await center.run_until(T0 + 5 + 0.4 * (i + 1))
        await center.run_until(T0 + 20)
    latest = {s.queue: s for s in center.published}
    assert latest[SUPPORT].waiting == 5
    site = broker_settings.site
    retained: dict[str, dict[str, object]] = {}
    async with aiomqtt.Client(broker_settings.host, broker_settings.port) as late:
        await late.subscribe(f"{topics.site_root(site)}/queues/+/stats", qos=1)
        async with asyncio.timeout(5):
            async for message in late.messages:
                assert message.retain
                assert isinstance(message.payload, bytes)
                retained[str(message.topic)] = json.loads(message.payload)
                if len(retained) == len(latest):
                    break
    assert retained == {
        topics.queue_stats(site, queue): to_payload(stats)
        for queue, stats in latest.items()
    }
