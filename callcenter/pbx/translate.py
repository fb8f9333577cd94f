"""PBX -> domain translation: AMI events in, domain events out (pure).

Theory of operation. ``translate(event, registry, now)`` looks at one AMI event and
the ``ChannelRegistry`` (which it updates) and returns the domain events it means.
Channels are keyed by ``Uniqueid``, calls by ``Linkedid``; a channel the registry does
not know (``Local/`` halves, the agent's own dialplan leg, other traffic on the PBX)
produces nothing. The rules, one AMI event each:

* ``Newexten`` of an entry application (our ``AGI``) on an unknown channel: the
  channel is a caller -> ``CallOffered`` (call id = its ``Linkedid``).
* ``DialBegin`` from a caller -> the destination is the agent leg -> ``AgentRinging``
  (the agent is the one we asked to ring, else read from the channel name).
* ``DialEnd`` of that leg: ``ANSWER`` -> ``CallAnswered``; any other status ->
  ``AgentNoAnswer``, once per leg, and not when the caller is leaving or we cancelled
  the ring ourselves. ``BridgeEnter`` of an unanswered agent leg -> ``CallAnswered``.
* ``HangupRequest`` on the caller leg: the caller is leaving; ``SoftHangupRequest``:
  the PBX (dialplan, our Hangup) ends it. ``Hangup`` of the caller -> ``CallEnded``
  with that party; of an answered agent leg while the caller stays ->
  ``AgentLegEnded``. Either side of a held call hanging up also queues the other
  side's follow-up (``callcenter.pbx.hold``).
* ``OriginateResponse`` of a callback -> ``OriginateFinished`` (Reason 4 = answered).

``Queue*``/``Agent*`` (app_queue), ``Newstate``, ``DTMF*``, ``Hold`` and the music on
hold events are deliberately ignored: the ACD is ours, digits come through the AGI
session, and ``Dial*``/``Hangup`` already say everything the core needs. Events of
supervisors' spy channels go to ``translate_spies`` first.
``resync`` turns a ``CoreShowChannels`` snapshot into the events missed meanwhile.
"""

from collections.abc import Callable, Iterable

from callcenter.ami.messages import Event
from callcenter.domain.events import (
    AgentLegEnded,
    AgentNoAnswer,
    AgentRinging,
    CallAnswered,
    CallEnded,
    CallOffered,
    DomainEvent,
    OriginateFinished,
    Party,
)
from callcenter.pbx import hold
from callcenter.pbx.registry import CallState, ChannelRegistry, Leg, Role
from callcenter.pbx.translate_spies import resync_spies, translate_spy

Rule = Callable[[Event, ChannelRegistry, float], list[DomainEvent]]

_UNKNOWN = {"<unknown>", "unknown"}
_ORIGINATE_REASONS = {
    "0": "failed",
    "1": "hung up",
    "3": "no answer",
    "5": "busy",
    "8": "congestion",
}


def translate(event: Event, registry: ChannelRegistry, now: float) -> list[DomainEvent]:
    """Return the domain events ``event`` means, updating ``registry``."""
    spied = translate_spy(event, registry, now)
    if spied is not None:
        return spied
    leg = registry.leg(event.uniqueid)
    channel = event.get("Channel")
    if leg is not None and channel and channel != leg.name:
        leg.name = channel  # masquerades, and callbacks named by Uniqueid so far
    rule = _RULES.get(event.name.lower())
    return rule(event, registry, now) if rule is not None else []


def _clean(value: str | None) -> str:
    return "" if value is None or value in _UNKNOWN else value


def offered(call: CallState, event: Event, now: float) -> CallOffered:
    """Return the ``CallOffered`` of a caller seen on the AMI (event or snapshot)."""
    return CallOffered(
        at=now,
        call_id=call.call_id,
        caller_number=call.number,
        dialed_number=_clean(event.get("Exten")),
        caller_name=_clean(event.get("CallerIDName")),
    )


