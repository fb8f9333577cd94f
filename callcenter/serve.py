"""Running the call center in real time: what ``callcenter up`` does.

Start order: database (migrate, seed the demo on first run), the agent state log,
MQTT broker (embedded unless configured), PBX, bus bridge, web page, then the
runtime loop. Stop order is the reverse, after the runtime has recorded every call
still in progress and the agent state log has written the open stretches, so Ctrl-C
loses no database write and leaves no port open (a crash loses at most the last
minute of agent state time: the log checkpoints open stretches every minute).
"""

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from callcenter.center import CallCenter, make_call_center, reload_flows
from callcenter.core.crm_services import CrmServices
from callcenter.errors import CallCenterError
from callcenter.logconfig import configure_logging
from callcenter.pidfile import remove_pid, write_pid
from callcenter.settings import Settings

if TYPE_CHECKING:
    from crm_link.service import CrmService

logger = logging.getLogger(__name__)


class ServeError(CallCenterError):
    """The call center could not start; the message says why and what to do."""


async def prepare_database(settings: Settings, *, now: float) -> None:
    """Create or upgrade the schema and seed demo customers into an empty database."""
    from crm_link import migrate, seed  # noqa: PLC0415 - heavy imports
    from crm_link.db import make_engine  # noqa: PLC0415

    url = settings.database_url()
    try:
        await migrate.upgrade(url)
        if settings.database.seed_demo:
            engine = make_engine(url)
            try:
                if await seed.is_empty(engine):
                    await seed.seed_demo(engine, now=now)
            finally:
                await engine.dispose()
    except Exception as exc:
        msg = f"database {_redact(url)} is not usable: {exc}"
        raise ServeError(msg) from exc


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@contextlib.asynccontextmanager
async def _broker(settings: Settings) -> AsyncIterator[int]:
    if not settings.mqtt.embedded:
        yield settings.mqtt.port
        return
    from callcenter.mqtt.broker import EmbeddedBroker  # noqa: PLC0415

    broker = EmbeddedBroker(host=settings.mqtt.host, port=settings.mqtt.port)
    try:
        await broker.start()
    except Exception as exc:
        msg = (
            f"cannot start the embedded MQTT broker on {settings.mqtt.host}:"
            f"{settings.mqtt.port}: {exc} (another broker running? try --mqtt-port 0)"
        )
        raise ServeError(msg) from exc
    try:
        yield broker.port
    finally:
        await broker.stop()


def _banner(
    settings: Settings,
    center: CallCenter,
    web: str,
    mqtt_port: int,
    log_path: Path | None,
) -> str:
    pbx = (
        "simulated PBX"
        if settings.pbx.kind == "simulated"
        else (
            f"Asterisk AMI at {settings.pbx.host}:{settings.pbx.port}, FastAGI on "
            f"{settings.pbx.agi_host}:{settings.pbx.agi_port}"
        )
    )
    embedded = " (embedded)" if settings.mqtt.embedded else ""
    lines = [
        (
            f"callcenter up: {pbx}, {len(settings.queues)} queues, "
            f"{len(settings.agents)} agents, IVR flow '{settings.ivr.main_flow}'"
        ),
        f"  supervisor page  {web}",
        f"  MQTT broker      {settings.mqtt.host}:{mqtt_port}{embedded}",
        f"  database         {_redact(settings.database_url())}",
        f"  logs             {log_path or 'stderr only'}",
        "  agent console    callcenter console --agent 1001   (in another terminal)",
        "  stop             Ctrl-C",
    ]
    del center
    return "\n".join(lines)


async def serve(settings: Settings, *, duration: float | None = None) -> None:
    """Run the call center until Ctrl-C, SIGTERM or ``duration`` seconds."""
    data_dir = settings.general.data_dir
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"cannot create the data directory {data_dir}: {exc.strerror}"
        raise ServeError(msg) from exc
    log_path = configure_logging(data_dir / "logs", level=settings.general.log_level)
    await prepare_database(settings, now=time.time())
    from crm_link.service import CrmService  # noqa: PLC0415

    crm = CrmService.from_url(
        settings.database_url(), outbox_path=data_dir / "outbox.jsonl"
    )
    center = make_call_center(settings, services=CrmServices(crm))
    stop = asyncio.Event()
    try:
        async with (
            _agent_log(center, crm),
            _signals(center, stop),
            _broker(settings) as mqtt_port,
            _bridge(settings, center, mqtt_port, crm),
            _web(settings, center) as web,
        ):
            print(_banner(settings, center, web, mqtt_port, log_path), flush=True)
            await _run(center, stop, duration)
    finally:
        await crm.aclose()
    print(
        f"callcenter stopped: {center.switchboard.completed} calls recorded.",
        file=sys.stderr,
    )


