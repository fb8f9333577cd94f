"""An embedded center where agent 1001 can be put on a call that lasts.

Callers go straight to the reservations queue, which only agent 1001 serves; 1001
is played by a console (logged in by command, so the simulation never answers or
hangs up for them), and supervisor ``sam`` has the phone ``2001`` (``sim/2001``).
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from callcenter.center import CallCenter, make_call_center
from callcenter.clock import Clock
from callcenter.core.messages import AgentCommand
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId
from callcenter.pbx.simulated import SimulatedPbx
from callcenter.settings import AgentSettings, IvrSettings, Settings
from tests.callcenter.web.conftest import HASH, web_settings

AGENT = AgentId("1001")
STRAIGHT = """\
description: Test line - straight to the reservations queue
start: queue
nodes:
  queue:
    kind: enqueue
    queue: reservations
    hold: {moh: default, announce_every: 0}
"""


def talking_settings(tmp_path: Path) -> Settings:
    """Return the settings described in the module docstring."""
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "straight.yaml").write_text(STRAIGHT)
    base = web_settings(
        tmp_path,
        users=[
            {"name": "sam", "password_hash": HASH, "phone": "2001"},
            {"name": "ann", "role": "agent", "password_hash": HASH},
        ],
    )
    agents = (
        AgentSettings(id="1001", name="Anna", queues={"reservations": 0},
                      simulated=False),
        AgentSettings(id="1002", name="Bo", queues={"bookings": 0}),
    )  # fmt: skip
    ivr = IvrSettings(flows_dir=flows, main_flow="straight")
    return base.model_copy(update={"agents": agents, "ivr": ivr})


async def until(check: Callable[[], bool]) -> None:
    """Wait (5 s at most) until ``check()`` holds."""
    async with asyncio.timeout(5):
        while not check():  # noqa: ASYNC110 - polling state owned by the runtime
            await asyncio.sleep(0.01)


async def console(center: CallCenter, command: str, **args: str) -> None:
    """Send agent 1001's console command and insist that it succeeds."""
    reply = await center.runtime.command(
        AgentCommand(agent_id=AGENT, command=command, args=args, request_id=command)
    )
    assert reply.ok, reply.message


@contextlib.asynccontextmanager
async def running(
    settings: Settings, pbx: SimulatedPbx | None = None, clock: Clock | None = None
) -> AsyncIterator[CallCenter]:
    """Run a center (no random callers) with agent 1001 logged in at a console."""
    center = make_call_center(settings, pbx=pbx, clock=clock)
    assert isinstance(center.pbx, SimulatedPbx)
    await center.pbx.start()
    center.pbx.stop_arrivals()  # only the callers a test lets in
    center.log_in_simulated_agents()
    task = asyncio.create_task(center.runtime.run())
    await console(center, "login")
    try:
        yield center
    finally:
        center.runtime.stop()
        await task
        await center.pbx.close()


async def talking(center: CallCenter) -> CallId:
    """Let a caller in, ring agent 1001 and answer from the console."""
    assert isinstance(center.pbx, SimulatedPbx)
    call = center.pbx.offer_call("+8613800138000")
    acd = center.switchboard.acd
    await until(lambda: acd.agent_state(AGENT) is ev.AgentState.RINGING)
    await console(center, "answer", call_id=call)
    await until(lambda: acd.agent_state(AGENT) is ev.AgentState.ON_CALL)
    return call
