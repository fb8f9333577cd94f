"""An in-process CTI server for console tests: a real call center in virtual time.

``Cti`` builds ``make_call_center`` with a ``VirtualClock``, the simulated PBX (no
random arrivals: callers come in with ``ring``), the CRM on a seeded SQLite copy and
the ``ConsoleApi``. A driver task keeps the runtime serving commands without moving
time; ``ring`` moves virtual time from one happening to the next until the agent's
phone rings, so a 15 s ring timeout never fires behind a test's back.
"""

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from callcenter.center import CallCenter, make_call_center
from callcenter.clock import VirtualClock
from callcenter.console_api import ConsoleApi
from callcenter.core.crm_services import CrmServices
from callcenter.core.switchboard import Input
from callcenter.domain import events as ev
from callcenter.domain.codec import to_json
from callcenter.domain.ids import AgentId, CallId
from callcenter.pbx.simulated import SimulatedPbx
from callcenter.pbx.traffic import TrafficModel
from callcenter.settings import AgentSettings, QueueSettings, Settings
from crm_link.service import CrmService

FLOWS = Path(__file__).parent / "flows"
NOW = 1_767_600_000.0
VIP = "+8613800138000"  # 王芳, VIP (crm_link.seed_data)
URGENT = "+8613700137000"  # 李强, open urgent complaint
SHARED = "+8613600136000"  # 刘洋 and 刘敏 share this line
STRANGER = "+8613312345678"


def console_settings() -> Settings:
    """Two queues, three agents (1001 is the console's), the test IVR flow."""
    return Settings.model_validate(
        {
            "ivr": {"flows_dir": FLOWS, "main_flow": "main"},
            "queues": [
                QueueSettings(name="reservations", wrap_up=30),
                QueueSettings(name="complaints", wrap_up=60),
            ],
            "agents": [
                AgentSettings(
                    id="1001",
                    name="Anna Li",
                    pin="1234",
                    queues={"reservations": 0, "complaints": 1},
                ),
                AgentSettings(id="1002", name="Bo Wang", queues={"complaints": 0}),
                AgentSettings(id="1003", name="Chen Hui", queues={"reservations": 0}),
            ],
        }
    )


EventSink = Callable[[str, bytes], None]


class Cti:
    """A call center in virtual time with its console API."""

    def __init__(
        self, center: CallCenter, api: ConsoleApi, clock: VirtualClock
    ) -> None:
        self.center, self.api, self.clock = center, api, clock
        self.pbx = center.pbx
        assert isinstance(self.pbx, SimulatedPbx)
        self.sim: SimulatedPbx = self.pbx
        self.events: list[ev.DomainEvent] = []
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._sinks: list[tuple[str, EventSink]] = []
        center.bus.add_listener(self._record)
        runtime, submit = center.runtime, center.runtime.submit

        def submit_and_wake(item: Input) -> None:
            submit(item)
            self._wake.set()

        runtime.submit = submit_and_wake  # type: ignore[method-assign]
        self.pbx.attach(submit_and_wake)

    def attach_console(self, agent_id: str, sink: EventSink) -> Callable[[], None]:
        """Deliver the JSON of every event for ``agent_id`` to ``sink``.

        As over MQTT: the agent's own events, those of its call, and the figures
        of every queue (the console shows those of its queues).
        """
        entry = (agent_id, sink)
        self._sinks.append(entry)
        return lambda: self._sinks.remove(entry) if entry in self._sinks else None

    def _record(self, event: ev.DomainEvent) -> None:
        self.events.append(event)
        agent = getattr(event, "agent_id", None)
        call = getattr(event, "call_id", None)
        for agent_id, sink in tuple(self._sinks):
            desk = self.api.desks.desk(AgentId(agent_id)).call
            if (
                agent == agent_id
                or (desk is not None and call == desk.call_id)
                or isinstance(event, ev.QueueStatsUpdated)  # every console reads them
            ):
                sink(agent_id, to_json(event))

    async def drive(self) -> None:
        """Serve inputs (agent commands) forever without moving time.

        It sleeps until something is submitted (a poll every 50 ms is the safety
        net): a busy loop would keep Pilot's idle detection waiting a full second
        after every key press.
        """
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=0.05)
            self._wake.clear()
            async with self._lock:
                await self.center.runtime.run(until=self.clock.now())

    async def step_until(self, done: Callable[[], bool], *, limit: float = 600) -> None:
        """Move virtual time one happening at a time until ``done()``."""
        end = self.clock.now() + limit
        while True:
            async with self._lock:
                await self.center.runtime.run(until=self.clock.now())
                if done():
                    return
                due = [
                    t
                    for t in (
                        self.sim.next_due(),
                        self.center.switchboard.next_deadline(),
                    )
                    if t is not None
                ]
                if not due or min(due) > end:
                    msg = "nothing more happens and the condition never held"
                    raise AssertionError(msg)
                await self.clock.sleep_until(min(due))

    async def ring(self, number: str, agent: str = "1001", digits: str = "") -> CallId:
        """Let ``number`` call in and move time until ``agent``'s pop is published."""
        async with self._lock:
            call_id = self.sim.offer_call(number, digits=(digits,) if digits else ())
        await self.step_until(lambda: self._popped(call_id, agent))
        return call_id

    def _popped(self, call_id: CallId, agent: str) -> bool:
        return any(
            isinstance(e, ev.ScreenPopReady)
            and e.call_id == call_id
            and e.agent_id == agent
            for e in self.events
        )

    async def advance(self, seconds: float) -> None:
        """Move virtual time by ``seconds``, letting everything due happen."""
        async with self._lock:
            await self.center.runtime.run(until=self.clock.now() + seconds)

    def log_in_simulated(self, agent: str) -> None:
        """Log an agent in as the simulation (it answers by itself)."""
        from acd import inputs as acd_in  # noqa: PLC0415

        for out in self.center.switchboard.acd.handle(
            acd_in.LogIn(agent_id=AgentId(agent)), self.clock.now()
        ):
            if isinstance(out, ev.DomainEvent):
                self.center.bus.publish(out)


@contextlib.asynccontextmanager
async def running_cti(db_template: Path, tmp_path: Path) -> AsyncIterator[Cti]:
    """Start a ``Cti`` on a fresh copy of the seeded CRM database."""
    db = tmp_path / "crm.db"
    shutil.copyfile(db_template, db)
    crm = CrmService.from_url(f"sqlite+aiosqlite:///{db}")
    settings = console_settings()
    clock = VirtualClock(NOW)
    pbx = SimulatedPbx(TrafficModel(settings.simulation), clock, arrivals=False)
    center = make_call_center(settings, clock=clock, services=CrmServices(crm), pbx=pbx)
    api = ConsoleApi(center, crm=crm)
    cti = Cti(center, api, clock)
    await pbx.start()
    driver = asyncio.create_task(cti.drive())
    try:
        yield cti
    finally:
        driver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await driver
        api.close()
        await pbx.close()
        await crm.aclose()


async def until(
    pilot: Pilot[Any], check: Callable[[], bool], limit: float = 10
) -> None:
    """Let the app run until ``check()`` holds (failing after ``limit`` seconds)."""
    async with asyncio.timeout(limit):
        while not check():
            await pilot.pause(0.01)
