"""What each agent's console should show, kept from the bus for resyncs.

A console that (re)connects asks for ``status``: its agent's state, the call it has
(with the screen-pop record built when the phone rang) and its queues. ``Desks``
listens to the bus and remembers exactly that, per agent, so the answer never
depends on the console having seen every event. Pure bookkeeping: no I/O.
"""

from dataclasses import dataclass, field
from typing import Any

from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId


@dataclass(slots=True)
class DeskCall:
    """The call an agent has, as the console shows it."""

    call_id: CallId
    queue: str = ""
    caller_number: str = ""
    state: str = "offered"
    """offered, ringing, talking, held, consulting or ended (wrap-up follows)."""
    since: float = 0.0
    record: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the call as the ``status`` reply carries it."""
        return {
            "call_id": self.call_id,
            "queue": self.queue,
            "caller_number": self.caller_number,
            "state": self.state,
            "since": self.since,
            "record": self.record,
        }


@dataclass(slots=True)
class Desk:
    """One agent's state, reason and call."""

    state: str = ev.AgentState.LOGGED_OUT.value
    reason: str = ""
    since: float = 0.0
    call: DeskCall | None = None


class Desks:
    """A bus listener that keeps every agent's ``Desk`` up to date."""

    def __init__(self) -> None:
        """Start with every agent logged out and no call."""
        self._desks: dict[AgentId, Desk] = {}
        self._agent_of: dict[CallId, AgentId] = {}

    def desk(self, agent_id: AgentId) -> Desk:
        """Return the desk of ``agent_id`` (created on first use)."""
        return self._desks.setdefault(agent_id, Desk())

    def __call__(self, event: ev.DomainEvent) -> None:
        """Take one bus event into account."""
        match event:
            case ev.AgentStateChanged(agent_id=agent):
                desk = self.desk(agent)
                desk.state, desk.reason = event.state.value, event.reason
                desk.since = event.at
            case ev.CallOfferedToAgent(agent_id=agent, call_id=call_id):
                self._assign(agent, DeskCall(call_id=call_id, queue=event.queue))
            case ev.ScreenPopReady(agent_id=agent, call_id=call_id):
                call = self._call(agent, call_id, create=True)
                if call is not None:
                    call.record = event.record
                    call.caller_number = event.caller_number
            case _:
                self._call_event(event)

    def _call_event(self, event: ev.DomainEvent) -> None:
        match event:
            case ev.AgentRinging(agent_id=agent, call_id=call_id):
                self._set(agent, call_id, "ringing", event.at, create=True)
            case ev.CallAnswered(agent_id=agent, call_id=call_id):
                self._set(agent, call_id, "talking", event.at, create=True)
            case ev.AgentNoAnswer(agent_id=agent, call_id=call_id):
                if self._call(agent, call_id) is not None:
                    self.desk(agent).call = None
            case ev.AgentLegEnded(agent_id=agent, call_id=call_id):
                self._set(agent, call_id, "ended", event.at)
            case ev.CallEnded(call_id=call_id) if call_id in self._agent_of:
                self._set(self._agent_of.pop(call_id), call_id, "ended", event.at)

    def set_call_state(self, agent_id: AgentId, call_id: CallId, state: str) -> None:
        """Record a state the bus does not report (held, consulting, talking)."""
        call = self._call(agent_id, call_id)
        if call is not None:
            call.state = state

    def clear_call(self, agent_id: AgentId, call_id: CallId) -> None:
        """Forget the agent's call once its wrap-up is saved."""
        if self._call(agent_id, call_id) is not None:
            self.desk(agent_id).call = None

    def _assign(self, agent: AgentId, call: DeskCall) -> None:
        self.desk(agent).call = call
        self._agent_of[call.call_id] = agent

    def _call(
        self, agent: AgentId, call_id: CallId, *, create: bool = False
    ) -> DeskCall | None:
        call = self.desk(agent).call
        if call is not None and call.call_id == call_id:
            return call
        if not create:
            return None
        fresh = DeskCall(call_id=call_id)
        self._assign(agent, fresh)
        return fresh

    def _set(
        self,
        agent: AgentId,
        call_id: CallId,
        state: str,
        at: float,
        *,
        create: bool = False,
    ) -> None:
        call = self._call(agent, call_id, create=create)
        if call is not None and call.state != state:
            call.state, call.since = state, at
