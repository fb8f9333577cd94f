"""Derived customer facts, from plain rows and an injected ``now``."""

from crm_link.config import DAY, HOUR
from crm_link.enums import ComplaintState, ContactStage, SatisfactionTrend, Severity
from crm_link.facts import (
    ComplaintView,
    FactRules,
    complaint_flags,
    contact_stage,
    interaction_stats,
    is_repeat_caller,
    satisfaction_stats,
    satisfaction_trend,
)

NOW = 1_767_600_000.0
S = ComplaintState


def _complaint(
    state: ComplaintState, severity: Severity, days_ago: float
) -> ComplaintView:
    return ComplaintView(state=state, severity=severity, opened_at=NOW - days_ago * DAY)


def test_no_complaints_means_no_flags() -> None:
    flags = complaint_flags([], NOW)
    assert not flags.open_complaint
    assert not flags.urgent_complaint
    assert not flags.recent_complaint
    assert not flags.handle_with_care


def test_an_open_urgent_complaint_sets_every_flag() -> None:
    flags = complaint_flags([_complaint(S.ANALYSING, Severity.URGENT, 0.1)], NOW)
    assert flags.open_complaint
    assert flags.urgent_complaint
    assert flags.recent_complaint


def test_a_closed_urgent_complaint_is_not_urgent_any_more_but_still_recent() -> None:
    flags = complaint_flags([_complaint(S.CLOSED, Severity.URGENT, 10)], NOW)
    assert not flags.open_complaint
    assert not flags.urgent_complaint
    assert flags.recent_complaint
    assert flags.handle_with_care


def test_recent_means_within_the_configured_days() -> None:
    old = [_complaint(S.CLOSED, Severity.SERIOUS, 45)]
    assert not complaint_flags(old, NOW).recent_complaint
    assert complaint_flags(
        old, NOW, FactRules(recent_complaint_days=60)
    ).recent_complaint


def test_an_old_open_complaint_is_open_but_not_recent() -> None:
    flags = complaint_flags([_complaint(S.FOLLOW_UP, Severity.ORDINARY, 90)], NOW)
    assert flags.open_complaint
    assert not flags.recent_complaint
    assert flags.handle_with_care


def test_repeat_caller_within_24_hours_and_counts_within_7_days() -> None:
    stats = interaction_stats([NOW - 2 * HOUR, NOW - 3 * DAY, NOW - 30 * DAY], NOW)
    assert (stats.calls_24h, stats.calls_7d, stats.total) == (1, 2, 3)
    assert is_repeat_caller(stats)
    later = interaction_stats([NOW - 2 * DAY], NOW)
    assert later.calls_7d == 1
    assert not is_repeat_caller(later)


def test_calls_after_now_are_ignored() -> None:
    assert interaction_stats([NOW + 10], NOW).total == 0


def test_satisfaction_trend() -> None:
    def trend(recent: list[int], prior: list[int]) -> SatisfactionTrend:
        scores = [(NOW - DAY, s) for s in recent] + [
            (NOW - 200 * DAY, s) for s in prior
        ]
        return satisfaction_trend(satisfaction_stats(scores, NOW))

    assert trend([5, 5], [3, 3]) is SatisfactionTrend.IMPROVING
    assert trend([2, 3], [4, 5]) is SatisfactionTrend.DECLINING
    assert trend([4, 4], [4, 4, 3, 4]) is SatisfactionTrend.STABLE
    assert trend([4], []) is SatisfactionTrend.UNKNOWN
    assert trend([], [4]) is SatisfactionTrend.UNKNOWN


def _stage(*days_ago: float) -> ContactStage:
    return contact_stage(interaction_stats([NOW - d * DAY for d in days_ago], NOW), NOW)


def test_contact_stage_new() -> None:
    assert contact_stage(interaction_stats([], NOW), NOW) is ContactStage.NEW
    assert _stage(1, 5) is ContactStage.NEW  # too few calls
    assert _stage(1, 5, 20) is ContactStage.NEW  # first call under 30 days ago


def test_contact_stage_regular() -> None:
    assert _stage(10, 50, 100) is ContactStage.REGULAR


def test_contact_stage_loyal_needs_ten_calls_over_a_year() -> None:
    spread = [5 + 41 * n for n in range(10)]  # 5 .. 374 days ago
    assert _stage(*spread) is ContactStage.LOYAL
    assert _stage(*spread[:9]) is ContactStage.REGULAR


def test_contact_stage_at_risk_when_gone_quiet_or_falling() -> None:
    assert _stage(200, 250, 300) is ContactStage.AT_RISK  # quiet for 180 days
    assert _stage(10, 100, 110, 120, 130) is ContactStage.AT_RISK  # 1 vs 4 calls
    assert _stage(10, 20, 100, 110, 120) is ContactStage.REGULAR  # 2 vs 3 calls
