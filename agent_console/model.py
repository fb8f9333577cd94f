"""What the console knows, read from the server's JSON: pure functions, no widgets.

The server sends the ``status`` reply (agent, call, queues, code lists) and events
(``AgentStateChanged``, ``ScreenPopReady`` ...). ``DeskState`` holds the latest of
each; the helpers turn a screen-pop record into the lines the widgets show.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

CALL_ACTIONS: dict[str, frozenset[str]] = {
    "ringing": frozenset({"answer"}),
    "talking": frozenset({"hold", "transfer", "hangup", "complaint"}),
    "held": frozenset({"resume", "transfer", "hangup", "complaint"}),
    "consulting": frozenset({"transfer_complete", "transfer_cancel", "hangup"}),
    "ended": frozenset({"wrapup", "complaint"}),
}
"""Which call actions make sense in each call state."""

STATE_LABELS = {
    "logged_out": "LOGGED OUT", "available": "READY", "ringing": "RINGING",
    "on_call": "ON CALL", "wrap_up": "WRAP-UP", "paused": "NOT READY",
}  # fmt: skip


@dataclass(slots=True)
class DeskState:
    """The latest known state of this agent's desk."""

    agent_id: str
    name: str = ""
    state: str = "logged_out"
    reason: str = ""
    since: float = 0.0
    call: dict[str, Any] | None = None
    queues: list[dict[str, Any]] = field(default_factory=list)
    lists: dict[str, Any] = field(default_factory=dict)
    chosen: int = 0
    """Index of the customer picked among the matches of a shared number."""

    def apply_status(self, status: dict[str, Any]) -> None:
        """Take a ``status`` reply as the whole truth."""
        agent = status.get("agent") or {}
        self.name = str(agent.get("name", self.name))
        self.state = str(agent.get("state", self.state))
        self.reason = str(agent.get("reason", ""))
        self.since = float(agent.get("since", self.since))
        as_of = float(status.get("now", 0.0))
        known = {q.get("name"): q for q in self.queues}
        self.queues = [
            _newer({**q, "as_of": as_of}, known.get(q.get("name")))
            for q in status.get("queues") or []
        ]
        call = status.get("call")
        if (call or {}).get("call_id") != (self.call or {}).get("call_id"):
            self.chosen = 0
        self.call = call
        self.lists = {
            key: status[key]
            for key in ("pause_reasons", "dispositions", "departments", "categories",
                        "deadlines", "wrap_up_seconds")
            if key in status
        }  # fmt: skip

    def apply_queue_stats(self, stats: dict[str, Any]) -> bool:
        """Take a ``QueueStatsUpdated``; return whether it is a queue of this agent."""
        for queue in self.queues:
            if queue.get("name") == stats.get("queue"):
                figures = {
                    "waiting": int(stats.get("waiting", 0)),
                    "longest_wait": float(stats.get("longest_wait", 0.0)),
                    "agents_available": int(stats.get("agents_available", 0)),
                    "as_of": float(stats.get("at", 0.0)),
                }
                queue.update(_newer(figures, queue))
                return True
        return False

    def actions(self) -> frozenset[str]:
        """Return the call actions possible now."""
        if self.call is None:
            return frozenset()
        return CALL_ACTIONS.get(str(self.call.get("state")), frozenset())

    def record(self) -> dict[str, Any]:
        """Return the screen-pop record of the current call (empty if none)."""
        record = (self.call or {}).get("record")
        return record if isinstance(record, dict) else {}

    def matches(self) -> list[dict[str, Any]]:
        """Return the customers the caller's number names."""
        found = self.record().get("matches")
        return list(found) if isinstance(found, list) else []

    def customer(self) -> dict[str, Any] | None:
        """Return the card shown: the only match, or the one the agent picked."""
        found = self.matches()
        if not found:
            return None
        return found[min(self.chosen, len(found) - 1)]

    def wrap_up_seconds(self) -> float:
        """Return the wrap-up time of the current call's queue."""
        table = self.lists.get("wrap_up_seconds") or {}
        queue = (self.call or {}).get("queue") or ""
        return float(table.get(queue, max(table.values(), default=0.0)))


_FIGURES = ("waiting", "longest_wait", "agents_available", "as_of")


