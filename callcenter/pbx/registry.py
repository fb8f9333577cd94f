"""What the Asterisk adapter knows of live channels: legs by Uniqueid, calls by call id.

Pure bookkeeping (no I/O, no clock): the translator reads and updates it for every AMI
event, the adapter for every FastAGI session and command. A call has one caller leg
(the channel running our AGI, or the one we originated) and at most one agent leg at a
time (the ``DestUniqueid`` of the caller's ``DialBegin``). Every other channel that
carries the call's ``Linkedid`` (``Local/`` halves, the agent's own dialplan leg) is
deliberately unknown here, so translation ignores it. Supervisors' phones spying on
agents' channels are kept apart, in ``spies`` (``callcenter.pbx.spies``).
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from callcenter.domain.events import Party
from callcenter.domain.ids import AgentId, CallId
from callcenter.pbx.hold import Release
from callcenter.pbx.spies import SpyRegistry

_LOCAL_HALF = re.compile(r";[12]$")
_CHANNEL_SEQUENCE = re.compile(r"-[0-9a-fA-F]{8,}$")


class Role(StrEnum):
    """Which side of a call a known channel is."""

    CALLER = "caller"
    AGENT = "agent"


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryRule:
    """A dialplan step that makes a channel a caller of the call center.

    In production every inbound call runs ``AGI(agi://host:4573/callcenter)``; a
    ``Newexten`` for that application announces the call even before the FastAGI
    connection arrives. Tests of ``app_queue`` transcripts enter on ``Queue``.
    """

    application: str = "AGI"
    data_contains: str = "/callcenter"

    def matches(self, application: str, data: str) -> bool:
        """Return whether a ``Newexten`` running ``application(data)`` is an entry."""
        return (
            application.lower() == self.application.lower()
            and self.data_contains in data
        )


@dataclass(slots=True)
class Leg:
    """One channel that matters: the caller's or an agent's."""

    uniqueid: str
    name: str
    call_id: CallId
    role: Role
    agent_id: AgentId | None = None
    answered: bool = False
    settled: bool = False  # the dial outcome (answer / no answer) was reported
    cancelled: bool = False  # we stopped the ring ourselves: no AgentNoAnswer


@dataclass(slots=True)
class CallState:
    """One call: its caller leg, the agent it rings or talks to, how it is ending."""

    call_id: CallId
    caller: str  # Uniqueid of the caller leg
    linkedid: str
    number: str = ""
    expected: tuple[AgentId, str] | None = None  # (agent, endpoint) we asked to ring
    agent_leg: str | None = None
    leaving: Party | None = None  # set by (Soft)HangupRequest on the caller leg
    answered: bool = False
    callback: bool = False
    held: bool = False  # both channels are apart in [callcenter-hold] (pbx.hold)


class ChannelRegistry:
    """Legs keyed by ``Uniqueid`` and calls keyed by call id (the ``Linkedid``)."""

    def __init__(
        self,
        *,
        entry: tuple[EntryRule, ...] = (EntryRule(),),
        agent_endpoint: str = "PJSIP/{agent}",
    ) -> None:
        """Recognise callers by ``entry`` and agents' channels by ``agent_endpoint``."""
        self.entry = entry
        prefix, _, suffix = agent_endpoint.partition("{agent}")
        self._agent_pattern = re.compile(
            re.escape(prefix) + r"(?P<agent>[^/;@]+?)" + re.escape(suffix) + "$"
        )
        self._legs: dict[str, Leg] = {}
        self._calls: dict[CallId, CallState] = {}
        self._originates: dict[str, CallId] = {}
        self.spies = SpyRegistry()
        self.releases: list[Release] = []  # follow-ups of held calls (pbx.hold)

    # --- queries ---------------------------------------------------------------------

    @property
    def calls(self) -> tuple[CallState, ...]:
        """Return every live call."""
        return tuple(self._calls.values())

    def call(self, call_id: CallId) -> CallState | None:
        """Return the live call ``call_id``, if any."""
        return self._calls.get(call_id)

    def leg(self, uniqueid: str | None) -> Leg | None:
        """Return the known leg with this ``Uniqueid``, if any."""
        return self._legs.get(uniqueid) if uniqueid else None

    def call_of(self, uniqueid: str | None) -> CallState | None:
        """Return the call a known leg belongs to."""
        leg = self.leg(uniqueid)
        return self._calls.get(leg.call_id) if leg else None

    def call_by_linkedid(self, linkedid: str) -> CallState | None:
        """Return the call whose channels carry ``linkedid``."""
        for call in self._calls.values():
            if linkedid == call.linkedid:
                return call
        return None

    def caller_leg(self, call_id: CallId) -> Leg | None:
        """Return the caller's leg of ``call_id``."""
        call = self._calls.get(call_id)
        return self._legs.get(call.caller) if call else None

    def agent_leg(self, call_id: CallId) -> Leg | None:
        """Return the agent leg currently attached to ``call_id``."""
        call = self._calls.get(call_id)
        return self._legs.get(call.agent_leg) if call and call.agent_leg else None

    def is_entry(self, application: str, data: str) -> bool:
        """Return whether running ``application(data)`` makes a channel a caller."""
        return any(rule.matches(application, data) for rule in self.entry)

    def agent_from_channel(self, name: str) -> AgentId | None:
        """Return the agent whose endpoint this channel name is (``PJSIP/1001-0a``)."""
        endpoint = _CHANNEL_SEQUENCE.sub("", _LOCAL_HALF.sub("", name))
        match = self._agent_pattern.match(endpoint)
        return AgentId(match["agent"]) if match else None

    # --- changes ---------------------------------------------------------------------

    def offer(
        self,
        *,
        uniqueid: str,
        linkedid: str,
        name: str,
        number: str = "",
        call_id: CallId | None = None,
    ) -> CallState | None:
        """Register a new caller leg and its call; ``None`` when already known."""
        if uniqueid in self._legs:
            return None
        call_id = call_id or CallId(linkedid or uniqueid)
        if call_id in self._calls:
            return None
        call = CallState(
            call_id=call_id, caller=uniqueid, linkedid=linkedid or uniqueid
        )
        call.number = number
        self._calls[call_id] = call
        self._legs[uniqueid] = Leg(
            uniqueid=uniqueid, name=name, call_id=call_id, role=Role.CALLER
        )
        return call

    def add_agent_leg(
        self, call: CallState, *, uniqueid: str, name: str, agent_id: AgentId
    ) -> Leg:
        """Attach the channel ringing ``agent_id`` to ``call`` (replacing any older)."""
        leg = Leg(
            uniqueid=uniqueid,
            name=name,
            call_id=call.call_id,
            role=Role.AGENT,
            agent_id=agent_id,
        )
        self._legs[uniqueid] = leg
        call.agent_leg = uniqueid
        call.expected = None
        return leg

    def drop_leg(self, uniqueid: str) -> Leg | None:
        """Forget one leg (an agent's channel that hung up)."""
        leg = self._legs.pop(uniqueid, None)
        call = self._calls.get(leg.call_id) if leg else None
        if call is not None and call.agent_leg == uniqueid:
            call.agent_leg = None
        return leg

    def rename(self, uniqueid: str, name: str) -> None:
        """Follow a channel rename (masquerade)."""
        leg = self._legs.get(uniqueid)
        if leg is not None:
            leg.name = name

    def expect_agent(self, call_id: CallId, agent_id: AgentId, endpoint: str) -> None:
        """Note that we are about to ring ``agent_id`` at ``endpoint`` for the call."""
        call = self._calls.get(call_id)
        if call is not None:
            call.expected = (agent_id, endpoint)

    def cancel_ring(self, call_id: CallId) -> Leg | None:
        """Mark the ring of the call's agent as stopped by us; return that leg."""
        call = self._calls.get(call_id)
        if call is None:
            return None
        call.expected = None
        leg = self.agent_leg(call_id)
        if leg is not None and not leg.answered:
            leg.cancelled = True
            return leg
        return None

    def expect_originate(self, action_id: str, call_id: CallId) -> None:
        """Remember which call an ``Originate`` (by ``ActionID``) is for."""
        self._originates[action_id] = call_id

    def take_originate(self, action_id: str | None) -> CallId | None:
        """Return and forget the call of an ``OriginateResponse``."""
        return self._originates.pop(action_id, None) if action_id else None

    def take_releases(self) -> list[Release]:
        """Return and forget the follow-ups of held calls queued by translation."""
        releases, self.releases = self.releases, []
        return releases

    def end(self, call_id: CallId) -> CallState | None:
        """Forget a call and all its legs; return it, or ``None`` if already gone."""
        call = self._calls.pop(call_id, None)
        if call is None:
            return None
        for uniqueid in [u for u, leg in self._legs.items() if leg.call_id == call_id]:
            del self._legs[uniqueid]
        return call
