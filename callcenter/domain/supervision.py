"""Supervisors listening to, coaching and barging into agents' calls.

A supervisor is reached on their own phone (``endpoint``: ``PJSIP/2001`` on Asterisk,
``sim/2001`` in the simulation). The PBX bridges that phone into the agent's call in
one of three modes, and reports what really happened with the events below, so that
the wallboard and the audit trail can show who is monitoring whom:

* ``MonitorStarted``: the supervisor's phone is in the call (on Asterisk: answered,
  and ChanSpy is on the agent's channel);
* ``MonitorModeChanged``: listen, whisper and barge switched without a new call;
* ``MonitorEnded``: stopped on request, the supervisor hung up, or the agent's part
  of the call is over (a monitor never outlives the agent's conversation);
* ``MonitorFailed``: the PBX could not start or change it (``code`` is stable).

Monitoring is confidential: these events, and a supervisor's monitor requests, are
for supervisors only and never travel to an agent's console (``is_confidential``).
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypedDict

from callcenter.domain.events import DomainEvent, SupervisorActed
from callcenter.domain.ids import AgentId, CallId


class MonitorParties(TypedDict):
    """The fields naming a monitor in every event about it (a PBX's ``**who``)."""

    call_id: CallId
    agent_id: AgentId
    supervisor: str
    endpoint: str


class MonitorSession(Protocol):
    """A PBX's record of one supervisor's phone in one call (simulated or a spy)."""

    call_id: CallId
    agent_id: AgentId
    supervisor: str
    endpoint: str


def parties(session: MonitorSession) -> MonitorParties:
    """Return the fields every monitor event of ``session`` carries."""
    return {
        "call_id": session.call_id,
        "agent_id": session.agent_id,
        "supervisor": session.supervisor,
        "endpoint": session.endpoint,
    }


class MonitorMode(StrEnum):
    """Who hears the supervisor."""

    LISTEN = "listen"  # silent monitoring: hears both sides, nobody hears them
    WHISPER = "whisper"  # coaching: the agent hears them, the caller does not
    BARGE = "barge"  # joins the call: everybody hears everybody


class MonitorEndReason(StrEnum):
    """Why a monitor ended."""

    STOPPED = "stopped"  # a supervisor asked (web page or API)
    HUNG_UP = "hung_up"  # the supervisor hung up their phone
    CALL_ENDED = "call_ended"  # the agent's part of the call is over


MONITOR_ACTIONS = frozenset({"monitor", "stop_monitor"})
"""The ``SupervisorActed.action`` values of monitor requests (confidential too)."""

MONITOR_ENDED = "monitor_ended"
"""The ``SupervisorActed.action`` auditing a monitor that ended without a request."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitorEvent(DomainEvent):
    """Base of the monitor events: whose call, which supervisor, on which phone."""

    call_id: CallId
    agent_id: AgentId
    supervisor: str
    endpoint: str
    mode: MonitorMode


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitorStarted(MonitorEvent):
    """The supervisor's phone is bridged into the agent's call in ``mode``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitorModeChanged(MonitorEvent):
    """The supervisor switched from ``previous`` to ``mode`` on the same phone call."""

    previous: MonitorMode


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitorEnded(MonitorEvent):
    """The supervisor's phone left the call; ``mode`` is the last mode."""

    reason: MonitorEndReason


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitorFailed(MonitorEvent):
    """The PBX could not start (or change) a monitor; ``mode`` is what was asked.

    ``code`` is stable: ``no_agent_channel`` (the agent is not talking on that call
    on the PBX), ``not_answered`` (the supervisor's phone did not answer),
    ``phone_busy`` (that phone already monitors another call), ``refused`` (the PBX
    refused the request), ``call_ended`` (the call ended before it started).
    """

    code: str
    message: str


def is_confidential(event: DomainEvent) -> bool:
    """Return whether only supervisors may see ``event`` (never an agent's console)."""
    if isinstance(event, MonitorEvent):
        return True
    return isinstance(event, SupervisorActed) and (
        event.action in MONITOR_ACTIONS or event.action == MONITOR_ENDED
    )


def ended_by_itself(event: DomainEvent) -> SupervisorActed | None:
    """Return the audit entry of a monitor that ended without a stop request.

    The audit keeps who listened to which call and until when: a stop request is
    audited as it is made, but a monitor also ends when the agent's talk is over or
    the supervisor hangs up their phone, and that end is audited here.
    """
    if not isinstance(event, MonitorEnded) or event.reason is MonitorEndReason.STOPPED:
        return None
    args = {"call_id": event.call_id, "endpoint": event.endpoint,
            "mode": event.mode.value}  # fmt: skip
    return SupervisorActed(
        at=event.at, supervisor=event.supervisor, agent_id=event.agent_id,
        action=MONITOR_ENDED, args=args, ok=True, code=event.reason.value,
    )  # fmt: skip
