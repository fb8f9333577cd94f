"""Ring to painted card: ``python -m benchmarks.console_screen_pop``.

Times, per call, from the PBX event that rings the agent's phone (``AgentRinging``
entering the runtime) to the first frame Textual's compositor renders that shows the
card: the caller's name and the first row of each of its tables, read off a replay
of the frames (``shadow_screen``). The app's ``on_pop_painted`` hook is not trusted
for this: a frame taken while the widgets' updates were still on their way to the
screen showed the previous caller (counted and printed). In between: the runtime
asks the CRM for the screen pop (SQLite, 1,000,000 customers), publishes
``ScreenPopReady``, the console's backend hands it to the app, which repaints.

The call center runs in virtual time (the simulated PBX, no random arrivals) so
ring delays and talk times cost nothing; everything timed is real work, measured
with ``perf_counter``. The console runs headless in the same process over the
in-process backend (the MQTT hop adds about 1 ms at p99, ``LIBRARIES.md``). Each
call is answered and hung up through the console API before the next one.

The CRM is a copy of the database ``benchmarks.crm_screen_pop`` seeds under
``var/bench/`` (seeded here with the same plan when it is missing); ``--customers``
picks a smaller one for quick runs. Target: p99 under 50 ms.

Measured (2 cores, load 1.7-1.8; 300 calls after 20 warm-up calls, 1,000,000
customers, four runs): p50 14.5-16.6 ms, p99 24.4-27.6 ms, max 26-29 ms; target
met. Of that, the server (ring to ``ScreenPopReady`` published, the CRM lookup
included) takes p50 1.9 ms, p99 6.6 ms; the rest is the console. With the other
engineers' test suites running (load 3.7-4.9) the same run gave p99 45-71 ms.

Before the pop stopped needing a layout (fixed-height card areas, text tables in
place of DataTables, buttons always shown): p50 22-25 ms, p99 57-70 ms. A frame
then laid out the whole screen and re-rendered every widget, 17 ms of CPU on this
machine; now 7 ms. The pop's widget updates went from 5.5 ms to 3 ms.
"""

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from agent_console.app import AgentConsoleApp
from agent_console.backend import InProcessBackend
from agent_console.model import complaint_rows, interaction_rows
from benchmarks.shadow_screen import ShadowScreen
from callcenter.center import make_call_center
from callcenter.clock import VirtualClock
from callcenter.console_api import ConsoleApi
from callcenter.core.crm_services import CrmServices
from callcenter.core.switchboard import Input
from callcenter.domain import events as ev
from callcenter.domain.codec import to_json
from callcenter.domain.ids import AgentId
from callcenter.pbx.simulated import SimulatedPbx
from callcenter.pbx.traffic import TrafficModel
from callcenter.settings import AgentSettings, QueueSettings, Settings
from crm_link.db import make_engine
from crm_link.migrate import upgrade
from crm_link.models import PhoneNumber
from crm_link.seed import SeedPlan, seed
from crm_link.service import CrmService

NOW = 1_767_600_000.0
BENCH = Path("var/bench")
AGENT = AgentId("1001")
FLOW = """description: benchmark line
languages: [en]
start: identify
nodes:
  identify: {kind: crm_lookup, by: caller, timeout: 3, next: queue}
  queue: {kind: enqueue, queue: desk}
"""


def _settings(flows: Path) -> Settings:
    return Settings.model_validate(
        {
            "ivr": {"flows_dir": flows, "main_flow": "main"},
            "queues": [QueueSettings(name="desk", wrap_up=0)],
            "agents": [
                AgentSettings(id=AGENT, name="Bench Agent", pin="1234",
                              queues={"desk": 0}, simulated=False),
            ],
        }
    )  # fmt: skip


async def _database(customers: int, complaints: int, work: Path) -> str:
    """Copy (seeding first if needed) the benchmark CRM; return its URL."""
    BENCH.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    cached = BENCH / f"crm_{customers}_{complaints}.db"
    marker = cached.with_name(cached.name + ".seeded")
    if not marker.exists():
        print(f"  seeding {customers:,} customers into {cached} (once)")
        url = f"sqlite+aiosqlite:///{cached}"
        await upgrade(url)
        engine = make_engine(url)
        plan = SeedPlan(customers=customers, complaints=complaints,
                        batch=20_000, seed=7)  # fmt: skip
        await seed(engine, plan, now=NOW)
        await engine.dispose()
        marker.touch()
    copy = work / "crm.db"
    shutil.copyfile(cached, copy)
    url = f"sqlite+aiosqlite:///{copy}"
    await upgrade(url)  # a newer schema than the cached file's, if any
    with copy.open("rb") as file:
        while file.read(1 << 24):
            pass
    return url


