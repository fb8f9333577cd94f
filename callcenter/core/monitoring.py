"""Who monitors whom: supervisors' monitor requests, checked, and their sessions.

Sans-IO, like the switchboard that owns it. Theory of operation: a supervisor's
``monitor`` request (a mode and the supervisor's phone, ``endpoint``) is checked
against the ACD (the agent must be talking: the monitor joins the agent's current
call) and against the sessions already known, then becomes a ``MonitorCall`` for the
PBX; ``stop_monitor`` becomes ``StopMonitor``. Every request gets exactly one
``AgentReply``, whose ``state["monitor"]`` says what was asked of the PBX
(``requested``, ``unchanged``, ``stopping``). The PBX reports what really happened
(``MonitorStarted``, ``MonitorModeChanged``, ``MonitorEnded``, ``MonitorFailed``)
and ``observe`` folds that in, so ``sessions`` always says who listens to, coaches
or barges into which agent, and how. The rules:

* one phone monitors one call at a time: a phone busy with another call is refused
  (``monitor_busy``: stop that one first); the same phone on the same call switches
  mode, which waits until that phone has answered (``monitor_pending``);
* several supervisors, each on their own phone, may monitor the same call;
* ``stop_monitor`` stops every monitor of that supervisor on that agent
  (``not_monitoring`` when there is none);
* a session never outlives the agent's part of the call: ``AgentLegEnded`` and
  ``CallEnded`` forget it (the PBX reports ``MonitorEnded`` as well).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from acd.engine import AcdEngine
from acd.errors import AcdError
from callcenter.core.messages import AgentReply, SupervisorCommand
from callcenter.domain import commands as cmd
from callcenter.domain.events import (
    AgentLegEnded,
    AgentState,
    CallEnded,
    DomainEvent,
)
from callcenter.domain.ids import AgentId, CallId
from callcenter.domain.supervision import (
    MonitorEnded,
    MonitorFailed,
    MonitorMode,
    MonitorModeChanged,
    MonitorStarted,
)

Json = dict[str, str | float | None]


class MonitorRefusedError(Exception):
    """A monitor request that cannot be carried out; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        """Refuse with ``code`` (crosses HTTP) and a ``message`` for people."""
        super().__init__(message)
        self.code = code


@dataclass(slots=True)
class MonitorSession:
    """One supervisor's phone on one agent's call (asked for, or in it)."""

    call_id: CallId
    agent_id: AgentId
    supervisor: str
    endpoint: str
    mode: MonitorMode
    started: bool = False
    since: float = 0.0

    def as_json(self) -> dict[str, str | float | bool]:
        """Return the JSON-ready form (REST API)."""
        return {
            "call_id": self.call_id,
            "agent_id": self.agent_id,
            "supervisor": self.supervisor,
            "endpoint": self.endpoint,
            "mode": self.mode.value,
            "started": self.started,
            "since": self.since,
        }


