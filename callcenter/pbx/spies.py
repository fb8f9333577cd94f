"""Supervisors' phones on Asterisk: ChanSpy on the agent's channel (pure bookkeeping).

Theory of operation. ``MonitorCall`` originates the supervisor's phone straight into
the ChanSpy application on the agent's live channel (the registry's agent leg of the
call); no dialplan is needed::

    Action: Originate
    ActionID: monitor-<call id>-spy<n>
    Channel: PJSIP/2001                    (the supervisor's phone)
    Application: ChanSpy
    Data: PJSIP/1001-00000002,qEdu         (+ w to whisper, + B to barge)
    CallerID: "Monitor 1001" <1001>
    Timeout: 30000
    Async: true
    ChannelId: <call id>-spy<n>            (the spy's Uniqueid, known before events)

ChanSpy's options (app_chanspy): ``q`` no beep and no channel name spoken, so nobody
in the call notices; ``E`` exit when the spied-on channel hangs up, so a monitor ends
with the agent's talk; ``d`` the keys 4, 5, 6 switch to spy, whisper, barge (how we
change modes, and a supervisor may key them on the phone); ``u`` the argument is the
exact channel, never a prefix of another agent's (ChanSpy ends at once if it is gone).
Whisper adds ``w`` (the spied-on channel, the agent's, hears the supervisor); barge
adds ``B`` (both channels of the call hear them); listen adds nothing.

A mode change queues the mode's key on the spy channel as if the supervisor had keyed
it (``PlayDTMF`` with ``Receive: true``, Asterisk 16+); stopping hangs the spy channel
up. ``plan`` says what to send for a command (or why not: ``MonitorFailed``), and
``settle`` what Asterisk's answer means; ``translate_spies`` reads the events.
"""

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from callcenter.ami.messages import Action
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
    parties,
)

if TYPE_CHECKING:
    from callcenter.pbx.registry import ChannelRegistry

OPTIONS = "qEdu"
"""ChanSpy options of every monitor (module docstring)."""
MODE_OPTION = {MonitorMode.LISTEN: "", MonitorMode.WHISPER: "w", MonitorMode.BARGE: "B"}
MODE_KEY = {MonitorMode.LISTEN: "4", MonitorMode.WHISPER: "5", MonitorMode.BARGE: "6"}
KEY_MODE = {key: mode for mode, key in MODE_KEY.items()}
RING_SECONDS = 30


@dataclass(slots=True)
class Spy:
    """A supervisor's phone channel running ChanSpy on an agent's channel."""

    uniqueid: str  # the ChannelId we gave the Originate
    name: str  # the channel's name; its Uniqueid until an event tells the name
    call_id: CallId
    agent_id: AgentId
    supervisor: str
    endpoint: str
    mode: MonitorMode
    target: str  # Uniqueid of the agent's channel spied on
    started: bool = False  # ChanSpyStart seen: the supervisor is in the call
    ending: MonitorEndReason | None = None  # set when we hang it up ourselves

    @property
    def action_id(self) -> str:
        """Return the ActionID of the Originate that calls the supervisor's phone."""
        return f"monitor-{self.uniqueid}"

    def who(self) -> MonitorParties:
        """Return the fields every monitor event of this one carries."""
        return parties(self)


class SpyRegistry:
    """Live spies by Uniqueid; one per supervisor's phone."""

    def __init__(self) -> None:
        """Start with no spy."""
        self._spies: dict[str, Spy] = {}
        self._numbers = itertools.count(1)

    def __len__(self) -> int:
        return len(self._spies)

    def get(self, uniqueid: str | None) -> Spy | None:
        """Return the spy whose channel has this Uniqueid."""
        return self._spies.get(uniqueid) if uniqueid else None

    def of_phone(self, endpoint: str) -> Spy | None:
        """Return the spy ringing or running on the supervisor's phone ``endpoint``."""
        return next((s for s in self._spies.values() if s.endpoint == endpoint), None)

    def of_action(self, action_id: str | None) -> Spy | None:
        """Return the spy whose Originate had this ActionID."""
        return next((s for s in self._spies.values() if s.action_id == action_id), None)

    @property
    def all(self) -> tuple[Spy, ...]:
        """Return every live spy."""
        return tuple(self._spies.values())

    def open(self, command: cmd.MonitorCall, target: str) -> Spy:
        """Register the spy of ``command`` on the agent's channel ``target``."""
        uniqueid = f"{command.call_id}-spy{next(self._numbers)}"
        spy = Spy(
            uniqueid=uniqueid, name=uniqueid, call_id=command.call_id,
            agent_id=command.agent_id, supervisor=command.supervisor,
            endpoint=command.endpoint, mode=command.mode, target=target,
        )  # fmt: skip
        self._spies[uniqueid] = spy
        return spy

    def close(self, spy: Spy) -> None:
        """Forget a spy whose channel is gone."""
        self._spies.pop(spy.uniqueid, None)


