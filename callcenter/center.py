"""The composition root: builds a whole call center from ``Settings``.

``build_switchboard`` makes the pure core (ACD + IVR flows); ``CallCenter`` adds the
I/O around it (PBX, bus, MQTT, CRM, web) and runs it in real or virtual time. The CLI
calls this; nothing else reads the settings.
"""

import logging
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from acd.calendar import BusinessHours, Interval
from acd.config import AgentConfig, QueueConfig
from acd.engine import AcdEngine
from callcenter.bus import EventBus
from callcenter.clock import Clock, SystemClock, VirtualClock
from callcenter.core.messages import TakeOverAgent
from callcenter.core.runtime import Runtime
from callcenter.core.services import CallCenterServices, InMemoryServices
from callcenter.core.switchboard import Switchboard
from callcenter.domain.events import DomainEvent
from callcenter.domain.ids import AgentId, QueueName
from callcenter.pbx.port import PbxPort
from callcenter.pbx.simulated import SimulatedPbx
from callcenter.pbx.traffic import TrafficModel
from callcenter.settings import WEEKDAYS, HoursSettings, Settings
from callcenter.web.live import LiveCounters
from ivr.errors import Problem
from ivr.loader import load_flows
from ivr.model import Flow
from ivr.registry import FlowRegistry

logger = logging.getLogger(__name__)

REPO_CONFIG = Path(__file__).resolve().parents[1] / "config"


def flows_directory(settings: Settings) -> Path:
    """Return the IVR flows folder, falling back to the one shipped with the code."""
    configured = settings.ivr.flows_dir
    if configured.is_dir() or configured.is_absolute():
        return configured
    return REPO_CONFIG / "ivr"


def agent_endpoint(settings: Settings, agent_id: str) -> str:
    """Return the PBX endpoint that rings an agent's phone."""
    if settings.pbx.kind == "simulated":
        return f"sim/{agent_id}"
    return settings.pbx.agent_endpoint.format(agent=agent_id)


def build_acd(settings: Settings, *, seed: int = 0) -> AcdEngine:
    """Build the ACD engine from the configured queues and agents."""
    queues = [
        QueueConfig(
            name=QueueName(q.name),
            strategy=q.strategy,
            ring_timeout=q.ring_timeout,
            wrap_up=q.wrap_up,
            max_no_answer=q.max_no_answer,
            service_level_seconds=q.service_level_seconds,
            max_waiting=q.max_waiting,
            weight=q.weight,
            hours=business_hours(settings),
        )
        for q in settings.queues
    ]
    agents = [
        AgentConfig(
            agent_id=AgentId(a.id),
            name=a.name,
            endpoint=agent_endpoint(settings, a.id),
            queues={QueueName(name): penalty for name, penalty in a.queues.items()},
            skills=dict(a.skills),
        )
        for a in settings.agents
    ]
    return AcdEngine(queues, agents, seed=seed)


def business_hours(settings: Settings) -> BusinessHours | None:
    """Return the opening calendar of ``[hours]``; None when always open."""
    hours: HoursSettings = settings.hours
    if hours.weekly is None and not hours.holidays:
        return None
    weekly: dict[int, tuple[Interval, ...]]
    if hours.weekly is None:
        around_the_clock: tuple[Interval, ...] = ((time(0, 0), time(0, 0)),)
        weekly = dict.fromkeys(range(7), around_the_clock)
    else:
        weekly = {
            WEEKDAYS.index(day): tuple(_interval(text) for text in intervals)
            for day, intervals in hours.weekly.items()
        }
    return BusinessHours(
        timezone=hours.timezone or settings.general.timezone,
        weekly=weekly,
        holidays=frozenset(hours.holidays),
    )


