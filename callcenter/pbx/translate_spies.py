"""AMI events of supervisors' spy channels -> monitor events (pure).

``translate`` hands every AMI event here first; an event that is no spy's business
returns ``None`` and goes on to the call rules. The rules (``callcenter.pbx.spies``
explains how a spy is set up):

* ``OriginateResponse`` of a spy's Originate: a failure (the phone did not answer,
  is busy or unreachable) -> ``MonitorFailed`` ``not_answered``; success waits for
  ChanSpy to start.
* ``ChanSpyStart`` whose spyer is our spy -> ``MonitorStarted``.
* ``DTMFEnd`` received on the spy channel, 4/5/6 (ChanSpy's ``d``: our ``PlayDTMF``
  or the supervisor's keypad) -> ``MonitorModeChanged``, once.
* ``Hangup`` of the spy channel -> ``MonitorEnded``: ``stopped`` when we hung it
  up (also while it still rang), ``call_ended`` when the agent's channel is already
  gone (ChanSpy's ``E``), else ``hung_up`` (the supervisor hung up, or keyed ``*``).
  Any other spy that never started -> ``MonitorFailed`` (``call_ended`` or
  ``not_answered``).

Every event about a spy channel that names it keeps ``Spy.name`` current (the
actions address the channel by name; until a name is known, by its Uniqueid, which
Asterisk accepts as well). ``resync_spies`` treats a spy missing from a
``CoreShowChannels`` snapshot as hung up while we were disconnected.
"""

from collections.abc import Collection

from callcenter.ami.messages import Event
from callcenter.domain.events import DomainEvent
from callcenter.domain.supervision import (
    MonitorEndReason,
    MonitorFailed,
    MonitorStarted,
)
from callcenter.pbx.registry import ChannelRegistry
from callcenter.pbx.spies import KEY_MODE, Spy, changed, ended

_NOT_ANSWERED = {
    "0": "failed",
    "1": "hung up",
    "3": "no answer",
    "5": "busy",
    "8": "congestion",
}


def translate_spy(
    event: Event, registry: ChannelRegistry, now: float
) -> list[DomainEvent] | None:
    """Return the monitor events ``event`` means, or ``None`` if no spy's business."""
    spies = registry.spies
    if not spies:
        return None
    kind = event.name.lower()
    if kind == "originateresponse":
        spy = spies.of_action(event.action_id)
        return None if spy is None else _originate_response(spy, event, registry, now)
    if kind == "chanspystart":
        spy = spies.get(event.get("SpyerUniqueid"))
        return None if spy is None else _started(spy, event, now)
    spy = spies.get(event.uniqueid)
    return None if spy is None else _on_channel(spy, kind, event, registry, now)


def _started(spy: Spy, event: Event, now: float) -> list[DomainEvent]:
    spy.name = event.get("SpyerChannel") or spy.name
    if spy.started:
        return []
    spy.started = True
    return [MonitorStarted(at=now, mode=spy.mode, **spy.who())]


def _on_channel(
    spy: Spy, kind: str, event: Event, registry: ChannelRegistry, now: float
) -> list[DomainEvent]:
    spy.name = event.get("Channel") or spy.name
    if kind == "rename":
        spy.name = event.get("Newname") or spy.name
    elif kind == "hangup":
        return gone(spy, registry, now)
    elif kind == "dtmfend" and spy.started:
        mode = KEY_MODE.get(event.get("Digit") or "")
        received = (event.get("Direction") or "").lower() == "received"
        return changed(spy, mode, now) if mode is not None and received else []
    return []


def gone(spy: Spy, registry: ChannelRegistry, now: float) -> list[DomainEvent]:
    """Forget a spy whose channel hung up; return how its monitor ended."""
    registry.spies.close(spy)
    agent_gone = registry.leg(spy.target) is None
    if spy.ending is not None:  # we hung it up (even while it still rang)
        return [ended(spy, now, spy.ending)]
    if spy.started:
        reason = MonitorEndReason.CALL_ENDED if agent_gone else MonitorEndReason.HUNG_UP
        return [ended(spy, now, reason)]
    if agent_gone:
        return [_failure(spy, now, "call_ended", "the call ended before it started")]
    return [_failure(spy, now, "not_answered", f"{spy.endpoint} did not take it")]


def resync_spies(
    present: Collection[str], registry: ChannelRegistry, now: float
) -> list[DomainEvent]:
    """End the spies whose channels vanished while the AMI was away."""
    out: list[DomainEvent] = []
    for spy in registry.spies.all:
        if spy.uniqueid not in present:
            out += gone(spy, registry, now)
    return out


def _originate_response(
    spy: Spy, event: Event, registry: ChannelRegistry, now: float
) -> list[DomainEvent]:
    if (event.get("Response") or "").lower() != "failure":
        spy.name = event.get("Channel") or spy.name
        return []
    if spy.ending is not None:
        return gone(spy, registry, now)  # we hung it up while it rang
    registry.spies.close(spy)
    reason = event.get("Reason") or ""
    why = _NOT_ANSWERED.get(reason, f"reason {reason}")
    message = f"the supervisor's phone {spy.endpoint} did not answer ({why})"
    return [_failure(spy, now, "not_answered", message)]


def _failure(spy: Spy, now: float, code: str, message: str) -> MonitorFailed:
    return MonitorFailed(at=now, mode=spy.mode, code=code, message=message, **spy.who())