# --- the AMI actions ------------------------------------------------------------------


def originate(spy: Spy, agent_channel: str) -> Action:
    """Return the Originate that rings the supervisor into ChanSpy on the agent."""
    return Action.create(
        "Originate",
        action_id=spy.action_id,
        Channel=spy.endpoint,
        Application="ChanSpy",
        Data=f"{agent_channel},{OPTIONS}{MODE_OPTION[spy.mode]}",
        CallerID=f'"Monitor {spy.agent_id}" <{spy.agent_id}>',
        Timeout=RING_SECONDS * 1000,
        Async="true",
        ChannelId=spy.uniqueid,
    )


def switch(spy: Spy, mode: MonitorMode) -> Action:
    """Return the PlayDTMF that switches a running ChanSpy (option d) to ``mode``."""
    return Action.create(
        "PlayDTMF", Channel=spy.name, Digit=MODE_KEY[mode], Receive="true"
    )


def hang_up(spy: Spy) -> Action:
    """Return the Hangup of the spy channel (normal clearing)."""
    return Action.create("Hangup", Channel=spy.name, Cause=16)


# --- commands in, actions out ---------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """What a monitor command asks of Asterisk: an action and/or events at once."""

    action: Action | None = None
    events: tuple[DomainEvent, ...] = ()


def plan(
    command: cmd.MonitorCall | cmd.StopMonitor, registry: "ChannelRegistry", now: float
) -> Plan:
    """Return the action for ``command``, registering a new spy at once."""
    spy = registry.spies.of_phone(command.endpoint)
    if isinstance(command, cmd.StopMonitor):
        if spy is None or spy.call_id != command.call_id:
            return Plan()
        spy.ending = MonitorEndReason.STOPPED
        return Plan(action=hang_up(spy))
    if spy is not None and spy.call_id == command.call_id:
        return _switch_plan(spy, command, now)
    if spy is not None:
        busy = f"{command.endpoint} is monitoring call {spy.call_id}"
        return _failed(command, now, "phone_busy", busy)
    leg = registry.agent_leg(command.call_id)
    if leg is None or leg.agent_id != command.agent_id or not leg.answered:
        gone = f"agent {command.agent_id} has no live channel on call {command.call_id}"
        return _failed(command, now, "no_agent_channel", gone)
    spy = registry.spies.open(command, target=leg.uniqueid)
    return Plan(action=originate(spy, leg.name))


def _switch_plan(spy: Spy, command: cmd.MonitorCall, now: float) -> Plan:
    if command.mode is spy.mode:
        return Plan()
    if not spy.started:
        return _failed(command, now, "refused", f"{spy.endpoint} has not answered")
    return Plan(action=switch(spy, command.mode))


def settle(
    command: cmd.MonitorCall | cmd.StopMonitor,
    registry: "ChannelRegistry",
    now: float,
    *,
    ok: bool,
) -> list[DomainEvent]:
    """Return what Asterisk's answer to ``plan``'s action means."""
    spy = registry.spies.of_phone(command.endpoint)
    if spy is None or spy.call_id != command.call_id:
        return []  # its Hangup came first: already reported
    if isinstance(command, cmd.StopMonitor):
        if ok:
            return []  # the Hangup event reports the end
        registry.spies.close(spy)  # no such channel: it is gone already
        return [ended(spy, now, MonitorEndReason.STOPPED)]
    if not ok:
        if not spy.started:
            registry.spies.close(spy)
        refused = f"Asterisk refused to monitor call {command.call_id}"
        return list(_failed(command, now, "refused", refused).events)
    return changed(spy, command.mode, now) if spy.started else []


def changed(spy: Spy, mode: MonitorMode, now: float) -> list[DomainEvent]:
    """Record that ``spy`` is now in ``mode``; return the change, once."""
    if mode is spy.mode:
        return []
    previous, spy.mode = spy.mode, mode
    return [MonitorModeChanged(at=now, mode=mode, previous=previous, **spy.who())]


def ended(spy: Spy, now: float, reason: MonitorEndReason) -> MonitorEnded:
    """Return the end of a spy that had started."""
    return MonitorEnded(at=now, mode=spy.mode, reason=reason, **spy.who())


def _failed(command: cmd.MonitorCall, now: float, code: str, message: str) -> Plan:
    failure = MonitorFailed(
        at=now, call_id=command.call_id, agent_id=command.agent_id,
        supervisor=command.supervisor, endpoint=command.endpoint, mode=command.mode,
        code=code, message=message,
    )  # fmt: skip
    return Plan(events=(failure,))
