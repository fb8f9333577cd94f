"""Threshold colours of wallboard tiles and the alerts they raise on the bus.

A tile is ``ok``, ``amber`` or ``red`` by the configured thresholds. When a queue's
service level or longest wait changes colour, or a complaint becomes overdue, one
``SupervisorAlert`` is published (``ok`` clears an earlier alert), and the recent
ones are shown on the wallboard.
"""

from collections import deque
from collections.abc import Callable, Iterable

from callcenter.domain.events import AlertLevel, DomainEvent, SupervisorAlert
from callcenter.settings import ThresholdSettings
from crm_link.reporting import ComplaintFact


def level_below(value: float | None, amber: float, red: float) -> AlertLevel:
    """Colour a figure where lower is worse (service level)."""
    if value is None or value >= amber:
        return AlertLevel.OK
    return AlertLevel.RED if value < red else AlertLevel.AMBER


def level_above(value: float | None, amber: float, red: float) -> AlertLevel:
    """Colour a figure where higher is worse (waits, abandons)."""
    if value is None or value < amber:
        return AlertLevel.OK
    return AlertLevel.RED if value >= red else AlertLevel.AMBER


def queue_levels(row: dict[str, object], limits: ThresholdSettings) -> dict[str, str]:
    """Return the colour of each thresholded figure of a queue row."""
    sl = row.get("sl_15min")
    if sl is None:
        sl = row.get("sl_today")
    return {
        "service_level": level_below(
            _num(sl), limits.service_level_amber, limits.service_level_red
        ).value,
        "longest_wait": level_above(
            _num(row.get("longest_wait")),
            limits.longest_wait_amber,
            limits.longest_wait_red,
        ).value,
        "waiting": level_above(
            _num(row.get("waiting")), limits.waiting_amber, limits.waiting_red
        ).value,
        "abandon_rate": level_above(
            _num(row.get("abandon_rate")),
            limits.abandon_rate_amber,
            limits.abandon_rate_red,
        ).value,
    }


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


class AlertMonitor:
    """Raises an alert each time a watched figure changes colour."""

    def __init__(
        self,
        limits: ThresholdSettings,
        publish: Callable[[DomainEvent], None],
        *,
        keep: int = 50,
    ) -> None:
        """Publish alerts with ``publish`` (the bus); remember the last ``keep``."""
        self._limits = limits
        self._publish = publish
        self._levels: dict[tuple[str, str], AlertLevel] = {}
        self._overdue: set[int] = set()
        self.recent: deque[SupervisorAlert] = deque(maxlen=keep)
        self.raised = 0

    def check_queue(self, row: dict[str, object], now: float) -> None:
        """Compare a queue row with the thresholds; alert on a change of colour."""
        queue, limits = str(row["name"]), self._limits
        levels = row["levels"]
        assert isinstance(levels, dict)  # noqa: S101 - built by queue_levels
        sl = (
            row.get("sl_15min")
            if row.get("sl_15min") is not None
            else row.get("sl_today")
        )
        watched = (
            ("service_level", sl, limits.service_level_amber, limits.service_level_red),
            ("longest_wait", row.get("longest_wait"), limits.longest_wait_amber,
             limits.longest_wait_red),
        )  # fmt: skip
        for kind, value, amber, red in watched:
            level = AlertLevel(levels[kind])
            previous = self._levels.get((kind, queue), AlertLevel.OK)
            if level == previous:
                continue
            self._levels[kind, queue] = level
            threshold = red if level == AlertLevel.RED else amber
            self._raise(
                SupervisorAlert(
                    at=now, kind=kind, level=level, subject=queue,
                    value=float(_num(value) or 0.0), threshold=threshold,
                    message=_message(kind, queue, level, _num(value)),
                )
            )  # fmt: skip

    def check_complaints(self, facts: Iterable[ComplaintFact], now: float) -> None:
        """Alert once for each open complaint that is past its deadline."""
        overdue = {f.complaint_id: f for f in facts if now >= f.deadline_at}
        for complaint_id in sorted(overdue.keys() - self._overdue):
            fact = overdue[complaint_id]
            late = (now - fact.deadline_at) / 3600.0
            self._raise(
                SupervisorAlert(
                    at=now, kind="complaint_overdue", level=AlertLevel.RED,
                    subject=str(complaint_id), value=late, threshold=0.0,
                    message=(
                        f"{fact.severity} complaint #{complaint_id} ({fact.category}) "
                        f"is overdue by {late:.1f} h"
                    ),
                )
            )  # fmt: skip
        self._overdue = set(overdue)

    def _raise(self, alert: SupervisorAlert) -> None:
        self.recent.appendleft(alert)
        self.raised += 1
        self._publish(alert)

    def as_json(self) -> list[dict[str, object]]:
        """Return the recent alerts, newest first."""
        return [
            {
                "at": a.at,
                "kind": a.kind,
                "level": a.level.value,
                "subject": a.subject,
                "message": a.message,
            }
            for a in self.recent
        ]


def _message(kind: str, queue: str, level: AlertLevel, value: float | None) -> str:
    if kind == "service_level":
        shown = "n/a" if value is None else f"{value:.0%}"
        figure = f"service level {shown}"
    else:
        figure = f"longest wait {value or 0:.0f} s"
    if level == AlertLevel.OK:
        return f"{queue}: {figure}, back to normal"
    return f"{queue}: {figure} ({level.value})"