def _newer(fresh: dict[str, Any], known: dict[str, Any] | None) -> dict[str, Any]:
    """Return ``fresh`` with ``known``'s figures if those are of a later moment.

    A status reply and a queue's figures travel separately (a reply, a retained
    MQTT message): whichever arrives last may be the older one.
    """
    if known is None or float(known.get("as_of", 0.0)) <= float(fresh["as_of"]):
        return fresh
    return {**fresh, **{key: known[key] for key in _FIGURES if key in known}}


def longest_wait(queue: dict[str, Any], now: float) -> float:
    """Return a queue's longest wait as of ``now``, counted on from its figures' time.

    The server sends a queue's figures when they change; while callers wait, the
    longest wait grows in between without a message.
    """
    longest = float(queue.get("longest_wait", 0.0))
    if int(queue.get("waiting", 0)) > 0:
        longest += max(0.0, now - float(queue.get("as_of", now)))
    return longest


def clock_text(seconds: float) -> str:
    """Return ``mm:ss`` (``h:mm:ss`` past an hour)."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def age_text(seconds: float) -> str:
    """Return a short age: ``45m``, ``5h``, ``3d``."""
    if seconds < 3600:  # noqa: PLR2004 - an hour
        return f"{int(seconds // 60)}m"
    if seconds < 86400 * 2:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def date_text(instant: float) -> str:
    """Return ``YYYY-MM-DD HH:MM`` in UTC."""
    return datetime.fromtimestamp(instant, tz=UTC).strftime("%Y-%m-%d %H:%M")


def short_date_text(instant: float, now: float) -> str:
    """Return ``MM-DD HH:MM`` within the year of ``now``, else ``YYYY-MM-DD``.

    Table cells stay narrow enough for an 80-column terminal.
    """
    when = datetime.fromtimestamp(instant, tz=UTC)
    same_year = when.year == datetime.fromtimestamp(now, tz=UTC).year
    return when.strftime("%m-%d %H:%M" if same_year else "%Y-%m-%d")


def alerts(record: dict[str, Any], card: dict[str, Any] | None) -> list[str]:
    """Return the routing facts worth a warning, most serious first."""
    routing = record.get("routing") or record.get("facts") or {}
    facts = (card or {}).get("facts") or routing
    found = []
    if facts.get("urgent_complaint"):
        found.append("URGENT COMPLAINT")
    elif facts.get("open_complaint"):
        found.append("OPEN COMPLAINT")
    if facts.get("recent_complaint"):
        found.append("complained recently")
    if facts.get("repeat_caller"):
        found.append("repeat caller")
    if str(facts.get("tier", "")) == "vip":
        found.append("VIP")
    return found


def complaint_rows(card: dict[str, Any], now: float) -> list[tuple[str, ...]]:
    """Return the complaints table rows, open ones first, newest first."""
    complaints = list(card.get("complaints") or [])
    complaints.sort(key=lambda c: (c.get("state") == "closed", -c.get("opened_at", 0)))
    return [
        (
            str(c["complaint_id"]),
            str(c["severity"]),
            str(c["state"]).replace("_", " "),
            ("OVERDUE " if c.get("overdue") else "")
            + short_date_text(float(c["deadline_at"]), now),
            age_text(now - float(c["opened_at"])),
            str(c["category"]).replace("_", " "),
        )
        for c in complaints
    ]


def interaction_rows(card: dict[str, Any], now: float) -> list[tuple[str, ...]]:
    """Return the last interactions: when, queue, outcome, disposition, score."""
    return [
        (
            short_date_text(float(i["offered_at"]), now),
            str(i.get("queue") or "-"),
            str(i.get("outcome", "")),
            str(i.get("disposition") or "-"),
            str(i["satisfaction"]) if i.get("satisfaction") else "-",
        )
        for i in card.get("interactions") or []
    ]


_IVR_CONTEXT = frozenset({"caller_number", "business_hours", "holiday", "language"})
"""Variables the IVR sets itself; the CRM's routing facts are left out too."""


def ivr_line(record: dict[str, Any]) -> str:
    """Return what the caller keyed (if anything), then the IVR path they took.

    The keyed digits come first: the path may wrap, and a booking reference is
    what the agent needs.
    """
    path = " > ".join(str(p) for p in record.get("ivr_path") or [])
    variables = record.get("ivr_variables") or {}
    known = _IVR_CONTEXT | set(record.get("routing") or {})
    keyed = ", ".join(f"{k}={v}" for k, v in variables.items() if k not in known)
    return (f"keyed: {keyed}\n" if keyed else "") + f"IVR: {path or '-'}"
