"""The board: patches carry only changes; thresholds colour tiles and raise alerts."""

from zoneinfo import ZoneInfo

from callcenter.domain import events as ev
from callcenter.domain.ids import CallId, QueueName
from callcenter.settings import ThresholdSettings
from callcenter.web.alerts import AlertMonitor, level_above, level_below
from callcenter.web.board import complaint_summary
from callcenter.web.tracking import DayChart
from crm_link.reporting import ComplaintFact

T0 = 1_767_600_000.0  # 2026-01-05 08:00 UTC


def test_levels() -> None:
    assert level_below(0.9, 0.8, 0.6) == ev.AlertLevel.OK
    assert level_below(0.7, 0.8, 0.6) == ev.AlertLevel.AMBER
    assert level_below(0.5, 0.8, 0.6) == ev.AlertLevel.RED
    assert level_below(None, 0.8, 0.6) == ev.AlertLevel.OK
    assert level_above(59, 60, 120) == ev.AlertLevel.OK
    assert level_above(60, 60, 120) == ev.AlertLevel.AMBER
    assert level_above(120, 60, 120) == ev.AlertLevel.RED


def row(sl: float | None, wait: float) -> dict[str, object]:
    levels = {
        "service_level": level_below(sl, 0.8, 0.6).value,
        "longest_wait": level_above(wait, 60, 120).value,
    }
    return {"name": "bookings", "sl_15min": sl, "sl_today": sl, "longest_wait": wait,
            "levels": levels}  # fmt: skip


def test_an_alert_is_raised_once_per_change_of_colour() -> None:
    published: list[ev.DomainEvent] = []
    monitor = AlertMonitor(ThresholdSettings(), published.append)
    monitor.check_queue(row(0.9, 10), T0)
    assert published == []
    monitor.check_queue(row(0.5, 10), T0 + 1)
    monitor.check_queue(row(0.5, 10), T0 + 2)
    monitor.check_queue(row(0.5, 130), T0 + 3)
    monitor.check_queue(row(0.85, 130), T0 + 4)
    alerts = [
        (a.kind, a.level.value) for a in published if isinstance(a, ev.SupervisorAlert)
    ]
    assert alerts == [
        ("service_level", "red"), ("longest_wait", "red"), ("service_level", "ok"),
    ]  # fmt: skip
    assert (
        monitor.as_json()[0]["message"] == "bookings: service level 85%, back to normal"
    )


def complaint(cid: int, severity: str, deadline: float) -> ComplaintFact:
    return ComplaintFact(complaint_id=cid, category="room", severity=severity,
                         state="recorded", opened_at=T0 - 10_000, deadline_at=deadline,
                         closed_at=None)  # fmt: skip


def test_overdue_complaints_alert_once_and_are_counted_by_severity() -> None:
    published: list[ev.DomainEvent] = []
    monitor = AlertMonitor(ThresholdSettings(), published.append)
    facts = [complaint(1, "urgent", T0 - 60), complaint(2, "ordinary", T0 + 3600)]
    monitor.check_complaints(facts, T0)
    monitor.check_complaints(facts, T0 + 10)
    assert [a.subject for a in published if isinstance(a, ev.SupervisorAlert)] == ["1"]
    summary = complaint_summary(facts, T0)
    assert summary["open"] == {"urgent": 1, "serious": 0, "ordinary": 1}
    assert summary["overdue"] == {"urgent": 1, "serious": 0, "ordinary": 0}


def test_day_chart_counts_offered_once_and_service_level_per_quarter_hour() -> None:
    chart = DayChart(zone=ZoneInfo("UTC"), sl_seconds={"q": 20.0})
    q = QueueName("q")
    a, b = CallId("a"), CallId("b")
    for call, at in ((a, T0), (a, T0 + 5), (b, T0 + 60)):
        chart(ev.CallQueued(at=at, call_id=call, queue=q, priority=0, position=1))
    chart(ev.AcdCallFinished(at=T0 + 10, call_id=CallId("a"), queue=q,
                             outcome=ev.CallOutcome.ANSWERED, waited=10))  # fmt: skip
    chart(ev.AcdCallFinished(at=T0 + 100, call_id=CallId("b"), queue=q,
                             outcome=ev.CallOutcome.ABANDONED, waited=40))  # fmt: skip
    data = chart.as_json()
    offered, service_level = data["offered"], data["service_level"]
    assert isinstance(offered, list)
    assert isinstance(service_level, list)
    slot = 8 * 4
    assert offered[slot] == 2
    assert service_level[slot] == 0.5
    assert service_level[slot + 1] is None