def _wall(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def _interval(text: str) -> Interval:
    start, end = text.split("-")
    return (_wall(start), _wall(end))


def build_switchboard(
    settings: Settings,
    flows: dict[str, Flow] | FlowRegistry | None = None,
) -> Switchboard:
    """Build the pure core: ACD plus IVR flows (a registry makes them reloadable)."""
    if flows is None:
        flows = FlowRegistry(load_flows(flows_directory(settings)))
    return Switchboard(
        acd=build_acd(settings, seed=settings.simulation.seed),
        flows=flows,
        main_flow=settings.ivr.main_flow,
        hours=business_hours(settings),
        pins=agent_pins(settings),
    )


def agent_pins(settings: Settings) -> dict[AgentId, str]:
    """Return the PIN of every agent who has one (agent -> PIN)."""
    return {
        AgentId(a.id): a.pin.get_secret_value()
        for a in settings.agents
        if a.pin is not None
    }


@dataclass(slots=True)
class CallCenter:
    """A running call center: the runtime and everything it was built with."""

    settings: Settings
    clock: Clock
    pbx: PbxPort
    switchboard: Switchboard
    bus: EventBus
    runtime: Runtime
    counters: LiveCounters
    services: CallCenterServices
    flows: FlowRegistry = field(default_factory=FlowRegistry)

    def log_in_simulated_agents(self) -> None:
        """Log in every agent the simulation plays, ready for calls."""
        from acd import inputs as acd_in  # noqa: PLC0415 - keeps the module light

        now = self.clock.now()
        for agent in self.settings.agents:
            if agent.simulated:
                for output in self.switchboard.acd.handle(
                    acd_in.LogIn(agent_id=AgentId(agent.id)), now
                ):
                    if isinstance(output, DomainEvent):
                        self.bus.publish(output)


def make_pbx(settings: Settings, clock: Clock) -> PbxPort:
    """Build the configured PBX: the simulation, or Asterisk over AMI + FastAGI."""
    if settings.pbx.kind == "asterisk":
        from callcenter.pbx.asterisk import AsteriskPbx  # noqa: PLC0415 - optional

        return AsteriskPbx(settings.pbx, clock)
    return SimulatedPbx(
        TrafficModel(settings.simulation),
        clock,
        recordings_dir=recordings_dir(settings),
    )


def recordings_dir(settings: Settings) -> Path:
    """Return the folder voicemail recordings are served from.

    The simulation writes its messages to ``<data-dir>/recordings``; with Asterisk it
    is ``[pbx] recordings_dir``, which must then be readable here too (the same host,
    or a shared mount).
    """
    if settings.pbx.kind == "asterisk":
        return Path(settings.pbx.recordings_dir)
    return settings.general.data_dir / "recordings"


def make_call_center(
    settings: Settings,
    *,
    clock: Clock | None = None,
    services: CallCenterServices | None = None,
    pbx: PbxPort | None = None,
) -> CallCenter:
    """Assemble a call center (nothing runs yet)."""
    clock = clock or SystemClock()
    bus = EventBus()
    counters = LiveCounters()
    bus.add_listener(counters)
    flows = FlowRegistry(load_flows(flows_directory(settings)))
    switchboard = build_switchboard(settings, flows)
    if pbx is None:
        pbx = make_pbx(settings, clock)
    services = services or InMemoryServices()

    def take_over(request: TakeOverAgent) -> None:
        if isinstance(pbx, SimulatedPbx):
            pbx.set_manual(request.agent_id, manual=request.manual)

    runtime = Runtime(
        clock=clock,
        pbx=pbx,
        switchboard=switchboard,
        bus=bus,
        services=services,
        on_take_over=take_over,
    )
    return CallCenter(
        settings=settings,
        clock=clock,
        pbx=pbx,
        switchboard=switchboard,
        bus=bus,
        runtime=runtime,
        counters=counters,
        services=services,
        flows=flows,
    )


def reload_flows(center: CallCenter) -> list[Problem]:
    """Load the flows folder again for new calls; keep the old flows on a problem.

    Calls in progress keep the flows they started with. The main flow must be in
    the new folder. Returns the problems (empty: the new flows are in use).
    """
    settings = center.settings
    return center.flows.reload(
        flows_directory(settings), required=[settings.ivr.main_flow]
    )


async def run_virtual(center: CallCenter, seconds: float) -> None:
    """Run ``seconds`` of traffic in virtual time, then let no new caller in.

    Calls still in progress stay; run the runtime on to let them finish.
    """
    clock = center.clock
    if not isinstance(clock, VirtualClock):
        msg = "run_virtual needs a VirtualClock"
        raise TypeError(msg)
    await center.pbx.start()
    center.log_in_simulated_agents()
    await center.runtime.run(until=clock.now() + seconds)
    if isinstance(center.pbx, SimulatedPbx):
        center.pbx.stop_arrivals()