def _newexten(event: Event, registry: ChannelRegistry, now: float) -> list[DomainEvent]:
    uniqueid = event.uniqueid
    application, data = event.get("Application", ""), event.get("AppData", "")
    if not uniqueid or not registry.is_entry(application or "", data or ""):
        return []
    call = registry.offer(
        uniqueid=uniqueid,
        linkedid=event.linkedid or uniqueid,
        name=event.get("Channel", "") or "",
        number=_clean(event.get("CallerIDNum")),
    )
    return [offered(call, event, now)] if call is not None else []


def _caller(event: Event, registry: ChannelRegistry) -> CallState | None:
    leg = registry.leg(event.uniqueid)
    if leg is None or leg.role is not Role.CALLER:
        return None
    return registry.call(leg.call_id)


def _dial_begin(
    event: Event, registry: ChannelRegistry, now: float
) -> list[DomainEvent]:
    call = _caller(event, registry)
    dest_uid, dest = event.get("DestUniqueid"), event.get("DestChannel", "") or ""
    if call is None or not dest_uid:
        return []
    agent = call.expected[0] if call.expected else registry.agent_from_channel(dest)
    if agent is None:
        return []
    registry.add_agent_leg(call, uniqueid=dest_uid, name=dest, agent_id=agent)
    return [AgentRinging(at=now, call_id=call.call_id, agent_id=agent)]


def _answered(call: CallState, leg: Leg, now: float) -> list[DomainEvent]:
    leg.answered = leg.settled = True
    call.answered = True
    assert leg.agent_id is not None  # noqa: S101 - agent legs always name their agent
    return [CallAnswered(at=now, call_id=call.call_id, agent_id=leg.agent_id)]


def _dial_end(event: Event, registry: ChannelRegistry, now: float) -> list[DomainEvent]:
    call = _caller(event, registry)
    leg = registry.leg(event.get("DestUniqueid"))
    if call is None or leg is None or leg.role is not Role.AGENT or leg.settled:
        return []
    if (event.get("DialStatus") or "").upper() == "ANSWER":
        return _answered(call, leg, now)
    leg.settled = True
    if leg.cancelled or call.leaving is not None or leg.agent_id is None:
        return []
    return [AgentNoAnswer(at=now, call_id=call.call_id, agent_id=leg.agent_id)]


def _bridge_enter(
    event: Event, registry: ChannelRegistry, now: float
) -> list[DomainEvent]:
    leg = registry.leg(event.uniqueid)
    if leg is None or leg.role is not Role.AGENT or leg.answered or leg.cancelled:
        return []
    call = registry.call(leg.call_id)
    return _answered(call, leg, now) if call is not None else []


def _hangup_request(party: Party) -> Rule:
    def rule(event: Event, registry: ChannelRegistry, now: float) -> list[DomainEvent]:
        del now
        call = _caller(event, registry)
        if call is not None and call.leaving is None:
            call.leaving = party
        return []

    return rule


def _hangup(event: Event, registry: ChannelRegistry, now: float) -> list[DomainEvent]:
    leg = registry.leg(event.uniqueid)
    call = registry.call(leg.call_id) if leg is not None else None
    if leg is None or call is None:
        return []
    hold.after_hangup(call, leg, registry)
    if leg.role is Role.CALLER:
        registry.end(call.call_id)
        by = call.leaving or Party.CALLER
        return [CallEnded(at=now, call_id=call.call_id, by=by)]
    registry.drop_leg(leg.uniqueid)
    if leg.answered and call.leaving is None and leg.agent_id is not None:
        return [AgentLegEnded(at=now, call_id=call.call_id, agent_id=leg.agent_id)]
    return []


def _rename(event: Event, registry: ChannelRegistry, now: float) -> list[DomainEvent]:
    del now
    if event.uniqueid:
        registry.rename(event.uniqueid, event.get("Newname", "") or "")
    return []