async def _numbers(url: str, count: int) -> list[str]:
    """Return ``count`` caller numbers: 90 % of customers, 10 % unknown."""
    rng = random.Random(1)
    engine = make_engine(url)
    async with engine.connect() as connection:
        top = await connection.scalar(sa.select(sa.func.max(PhoneNumber.id))) or 1
        ids = [rng.randint(1, top) for _ in range(count)]
        query = sa.select(PhoneNumber.e164).where(PhoneNumber.id.in_(ids))
        known = list(await connection.scalars(query))[: count - count // 10]
    await engine.dispose()
    unknown = [f"+8614{rng.randint(0, 10**9 - 1):09d}" for _ in range(count // 10)]
    numbers = known + unknown
    rng.shuffle(numbers)
    return numbers


class Bench:
    """The call center, its console API and one console, with the stopwatch."""

    def __init__(self, url: str, flows: Path) -> None:
        self.crm = CrmService.from_url(url)
        settings = _settings(flows)
        self.clock = VirtualClock(NOW)
        self.pbx = SimulatedPbx(TrafficModel(settings.simulation), self.clock,
                                arrivals=False)  # fmt: skip
        services = CrmServices(self.crm)
        self.center = make_call_center(settings, clock=self.clock,
                                       services=services, pbx=self.pbx)  # fmt: skip
        self.api = ConsoleApi(self.center, crm=self.crm)
        self.rang: dict[str, float] = {}
        self.timed: set[str] = set()
        self.latencies: list[float] = []
        self.server: list[float] = []
        """Per call: ring to ``ScreenPopReady`` published (CRM lookup and all)."""
        self._published = 0.0
        self.early_hooks = 0
        self.app: AgentConsoleApp | None = None
        self.shadow: ShadowScreen | None = None
        self.waiting: str | None = None
        self.painted = asyncio.Event()
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._sink: Callable[[bytes], None] | None = None
        runtime, submit = self.center.runtime, self.center.runtime.submit

        def stamped(item: Input) -> None:
            if isinstance(item, ev.AgentRinging) and item.call_id not in self.timed:
                self.timed.add(item.call_id)  # not again if it rings again
                self.rang[item.call_id] = time.perf_counter()
            submit(item)
            self._wake.set()

        runtime.submit = stamped  # type: ignore[method-assign]
        self.pbx.attach(stamped)
        self.center.bus.add_listener(self._forward)

    def _forward(self, event: ev.DomainEvent) -> None:
        if self._sink is not None and getattr(event, "agent_id", None) == AGENT:
            if isinstance(event, ev.ScreenPopReady) and event.call_id in self.rang:
                self.waiting = event.call_id
                self._published = time.perf_counter()
            self._sink(to_json(event))

    def attach(self, sink: Callable[[bytes], None]) -> Callable[[], None]:
        """Feed the console its agent's events (the backend's ``attach``)."""
        self._sink = sink
        return lambda: setattr(self, "_sink", None)

    def on_painted(self, call_id: str) -> None:
        """The console's ``on_pop_painted`` hook: count it if it came too soon."""
        if call_id in self.rang:
            self.early_hooks += 1

    def on_frame(self, at: float) -> None:
        """After each frame, stop the watch if the screen now shows the card."""
        if self.app is None or self.shadow is None or self.waiting is None:
            return
        call_id = self.waiting
        if (self.app.desk.call or {}).get("call_id") != call_id:
            return
        if _card_shown(self.shadow.lines(), self.app):
            rang = self.rang.pop(call_id)
            self.latencies.append(at - rang)
            self.server.append(self._published - rang)
            self.waiting = None
            self.painted.set()

    async def drive(self) -> None:
        """Serve console commands as they come, without moving virtual time."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=0.05)
            self._wake.clear()
            async with self._lock:
                await self.center.runtime.run(until=self.clock.now())

    async def step_until(self, done: Callable[[], bool]) -> None:
        """Move virtual time one happening at a time until ``done()``."""
        while True:
            async with self._lock:
                await self.center.runtime.run(until=self.clock.now())
                if done():
                    return
                due = [t for t in (self.pbx.next_due(),
                                   self.center.switchboard.next_deadline())
                       if t is not None]  # fmt: skip
                if not due:
                    raise RuntimeError("the call never rang the agent")
                await self.clock.sleep_until(min(due))

    async def ask(self, command: str, **args: Any) -> dict[str, Any]:
        """Send one console command as the agent."""
        return await self.api.handle(AGENT, {"command": command, "args": args})

    async def call(self, number: str) -> None:
        """Let ``number`` call; wait for the painted card; answer and hang up."""
        self.painted.clear()
        async with self._lock:
            call_id = self.pbx.offer_call(number)
        await self.step_until(lambda: call_id in self.timed)
        await asyncio.wait_for(self.painted.wait(), timeout=10)
        await self.ask("answer", call_id=call_id)
        await self.step_until(lambda: self._state() == "talking")
        await self.ask("hangup", call_id=call_id)
        await self.step_until(lambda: self._state() in {"", "ended"})
        await self.ask("ready")

    def _state(self) -> str:
        call = self.api.desks.desk(AGENT).call
        return "" if call is None else call.state


def _card_shown(lines: list[str], app: AgentConsoleApp) -> bool:
    """Tell whether ``lines`` show the caller's card: name and the tables' first rows."""
    card = app.desk.customer()
    if card is None:
        number = app.desk.record().get("number", "")
        return any(f"Unknown caller {number}" in line for line in lines)
    if not any(card["name"] in line for line in lines):
        return False
    now = app.now()
    for rows, probe in ((complaint_rows(card, now), (0, 1)),
                        (interaction_rows(card, now), (0, 2))):  # fmt: skip
        if rows and not any(all(rows[0][i] in line for i in probe) for line in lines):
            return False
    return True


async def _run(bench: Bench, numbers: list[str], warmup: int) -> None:
    async def handle(agent: str, body: dict[str, Any]) -> dict[str, Any]:
        return await bench.api.handle(AgentId(agent), body)

    backend = InProcessBackend(AGENT, handle, bench.attach)
    app = AgentConsoleApp(backend, pin="1234", on_pop_painted=bench.on_painted)
    bench.app = app
    await bench.pbx.start()
    driver = asyncio.create_task(bench.drive())
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            bench.shadow = ShadowScreen(app)
            bench.shadow.on_frame.append(bench.on_frame)
            while app.desk.state == "logged_out":
                await pilot.pause(0.01)
            await bench.ask("ready")
            for index, number in enumerate(numbers):
                await bench.call(number)
                if index + 1 == warmup:
                    bench.latencies.clear()
                    bench.server.clear()
    finally:
        driver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await driver
        await backend.close()
        bench.api.close()
        await bench.pbx.close()
        await bench.crm.aclose()


def _percentiles(seconds: list[float]) -> tuple[float, float, float]:
    """Return p50, p99 and the maximum, in milliseconds."""
    ms = sorted(x * 1000 for x in seconds)
    return (
        statistics.median(ms),
        ms[min(len(ms) - 1, round(0.99 * len(ms)) - 1)],
        ms[-1],
    )


def _report(bench: Bench) -> None:
    p50, p99, top = _percentiles(bench.latencies)
    print(f"  ring -> card painted over {len(bench.latencies)} calls: "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {top:.1f} ms (target p99 < 50 ms: "
          f"{'met' if p99 < 50 else 'MISSED'})")  # fmt: skip
    console = [t - s for t, s in zip(bench.latencies, bench.server, strict=True)]
    for name, part in (("server: ring -> pop published", bench.server),
                       ("console: pop -> card painted", console)):  # fmt: skip
        p50, p99, top = _percentiles(part)
        print(f"    {name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {top:.1f} ms")


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        print(f"Console screen pop ({args.customers:,} customers, SQLite)")
        url = await _database(args.customers, args.complaints, work)
        flows = work / "flows"
        flows.mkdir()
        (flows / "main.yaml").write_text(FLOW)
        numbers = await _numbers(url, args.calls + args.warmup)
        bench = Bench(url, flows)
        await _run(bench, numbers, args.warmup)
        _report(bench)
        print(f"  load average at the end: {os.getloadavg()[0]:.2f} "
              f"({os.cpu_count()} CPUs; other work on the machine shows in the tail)")  # fmt: skip
        print(f"  on_pop_painted came before the card was on screen: "
              f"{bench.early_hooks} of {args.calls + args.warmup} pops")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=None,
                        help="default: a fifth of the customers")  # fmt: skip
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    arguments = parser.parse_args()
    if arguments.complaints is None:
        arguments.complaints = arguments.customers // 5
    asyncio.run(main(arguments))
