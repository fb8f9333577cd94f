"""Desks recorded from the real call center, replayed for snapshot tests.

``snap_compare`` runs the app in its own event loop, so a snapshot cannot share
the test's ``Cti``. Instead ``record_desks`` walks agent 1001 through a real call
(virtual time, seeded CRM: 李强 with an open urgent complaint) once per session
and keeps the ``status`` reply of each stage; ``scripted_console`` gives the app a
backend that answers ``status`` with one of them. Virtual time and the seeded data
make every reply byte-for-byte the same from run to run.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from agent_console.app import AgentConsoleApp
from agent_console.backend import InProcessBackend
from callcenter.domain.ids import AgentId
from tests.agent_console.harness import NOW, URGENT, Cti, running_cti

Desks = dict[str, dict[str, Any]]
STAGES = ("logged_out", "available", "ringing", "talking", "wrap_up")


async def _record(template: Path, tmp_path: Path) -> Desks:
    desks: Desks = {}
    async with running_cti(template, tmp_path) as cti:

        async def ask(command: str, **args: Any) -> dict[str, Any]:
            body = {"command": command, "args": args}
            return await cti.api.handle(AgentId("1001"), body)

        async def keep(stage: str) -> str:
            desks[stage] = await ask("status")
            return str((desks[stage].get("call") or {}).get("call_id", ""))

        await keep("logged_out")
        await ask("login", pin="1234")
        await ask("ready")
        await keep("available")
        call_id = await cti.ring(URGENT, digits="12080105")  # his room booking
        await keep("ringing")
        await ask("answer", call_id=call_id)
        await cti.step_until(lambda: _call_state(cti) == "talking")
        await keep("talking")
        await ask("hangup", call_id=call_id)
        await cti.step_until(lambda: _call_state(cti) == "ended")
        await keep("wrap_up")
    return desks


def _call_state(cti: Cti) -> str:
    call = cti.api.desks.desk(AgentId("1001")).call
    return "" if call is None else call.state


def record_desks(template: Path, tmp_path: Path) -> Desks:
    """Return the ``status`` reply of each of ``STAGES`` (from a fresh loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _record(template, tmp_path)).result()


def scripted_console(status: dict[str, Any]) -> AgentConsoleApp:
    """Return a console whose server always answers ``status`` (and OK)."""

    async def handler(_agent: str, body: dict[str, Any]) -> dict[str, Any]:
        return status if body["command"] == "status" else {}

    def attach(_sink: Callable[[bytes], None]) -> Callable[[], None]:
        return lambda: None

    backend = InProcessBackend("1001", handler, attach)
    return AgentConsoleApp(backend, clock=lambda: NOW)