def _originate_response(
    event: Event, registry: ChannelRegistry, now: float
) -> list[DomainEvent]:
    call_id = registry.take_originate(event.action_id)
    if call_id is None:
        return []
    reason = event.get("Reason", "") or ""
    answered = reason == "4"
    if not answered:
        registry.end(call_id)
    text = "" if answered else _ORIGINATE_REASONS.get(reason, f"reason {reason}")
    return [OriginateFinished(at=now, call_id=call_id, answered=answered, reason=text)]


_RULES: dict[str, Rule] = {
    "newexten": _newexten,
    "dialbegin": _dial_begin,
    "dialend": _dial_end,
    "bridgeenter": _bridge_enter,
    "hanguprequest": _hangup_request(Party.CALLER),
    "softhanguprequest": _hangup_request(Party.SYSTEM),
    "hangup": _hangup,
    "rename": _rename,
    "originateresponse": _originate_response,
}


# --- resynchronisation after a reconnect ----------------------------------------------


def resync(
    channels: Iterable[Event], registry: ChannelRegistry, now: float
) -> list[DomainEvent]:
    """Rebuild ``registry`` from a ``CoreShowChannels`` snapshot.

    Calls whose caller vanished while we were disconnected end (``CallEnded`` by the
    system: nobody can tell who hung up); an agent leg that vanished ends its part;
    channels that appeared are adopted: callers in our AGI are offered, agent legs of
    known calls ring or talk.
    """
    present = {event.uniqueid: event for event in channels if event.uniqueid}
    out = _vanished(present, registry, now) + resync_spies(present, registry, now)
    for uniqueid, event in present.items():
        if registry.leg(uniqueid) is None:
            out += _adopt(uniqueid, event, registry, now)
    return out


def _vanished(
    present: dict[str, Event], registry: ChannelRegistry, now: float
) -> list[DomainEvent]:
    out: list[DomainEvent] = []
    for call in registry.calls:
        caller = registry.caller_leg(call.call_id)
        if call.caller not in present:
            if caller is not None:
                hold.after_hangup(call, caller, registry)
            registry.end(call.call_id)
            out.append(CallEnded(at=now, call_id=call.call_id, by=Party.SYSTEM))
            continue
        registry.rename(call.caller, present[call.caller].get("Channel", "") or "")
        leg = registry.agent_leg(call.call_id)
        if leg is None or leg.uniqueid in present or leg.agent_id is None:
            continue
        hold.after_hangup(call, leg, registry)
        registry.drop_leg(leg.uniqueid)
        if leg.answered:
            out.append(
                AgentLegEnded(at=now, call_id=call.call_id, agent_id=leg.agent_id)
            )
        elif not (leg.settled or leg.cancelled):
            out.append(
                AgentNoAnswer(at=now, call_id=call.call_id, agent_id=leg.agent_id)
            )
    return out


def _adopt(
    uniqueid: str, event: Event, registry: ChannelRegistry, now: float
) -> list[DomainEvent]:
    name = event.get("Channel", "") or ""
    application = event.get("Application", "") or ""
    if registry.is_entry(application, event.get("ApplicationData", "") or ""):
        call = registry.offer(
            uniqueid=uniqueid,
            linkedid=event.linkedid or uniqueid,
            name=name,
            number=_clean(event.get("CallerIDNum")),
        )
        return [offered(call, event, now)] if call is not None else []
    call = registry.call_by_linkedid(event.linkedid or "")
    agent = registry.agent_from_channel(name)
    if call is None or agent is None or call.agent_leg or name.endswith(";2"):
        return []
    leg = registry.add_agent_leg(call, uniqueid=uniqueid, name=name, agent_id=agent)
    if (event.get("ChannelStateDesc") or "").lower() == "up":
        already = call.answered
        answered = _answered(call, leg, now)
        return [] if already else answered
    return [AgentRinging(at=now, call_id=call.call_id, agent_id=agent)]
