"""The asyncio runtime around the switchboard: the only place where time passes.

It pulls events from the PBX port, asks the switchboard what to do, and carries out
the answer: PBX commands to the port, domain events to the bus, requests to the CRM.
The loop sleeps until the earliest deadline of the PBX timeline or the switchboard;
with a ``VirtualClock`` that sleep is a jump, so an hour of traffic takes a moment.
External inputs (agent commands from consoles, events from a real PBX) wake it early.
Each queue's figures go on the bus as ``QueueStatsUpdated`` when they change, at most
once per second per queue (``callcenter.core.queue_stats_feed``).

A failing request (database down, CRM error) is logged and the call carries on: the
switchboard never waits on I/O it cannot get.
"""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from callcenter.bus import EventBus
from callcenter.clock import Clock, VirtualClock
from callcenter.core.messages import (
    AgentCommand,
    AgentReply,
    BuildScreenPop,
    CustomerFound,
    LookupCustomer,
    PersistCall,
    PersistSurvey,
    PersistVoicemail,
    SupervisorCommand,
    TakeOverAgent,
    TimerDue,
)
from callcenter.core.queue_stats_feed import QueueStatsFeed
from callcenter.core.services import CallCenterServices, lookup_facts
from callcenter.core.switchboard import Input, Output, Switchboard
from callcenter.domain.commands import PbxCommand
from callcenter.domain.events import DomainEvent
from callcenter.pbx.port import PbxPort

logger = logging.getLogger(__name__)

ReplySink = Callable[[AgentReply], Awaitable[None]]


@dataclass(slots=True)
class RuntimeStats:
    """Diagnostic counters (benchmarks and tests read them)."""

    inputs: int = 0
    commands: int = 0
    events_published: int = 0
    request_errors: int = 0
    last_error: str = ""


class Runtime:
    """Drives a ``Switchboard`` with a PBX, a bus and the CRM services."""

    def __init__(
        self,
        *,
        clock: Clock,
        pbx: PbxPort,
        switchboard: Switchboard,
        bus: EventBus,
        services: CallCenterServices,
        on_take_over: Callable[[TakeOverAgent], None] | None = None,
    ) -> None:
        """Wire the parts; nothing runs until ``run``."""
        self.clock = clock
        self.pbx = pbx
        self.switchboard = switchboard
        self.bus = bus
        self.services = services
        self.stats = RuntimeStats()
        self._inbox: deque[Input] = deque()
        self._wake = asyncio.Event()
        self._stopping = False
        self._on_take_over = on_take_over
        self._reply_waiters: dict[str, asyncio.Future[AgentReply]] = {}
        self.queue_feed = QueueStatsFeed(switchboard.acd, self._publish)
        pbx.attach(self.submit)

    def submit(self, item: Input) -> None:
        """Queue an input (a PBX event, an agent command) for the loop."""
        self._inbox.append(item)
        self._wake.set()

    async def command(self, command: AgentCommand | SupervisorCommand) -> AgentReply:
        """Submit an agent's or a supervisor's command and wait for its reply."""
        future: asyncio.Future[AgentReply] = asyncio.get_running_loop().create_future()
        key = f"{command.agent_id}/{command.request_id}"
        self._reply_waiters[key] = future
        self.submit(command)
        try:
            return await asyncio.wait_for(future, timeout=10.0)
        finally:
            self._reply_waiters.pop(key, None)

    def stop(self) -> None:
        """Ask the loop to finish after the current step."""
        self._stopping = True
        self._wake.set()

    async def shut_down(self) -> None:
        """Record every call still in progress (after ``run`` has returned)."""
        await self._drain(self.clock.now())
        for output in self.switchboard.shut_down(self.clock.now()):
            await self._carry_out(output)
        self.queue_feed.flush(self.clock.now(), force=True)

    async def run(self, *, until: float | None = None) -> None:
        """Run until ``stop()`` or, when given, the instant ``until``."""
        virtual = isinstance(self.clock, VirtualClock)
        self.queue_feed.start(self.clock.now())
        while not self._stopping:
            now = self.clock.now()
            self.pbx.fire_due(now)
            deadline = self.switchboard.next_deadline()
            if deadline is not None and deadline <= now:
                self._inbox.append(TimerDue())
            await self._drain(now)
            self.queue_feed.flush(now)
            if self._inbox:
                continue
            due = _earliest(
                self.pbx.next_due(),
                self.switchboard.next_deadline(),
                self.queue_feed.next_due(),
                until,
            )
            if until is not None and now >= until:
                return
            if virtual:
                if due is None:
                    return
                await self.clock.sleep_until(due)
            else:
                await self._sleep(due, now)

    async def _sleep(self, due: float | None, now: float) -> None:
        self._wake.clear()
        if self._inbox or self._stopping:
            return
        timeout = None if due is None else max(0.0, due - now)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=timeout)

    async def _drain(self, now: float) -> None:
        while self._inbox:
            item = self._inbox.popleft()
            self.stats.inputs += 1
            if isinstance(item, DomainEvent):
                self._publish(item)
            else:
                self.queue_feed.touch(item)
            outputs = self.switchboard.handle(item, now)
            for output in outputs:
                await self._carry_out(output)

    def _publish(self, event: DomainEvent) -> None:
        self.stats.events_published += 1
        self.queue_feed.touch(event)
        self.bus.publish(event)

    async def _carry_out(self, output: Output) -> None:
        if isinstance(output, PbxCommand):
            self.stats.commands += 1
            await self.pbx.execute(output)
        elif isinstance(output, DomainEvent):
            self._publish(output)
        elif isinstance(output, AgentReply):
            self._deliver_reply(output)
        elif isinstance(output, TakeOverAgent):
            if self._on_take_over is not None:
                self._on_take_over(output)
        else:
            await self._request(output)

    def _deliver_reply(self, reply: AgentReply) -> None:
        waiter = self._reply_waiters.get(f"{reply.agent_id}/{reply.request_id}")
        if waiter is not None and not waiter.done():
            waiter.set_result(reply)

    async def _request(self, request: object) -> None:
        try:
            match request:
                case LookupCustomer(call_id=call_id):
                    facts = await lookup_facts(self.services, request, self.clock.now())
                    self._inbox.append(CustomerFound(call_id=call_id, facts=facts))
                case BuildScreenPop():
                    self._publish(
                        await self.services.screen_pop(request, self.clock.now())
                    )
                case PersistCall(record=record, ivr_path=path):
                    await self.services.record_call(record, path)
                case PersistSurvey(call_id=call_id, answers=answers):
                    await self.services.record_survey(
                        call_id, answers, self.clock.now()
                    )
                case PersistVoicemail():
                    await self.services.record_voicemail(request)
        except Exception as exc:  # noqa: BLE001 - a failed request must not stop calls
            self.stats.request_errors += 1
            self.stats.last_error = f"{type(request).__name__}: {exc}"
            logger.warning("request %s failed: %s", type(request).__name__, exc)
            if isinstance(request, LookupCustomer):
                self._inbox.append(
                    CustomerFound(call_id=request.call_id, facts={"known": False})
                )


def _earliest(*instants: float | None) -> float | None:
    present = [i for i in instants if i is not None]
    return min(present) if present else None
