"""The wallboard's state: queues, agents, complaints, charts and alerts.

``Board.refresh`` reads the ACD's views at ``now`` and returns a *patch* holding only
what changed since the last refresh (agents by id, whole sections otherwise), or
``None``; ``Board.snapshot`` is the full state for a newcomer. Figures that grow by
themselves between events (longest wait, time in state) travel as instants
(``oldest_since``, ``since``) so that clients tick them locally and a quiet center
sends nothing.
"""

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from acd.engine import AcdEngine
from acd.views import AgentView
from callcenter.domain.events import AgentState
from callcenter.settings import ThresholdSettings
from callcenter.web.alerts import AlertMonitor, queue_levels
from callcenter.web.tracking import CallTracker, DayChart
from crm_link.reporting import ComplaintFact

SEVERITIES = ("urgent", "serious", "ordinary")
Json = dict[str, Any]


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def queue_rows(acd: AcdEngine, now: float, limits: ThresholdSettings) -> list[Json]:
    """Return one row per queue: live figures, windows and threshold colours."""
    rows = []
    for name in acd.queue_names():
        report = acd.queue_report(name, now)
        today, recent = report.today, report.last_15_min
        row: Json = {
            "name": name,
            "waiting": report.waiting,
            "longest_wait": round(report.longest_wait, 1),
            "oldest_since": round(now - report.longest_wait, 3)
            if report.waiting
            else None,
            "offered": today.offered,
            "answered": today.answered,
            "abandoned": today.abandoned,
            "sl_today": _round(today.service_level),
            "sl_15min": _round(recent.service_level),
            "asa": _round(today.asa, 1),
            "aht": _round(today.aht, 1),
            "abandon_rate": _round(today.abandon_rate),
            "ewt": _round(report.ewt_position, 1),
            "agents": {
                state.value: count
                for state, count in report.agents_by_state.items()
                if state != AgentState.LOGGED_OUT and count
            },
        }
        row["levels"] = queue_levels(row, limits)
        rows.append(row)
    return rows


def agent_row(view: AgentView, calls: CallTracker, now: float) -> Json:
    """Return an agent's row: state, since when, calls handled, current caller."""
    call = calls.caller_of(view.call_id)
    return {
        "id": view.agent_id,
        "name": view.name,
        "state": view.state.value,
        "reason": view.reason,
        "since": round(now - view.in_state_for, 3),
        "calls": view.calls_taken,
        "call_id": view.call_id,
        "caller": call.caller_number if call else None,
        "customer": call.customer if call else None,
        "queues": dict(view.queues),
    }


def complaint_summary(facts: Iterable[ComplaintFact], now: float) -> Json:
    """Count open and overdue complaints by severity; list the most overdue."""
    facts = list(facts)
    overdue = sorted(
        (f for f in facts if now >= f.deadline_at), key=lambda f: f.deadline_at
    )
    open_by = Counter(f.severity for f in facts)
    late_by = Counter(f.severity for f in overdue)
    return {
        "open": {s: open_by.get(s, 0) for s in SEVERITIES},
        "overdue": {s: late_by.get(s, 0) for s in SEVERITIES},
        "most_overdue": [
            {
                "id": f.complaint_id,
                "severity": f.severity,
                "category": f.category,
                "deadline_at": f.deadline_at,
            }
            for f in overdue[:10]
        ],
    }


@dataclass(slots=True)
class Board:
    """The wallboard state and its changes; see the module docstring."""

    acd: AcdEngine
    calls: CallTracker
    chart: DayChart
    alerts: AlertMonitor
    limits: ThresholdSettings
    clock: Callable[[], float]
    version: int = 0
    changed_at: float = 0.0
    complaints: Json = field(default_factory=lambda: complaint_summary((), 0.0))
    _queues: list[Json] = field(default_factory=list)
    _agents: dict[str, Json] = field(default_factory=dict)
    _sections: dict[str, object] = field(default_factory=dict)

    def refresh(self) -> Json | None:
        """Re-read everything; return the patch since the last refresh, or None."""
        now = self.clock()
        patch: Json = {}
        queues = queue_rows(self.acd, now, self.limits)
        for row in queues:
            self.alerts.check_queue(row, now)
        if _strip(queues) != _strip(self._queues):
            patch["queues"] = queues
        self._queues = queues
        agents = self._agent_rows(now)
        changed = {k: v for k, v in agents.items() if self._agents.get(k) != v}
        gone = dict.fromkeys(self._agents.keys() - agents.keys())
        if changed or gone:
            patch["agents"] = {**changed, **gone}
        self._agents = agents
        sections: dict[str, object] = {
            "complaints": self.complaints,
            "chart": self.chart.as_json(),
            "alerts": self.alerts.as_json(),
        }
        for key, value in sections.items():
            if self._sections.get(key) != value:
                patch[key] = value
        self._sections = sections
        if not patch:
            return None
        self.version += 1
        return {"type": "patch", "version": self.version, "at": now, **patch}

    def _agent_rows(self, now: float) -> dict[str, Json]:
        return {
            str(view.agent_id): agent_row(view, self.calls, now)
            for view in self.acd.agents(now)
        }

    def snapshot(self) -> Json:
        """Return the full state as of the last refresh."""
        return {
            "type": "snapshot",
            "version": self.version,
            "at": self.clock(),
            "thresholds": self.limits.model_dump(),
            "queues": self._queues,
            "agents": self._agents,
            **self._sections,
        }


def _strip(rows: list[Json]) -> list[Json]:
    """Drop the figure that grows by itself (clients compute it from the instant)."""
    return [{k: v for k, v in row.items() if k != "longest_wait"} for row in rows]


def encode(message: Json) -> bytes:
    """Encode a message as compact JSON."""
    return json.dumps(message, separators=(",", ":")).encode()
