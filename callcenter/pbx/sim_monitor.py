"""Supervisors' phones in the simulation: listen, whisper and barge sessions per call.

The simulation carries no audio and has no supervisor to pick up: a supervisor's phone
answers at once, so a monitor starts when asked. Otherwise it keeps the rules of the
Asterisk adapter, so that the core and the web page meet the same outcomes:

* the agent must be talking on that call, else ``MonitorFailed`` ``no_agent_channel``;
* a phone monitors one call at a time (``phone_busy`` for another call); the same
  phone asking again on the same call switches mode (``MonitorModeChanged``, nothing
  when the mode is the same);
* several supervisors' phones may monitor the same call (decided: allowed, as ChanSpy
  allows several spies on one channel);
* ``StopMonitor`` ends it (``stopped``); when the agent's part of the call ends (the
  agent or the caller hangs up, a transfer), every monitor of the call ends
  (``call_ended``), after the event that ended it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from callcenter.domain import commands as cmd
from callcenter.domain.events import DomainEvent
from callcenter.domain.ids import AgentId, CallId
from callcenter.domain.supervision import (
    MonitorEnded,
    MonitorEndReason,
    MonitorFailed,
    MonitorMode,
    MonitorModeChanged,
    MonitorParties,
    MonitorStarted,
    parties,
)
from callcenter.pbx.sim_call import LegState, SimCall


@dataclass(slots=True)
class SimMonitor:
    """One supervisor's phone in one simulated call."""

    call_id: CallId
    agent_id: AgentId
    supervisor: str
    endpoint: str
    mode: MonitorMode

    def who(self) -> MonitorParties:
        """Return the fields every monitor event of this one carries."""
        return parties(self)


class SimMonitors:
    """The monitor sessions of the simulated PBX, keyed by the supervisor's phone."""

    def __init__(self, emit: Callable[[DomainEvent], None]) -> None:
        """Report every start, change, end and failure to ``emit``."""
        self._emit = emit
        self._by_endpoint: dict[str, SimMonitor] = {}

    def of_call(self, call_id: CallId) -> tuple[SimMonitor, ...]:
        """Return the monitors of one call (for tests and demos)."""
        return tuple(m for m in self._by_endpoint.values() if m.call_id == call_id)

    def apply(
        self,
        command: cmd.MonitorCall | cmd.StopMonitor,
        call: SimCall | None,
        at: float,
    ) -> None:
        """Carry out a monitor command at ``at`` for ``call`` (None: gone)."""
        if isinstance(command, cmd.StopMonitor):
            session = self._by_endpoint.get(command.endpoint)
            if session is not None and session.call_id == command.call_id:
                self._end(session, at, MonitorEndReason.STOPPED)
            return
        session = self._by_endpoint.get(command.endpoint)
        if session is not None and session.call_id == command.call_id:
            self._change(session, command.mode, at)
        elif session is not None:
            busy = f"{command.endpoint} is monitoring call {session.call_id}"
            self._fail(command, at, "phone_busy", busy)
        elif not _talking(call, command.agent_id):
            idle = f"agent {command.agent_id} is not talking on call {command.call_id}"
            self._fail(command, at, "no_agent_channel", idle)
        else:
            session = SimMonitor(
                call_id=command.call_id, agent_id=command.agent_id,
                supervisor=command.supervisor, endpoint=command.endpoint,
                mode=command.mode,
            )  # fmt: skip
            self._by_endpoint[command.endpoint] = session
            self._emit(MonitorStarted(at=at, mode=session.mode, **session.who()))

    def call_over(self, call_id: CallId, at: float) -> None:
        """End every monitor of ``call_id``: the agent's part of the call is over."""
        for session in self.of_call(call_id):
            self._end(session, at, MonitorEndReason.CALL_ENDED)

    def _change(self, session: SimMonitor, mode: MonitorMode, at: float) -> None:
        if mode is session.mode:
            return
        previous, session.mode = session.mode, mode
        self._emit(
            MonitorModeChanged(at=at, mode=mode, previous=previous, **session.who())
        )

    def _end(self, session: SimMonitor, at: float, reason: MonitorEndReason) -> None:
        del self._by_endpoint[session.endpoint]
        self._emit(
            MonitorEnded(at=at, mode=session.mode, reason=reason, **session.who())
        )

    def _fail(
        self, command: cmd.MonitorCall, at: float, code: str, message: str
    ) -> None:
        self._emit(
            MonitorFailed(
                at=at, call_id=command.call_id, agent_id=command.agent_id,
                supervisor=command.supervisor, endpoint=command.endpoint,
                mode=command.mode, code=code, message=message,
            )
        )  # fmt: skip


def _talking(call: SimCall | None, agent: AgentId) -> bool:
    return call is not None and call.state is LegState.TALKING and call.agent == agent
