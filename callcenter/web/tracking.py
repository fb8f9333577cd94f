"""Bus listeners that remember what the ACD's views do not.

Who is on which call, and today's calls per quarter hour for the charts. (Agent
time for reports is stored in the CRM: ``crm_link.agent_log``.)

All are synchronous bus listeners (no event missed or reordered) with bounded memory.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from callcenter.domain import events as ev

SLOTS = 96


@dataclass(slots=True)
class CallInfo:
    """A call in progress as supervisors see it."""

    call_id: str
    caller_number: str
    offered_at: float
    phase: str = "ivr"
    customer: str = ""
    tier: str = ""
    queue: str | None = None
    agent_id: str | None = None
    since: float = 0.0

    def as_json(self) -> dict[str, object]:
        """Return the JSON-ready form."""
        return {
            "call_id": self.call_id,
            "caller_number": self.caller_number,
            "customer": self.customer,
            "tier": self.tier,
            "phase": self.phase,
            "queue": self.queue,
            "agent_id": self.agent_id,
            "offered_at": self.offered_at,
            "since": self.since,
        }


@dataclass(slots=True)
class CallTracker:
    """Calls in progress, from offer to final record."""

    calls: dict[str, CallInfo] = field(default_factory=dict)

    def __call__(self, event: ev.DomainEvent) -> None:
        """Fold one event in (a bus listener)."""
        if isinstance(event, ev.CallOffered):
            self.calls[event.call_id] = CallInfo(
                call_id=event.call_id,
                caller_number=event.caller_number,
                customer=event.caller_name,
                offered_at=event.at,
                since=event.at,
            )
            return
        info = self.calls.get(str(getattr(event, "call_id", "")))
        if info is None:
            return
        self._apply(info, event)

    def _apply(self, info: CallInfo, event: ev.DomainEvent) -> None:
        match event:
            case ev.CustomerIdentified(name=name, tier=tier):
                info.customer, info.tier = name or info.customer, tier
                return
            case ev.CallQueued(queue=queue):
                info.phase, info.queue, info.agent_id = "queued", queue, None
            case ev.CallOfferedToAgent(agent_id=agent):
                info.phase, info.agent_id = "ringing", agent
            case ev.AgentNoAnswer():
                info.phase, info.agent_id = "queued", None
            case ev.CallAnswered(agent_id=agent):
                info.phase, info.agent_id = "talking", agent
            case ev.AgentLegEnded():
                info.phase = "after_call"
            case ev.AcdCallFinished(outcome=outcome) if (
                outcome != ev.CallOutcome.ANSWERED
            ):
                info.phase = outcome.value
            case ev.CallCompleted():
                del self.calls[info.call_id]
                return
            case _:
                return
        info.since = event.at

    def caller_of(self, call_id: str | None) -> CallInfo | None:
        """Return the call an agent is on, if it is known."""
        return self.calls.get(call_id) if call_id else None


@dataclass(slots=True)
class DayChart:
    """Today's calls offered and service level per quarter hour (local time)."""

    zone: ZoneInfo
    sl_seconds: Mapping[str, float]
    day: str = ""
    offered: list[int] = field(default_factory=lambda: [0] * SLOTS)
    answered: list[int] = field(default_factory=lambda: [0] * SLOTS)
    within: list[int] = field(default_factory=lambda: [0] * SLOTS)
    abandoned: list[int] = field(default_factory=lambda: [0] * SLOTS)
    _seen: set[str] = field(default_factory=set)

    def __call__(self, event: ev.DomainEvent) -> None:
        """Fold one event in (a bus listener)."""
        if not isinstance(event, ev.CallQueued | ev.AcdCallFinished):
            return
        slot = self._slot(event.at)
        if isinstance(event, ev.CallQueued):
            if event.call_id not in self._seen:
                self._seen.add(event.call_id)
                self.offered[slot] += 1
        elif event.outcome == ev.CallOutcome.ANSWERED:
            self.answered[slot] += 1
            self.within[slot] += event.waited <= self.sl_seconds.get(event.queue, 20.0)
        elif event.outcome == ev.CallOutcome.ABANDONED:
            self.abandoned[slot] += 1

    def _slot(self, at: float) -> int:
        local = datetime.fromtimestamp(at, tz=UTC).astimezone(self.zone)
        day = local.date().isoformat()
        if day != self.day:
            self.day = day
            for series in (self.offered, self.answered, self.within, self.abandoned):
                series[:] = [0] * SLOTS
            self._seen.clear()
        return local.hour * 4 + local.minute // 15

    def as_json(self) -> dict[str, object]:
        """Return the series: offered and service level (None when no call ended)."""
        levels = [
            round(w / (a + b), 4) if a + b else None
            for w, a, b in zip(self.within, self.answered, self.abandoned, strict=True)
        ]
        return {"day": self.day, "offered": list(self.offered), "service_level": levels}