@contextlib.asynccontextmanager
async def _agent_log(center: CallCenter, crm: "CrmService") -> AsyncIterator[None]:
    """Store agent state stretches from the bus (for occupancy in reports).

    Open stretches are checkpointed on the runtime's clock every minute, so a crash
    loses at most a minute of each agent's state time.
    """
    from crm_link.agent_log import AgentStateLog  # noqa: PLC0415

    log = AgentStateLog(crm.record_agent_intervals)
    unlisten = center.bus.add_listener(log, name="agent-state-log")
    log.start(center.clock)
    try:
        yield
    finally:
        unlisten()
        await log.aclose(center.clock.now())


@contextlib.asynccontextmanager
async def _signals(center: CallCenter, stop: asyncio.Event) -> AsyncIterator[None]:
    """Stop on SIGINT/SIGTERM, reload the IVR flows on SIGHUP; own the pid file."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, reload_on_signal, center)
    data_dir = center.settings.general.data_dir
    write_pid(data_dir)
    try:
        yield
    finally:
        remove_pid(data_dir)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(sig)


def reload_on_signal(center: CallCenter) -> bool:
    """Reload the IVR flows for new calls and log the outcome (one ``IVR flows`` line).

    Returns whether the new flows are in use; on a problem the old ones stay.
    """
    problems = reload_flows(center)
    if problems:
        details = "".join(f"\n  {problem}" for problem in problems)
        logger.warning(
            "IVR flows not reloaded, the old flows stay in use: %d problem(s)%s",
            len(problems),
            details,
        )
        return False
    logger.info(
        "IVR flows reloaded (generation %d): %s",
        center.flows.generation,
        ", ".join(sorted(center.flows.flows)),
    )
    return True


async def _run(center: CallCenter, stop: asyncio.Event, duration: float | None) -> None:
    try:
        await center.pbx.start()
    except CallCenterError as exc:  # Asterisk refused, unreachable, AGI port taken
        raise ServeError(f"PBX: {exc}") from exc
    center.log_in_simulated_agents()
    task = asyncio.create_task(center.runtime.run(), name="runtime")
    try:
        waiter = asyncio.create_task(stop.wait())
        await asyncio.wait(
            {task, waiter}, timeout=duration, return_when=asyncio.FIRST_COMPLETED
        )
        waiter.cancel()
        if task.done():
            task.result()  # surface a crash of the loop
    finally:
        center.runtime.stop()
        await task
        await center.runtime.shut_down()
        await center.pbx.close()


@contextlib.asynccontextmanager
async def _bridge(
    settings: Settings, center: CallCenter, port: int, crm: "CrmService"
) -> AsyncIterator[None]:
    """Serve the agent consoles (``ConsoleApi``) and the bus over MQTT."""
    from callcenter.console_api import ConsoleApi  # noqa: PLC0415
    from callcenter.mqtt.bridge import MqttBridge  # noqa: PLC0415

    mqtt = settings.mqtt.model_copy(update={"port": port})
    api = ConsoleApi(
        center,
        crm=crm,
        pause_reasons=settings.console.pause_reasons,
        dispositions=settings.console.dispositions,
    )
    bridge = MqttBridge(center.bus, mqtt, command_handler=api.handle)
    await bridge.start()
    try:
        yield
    finally:
        await bridge.stop()
        api.close()


@contextlib.asynccontextmanager
async def _web(settings: Settings, center: CallCenter) -> AsyncIterator[str]:
    if not settings.web.enabled:
        yield "(disabled)"
        return
    from callcenter.web.app import create_app, start_web  # noqa: PLC0415
    from crm_link.reporting import ReportingReader  # noqa: PLC0415
    from crm_link.voicemails import VoicemailBox  # noqa: PLC0415

    reports = ReportingReader.from_url(settings.database_url())
    box = VoicemailBox.from_url(settings.database_url())
    try:
        runner = await start_web(
            create_app(center, settings, reports=reports, voicemails=box),
            settings.web.host,
            settings.web.port,
        )
    except OSError as exc:
        await reports.aclose()
        await box.aclose()
        raise ServeError(str(exc)) from exc
    port = settings.web.port
    for address in runner.addresses:
        port = address[1]
        break
    try:
        yield f"http://{settings.web.host}:{port}/"
    finally:
        await runner.cleanup()
        await reports.aclose()
        await box.aclose()
