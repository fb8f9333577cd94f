"""A call center on the simulated PBX in virtual time, with callers a test scripts.

``Line`` builds the real composition (switchboard, ACD, IVR flows, runtime,
``SimulatedPbx``) without random arrivals; a test brings callers in with
``call(number, digits)`` and can make them hang up when they reach an IVR node.
"""

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from acd import inputs as acd_in
from callcenter.center import CallCenter, make_call_center
from callcenter.clock import VirtualClock
from callcenter.core.services import CallCenterServices, Facts, InMemoryServices
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId
from callcenter.pbx.simulated import SimulatedPbx
from callcenter.pbx.traffic import TrafficModel
from callcenter.settings import load_settings

FLOWS = Path(__file__).resolve().parents[2] / "config" / "ivr"


class Line:
    """One call center with scripted callers and a record of everything published."""

    def __init__(
        self,
        *,
        main_flow: str = "main",
        flows_dir: Path = FLOWS,
        customers: Mapping[str, Facts] | None = None,
        references: Mapping[str, Facts] | None = None,
        accounts: Mapping[str, Facts] | None = None,
        hours: Mapping[str, Any] | None = None,
        start: float = 1_767_600_000.0,  # Monday 2026-01-05 08:00 UTC
        services: CallCenterServices | None = None,
    ) -> None:
        """Build the center; no agent is logged in yet (see ``log_in``).

        The CRM is ``InMemoryServices`` knowing ``customers`` (by number),
        ``references`` (booking references) and ``accounts`` (account numbers),
        unless ``services`` (a real CRM) is given.
        """
        settings = load_settings(
            overrides={
                "ivr": {"main_flow": main_flow, "flows_dir": flows_dir},
                "simulation": {
                    "seed": 5,
                    "no_answer_probability": 0.0,
                    "callback_probability": 0.0,
                },
                "hours": dict(hours or {}),
            },
            environ={},
        )
        self.clock = VirtualClock(start)
        self.pbx = SimulatedPbx(
            TrafficModel(settings.simulation), self.clock, arrivals=False
        )
        self.services = InMemoryServices(
            customers, references=references, accounts=accounts
        )
        self.center: CallCenter = make_call_center(
            settings, clock=self.clock, services=services or self.services, pbx=self.pbx
        )
        self.events: list[ev.DomainEvent] = []
        self.commands: list[cmd.PbxCommand] = []
        self._execute = self.pbx.apply
        self.pbx.apply = self._witness  # type: ignore[method-assign]
        self.center.bus.add_listener(self.events.append)
        self._hang_up_at: dict[CallId, str] = {}
        self.center.bus.add_listener(self._hang_up_when_reached)

    def log_in(self, *agents: str) -> None:
        """Log the given agents (default settings: 1001 ... 1008) in, ready."""
        acd = self.center.switchboard.acd
        for agent in agents:
            acd.handle(acd_in.LogIn(agent_id=AgentId(agent)), self.clock.now())

    def call(
        self, number: str, digits: Iterable[str] = (), *, hang_up_at: str = ""
    ) -> CallId:
        """Bring a caller in now; they key ``digits`` in turn, one entry per question.

        With ``hang_up_at`` they hang up as soon as the IVR reaches that node.
        """
        call_id = self.pbx.offer_call(number, digits=tuple(digits))
        if hang_up_at:
            self._hang_up_at[call_id] = hang_up_at
        return call_id

    async def run(self, seconds: float) -> None:
        """Let ``seconds`` of virtual time pass."""
        await self.center.runtime.run(until=self.clock.now() + seconds)

    def of(
        self, kind: type[ev.DomainEvent], call_id: CallId | None = None
    ) -> list[Any]:
        """Return the published events of ``kind`` (of one call when given)."""
        return [
            e
            for e in self.events
            if isinstance(e, kind)
            and (call_id is None or getattr(e, "call_id", None) == call_id)
        ]

    def path(self, call_id: CallId) -> list[str]:
        """Return the IVR nodes the call visited, in order."""
        return [e.node for e in self.of(ev.IvrNodeVisited, call_id)]

    def completed(self, call_id: CallId) -> ev.CallCompleted:
        """Return the one final record of the call (fails unless exactly one)."""
        (record,) = self.of(ev.CallCompleted, call_id)
        assert isinstance(record, ev.CallCompleted)
        return record

    def heard(self, call_id: CallId) -> list[str]:
        """Return the prompts played to the caller (menus' and collects' too)."""
        prompts: list[str] = []
        for command in self.commands:
            if command.call_id != call_id:
                continue
            if isinstance(command, cmd.PlayPrompts):
                prompts += command.prompts
            elif isinstance(command, cmd.CollectDigits):
                prompts.append(command.prompt)
        return prompts

    def _witness(self, command: cmd.PbxCommand, now: float) -> None:
        self.commands.append(command)
        self._execute(command, now)

    def _hang_up_when_reached(self, event: ev.DomainEvent) -> None:
        if (
            isinstance(event, ev.IvrNodeVisited)
            and self._hang_up_at.get(event.call_id) == event.node
        ):
            self.pbx.hang_up(event.call_id)