class MonitorBook:
    """The monitor sessions of the center; see the module docstring."""

    def __init__(self, acd: AcdEngine) -> None:
        """Check requests against the agents of ``acd``."""
        self._acd = acd
        self._by_endpoint: dict[str, MonitorSession] = {}

    @property
    def sessions(self) -> tuple[MonitorSession, ...]:
        """Return every session, oldest first."""
        return tuple(sorted(self._by_endpoint.values(), key=lambda s: s.since))

    def handle(self, command: SupervisorCommand, now: float) -> list[object]:
        """Return the PBX commands for a monitor request and exactly one reply."""
        try:
            if command.action == "monitor":
                out, what, extra = self._monitor(command, now)
            else:
                out, what, extra = self._stop(command)
        except MonitorRefusedError as exc:
            return [self._reply(command, ok=False, code=exc.code, message=str(exc))]
        except AcdError as exc:
            code = getattr(exc, "code", "rejected")
            return [self._reply(command, ok=False, code=code, message=str(exc))]
        extra["monitor"] = what
        return [*out, self._reply(command, ok=True, code="ok", extra=extra)]

    def observe(self, event: DomainEvent) -> None:
        """Fold in what the PBX reports, and forget sessions whose call is over."""
        match event:
            case MonitorStarted():
                self._by_endpoint[event.endpoint] = MonitorSession(
                    call_id=event.call_id, agent_id=event.agent_id,
                    supervisor=event.supervisor, endpoint=event.endpoint,
                    mode=event.mode, started=True, since=event.at,
                )  # fmt: skip
            case MonitorModeChanged():
                session = self._session(event.endpoint, event.call_id)
                if session is not None:
                    session.mode = event.mode
            case MonitorEnded():
                if self._session(event.endpoint, event.call_id) is not None:
                    del self._by_endpoint[event.endpoint]
            case MonitorFailed():
                session = self._session(event.endpoint, event.call_id)
                if session is not None and not session.started:
                    del self._by_endpoint[event.endpoint]  # a failed change keeps it
            case AgentLegEnded() | CallEnded():
                self._forget(event.call_id)

    # --- requests --------------------------------------------------------------------

    def _monitor(
        self, command: SupervisorCommand, now: float
    ) -> tuple[list[object], str, Json]:
        mode, endpoint = _mode(command.args), _endpoint(command.args)
        call_id = self._talking(command.agent_id, now)
        extra: Json = {"call_id": call_id, "endpoint": endpoint, "mode": mode.value}
        session = self._by_endpoint.get(endpoint)
        if session is not None and session.call_id != call_id:
            msg = f"{endpoint} is monitoring agent {session.agent_id}: stop that first"
            raise MonitorRefusedError("monitor_busy", msg)
        if session is not None and not session.started:
            msg = f"{endpoint} has not answered yet: pick up first"
            raise MonitorRefusedError("monitor_pending", msg)
        if session is not None and session.mode is mode:
            return [], "unchanged", extra  # nothing for the PBX to do
        if session is None:
            self._by_endpoint[endpoint] = MonitorSession(
                call_id=call_id, agent_id=command.agent_id,
                supervisor=command.supervisor, endpoint=endpoint, mode=mode,
                since=now,
            )  # fmt: skip
        request = cmd.MonitorCall(
            call_id=call_id, agent_id=command.agent_id,
            supervisor=command.supervisor, endpoint=endpoint, mode=mode,
        )  # fmt: skip
        return [request], "requested", extra

    def _stop(self, command: SupervisorCommand) -> tuple[list[object], str, Json]:
        mine = [
            s
            for s in self._by_endpoint.values()
            if s.agent_id == command.agent_id and s.supervisor == command.supervisor
        ]
        if not mine:
            msg = f"{command.supervisor} is not monitoring agent {command.agent_id}"
            raise MonitorRefusedError("not_monitoring", msg)
        stops: list[object] = [
            cmd.StopMonitor(call_id=s.call_id, agent_id=s.agent_id, endpoint=s.endpoint)
            for s in mine
        ]
        extra: Json = {"call_id": mine[0].call_id, "endpoint": mine[0].endpoint}
        return stops, "stopping", extra

    def _talking(self, agent: AgentId, now: float) -> CallId:
        view = self._acd.agent_view(agent, now)
        if view.state is not AgentState.ON_CALL or view.call_id is None:
            msg = f"agent {agent} is not on a call ({view.state.value})"
            raise MonitorRefusedError("no_call", msg)
        return view.call_id

    # --- bookkeeping -----------------------------------------------------------------

    def _session(self, endpoint: str, call_id: CallId) -> MonitorSession | None:
        session = self._by_endpoint.get(endpoint)
        return session if session is not None and session.call_id == call_id else None

    def _forget(self, call_id: CallId) -> None:
        for endpoint in [
            e for e, s in self._by_endpoint.items() if s.call_id == call_id
        ]:
            del self._by_endpoint[endpoint]

    def _reply(
        self,
        command: SupervisorCommand,
        *,
        ok: bool,
        code: str,
        message: str = "",
        extra: Json | None = None,
    ) -> AgentReply:
        try:
            state = str(self._acd.agent_state(command.agent_id))
        except AcdError:
            state = "unknown"
        return AgentReply(
            agent_id=command.agent_id,
            request_id=command.request_id,
            ok=ok,
            code=code,
            message=message,
            state={"state": state, **(extra or {})},
        )


def _mode(args: Mapping[str, str]) -> MonitorMode:
    try:
        return MonitorMode(args.get("mode", MonitorMode.LISTEN.value))
    except ValueError:
        modes = ", ".join(m.value for m in MonitorMode)
        msg = f"mode must be one of {modes}"
        raise MonitorRefusedError("bad_request", msg) from None


def _endpoint(args: Mapping[str, str]) -> str:
    endpoint = args.get("endpoint", "").strip()
    if not endpoint:
        msg = "no phone to reach the supervisor on (endpoint)"
        raise MonitorRefusedError("bad_request", msg)
    return endpoint
