"""Facts derived from a customer's history (pure: the caller passes ``now``).

The screen pop computes the aggregates below in SQL (window functions, one query per
table) and the same classification functions turn them into facts, so there is one
definition of each fact. ``interaction_stats``, ``satisfaction_stats`` and
``complaint_flags`` build the aggregates from plain rows for other callers and tests.

Definitions (windows are configurable through ``FactRules``):

- *open complaint*: a complaint not yet closed.
- *urgent complaint*: an open complaint of severity ``urgent``.
- *recent complaint* ("handle with care"): a complaint, open or closed, opened in
  the last ``recent_complaint_days``.
- *repeat caller*: called at least once before within 24 hours (routing flag);
  the card also shows the count within 7 days.
- *satisfaction trend*: mean survey score of the last 90 days against the mean of
  the scores before; a difference of 0.5 or more is a trend.
- *contact stage*: ``new`` (fewer than 3 calls, or first call under 30 days ago),
  ``at_risk`` (an established caller gone quiet for 180 days, or whose calls in
  the last 90 days fell below half of the (at least 2) in the 90 days
  before), ``loyal`` (10 or more
  calls over at least a year), otherwise ``regular``.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from crm_link.config import DAY
from crm_link.enums import ComplaintState, ContactStage, SatisfactionTrend, Severity

_MIN_PRIOR_CALLS = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class FactRules:
    """Windows and thresholds of the derived facts."""

    recent_complaint_days: float = 30.0
    repeat_window: float = 1 * DAY
    week_window: float = 7 * DAY
    trend_window: float = 90 * DAY
    trend_threshold: float = 0.5
    new_min_calls: int = 3
    new_window: float = 30 * DAY
    quiet_after: float = 180 * DAY
    loyal_min_calls: int = 10
    loyal_span: float = 365 * DAY


@dataclass(frozen=True, slots=True, kw_only=True)
class InteractionStats:
    """Counts over a customer's calls, relative to ``now``."""

    total: int = 0
    first_at: float | None = None
    last_at: float | None = None
    calls_24h: int = 0
    calls_7d: int = 0
    calls_recent: int = 0
    calls_prior: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SatisfactionStats:
    """Mean survey scores of the recent window and of everything before it."""

    recent_mean: float | None = None
    prior_mean: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintFlags:
    """Complaint facts of one customer."""

    open_complaint: bool = False
    urgent_complaint: bool = False
    recent_complaint: bool = False

    @property
    def handle_with_care(self) -> bool:
        """Return whether staff should be warned: an open or a recent complaint."""
        return self.open_complaint or self.recent_complaint


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintView:
    """The parts of a complaint the flags depend on."""

    state: ComplaintState
    severity: Severity
    opened_at: float


def interaction_stats(
    offered_at: Iterable[float], now: float, rules: FactRules = FactRules()
) -> InteractionStats:
    """Aggregate call times (before ``now``) into ``InteractionStats``."""
    times = sorted(at for at in offered_at if at <= now)
    if not times:
        return InteractionStats()
    recent_start = now - rules.trend_window
    prior_start = recent_start - rules.trend_window
    return InteractionStats(
        total=len(times),
        first_at=times[0],
        last_at=times[-1],
        calls_24h=sum(at >= now - rules.repeat_window for at in times),
        calls_7d=sum(at >= now - rules.week_window for at in times),
        calls_recent=sum(at >= recent_start for at in times),
        calls_prior=sum(prior_start <= at < recent_start for at in times),
    )


def satisfaction_stats(
    scores: Iterable[tuple[float, int]], now: float, rules: FactRules = FactRules()
) -> SatisfactionStats:
    """Aggregate ``(at, score)`` survey answers into window means."""
    recent: list[int] = []
    prior: list[int] = []
    for at, score in scores:
        (recent if at >= now - rules.trend_window else prior).append(score)
    return SatisfactionStats(recent_mean=_mean(recent), prior_mean=_mean(prior))


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def complaint_flags(
    complaints: Iterable[ComplaintView], now: float, rules: FactRules = FactRules()
) -> ComplaintFlags:
    """Derive the complaint flags from a customer's complaints."""
    rows = list(complaints)
    opened = [row for row in rows if row.state is not ComplaintState.CLOSED]
    last_opened = max((row.opened_at for row in rows), default=None)
    return ComplaintFlags(
        open_complaint=bool(opened),
        urgent_complaint=any(row.severity is Severity.URGENT for row in opened),
        recent_complaint=is_recent_complaint(last_opened, now, rules),
    )


def is_recent_complaint(
    last_opened_at: float | None, now: float, rules: FactRules = FactRules()
) -> bool:
    """Return whether the latest complaint was opened within the recent window."""
    if last_opened_at is None:
        return False
    return last_opened_at >= now - rules.recent_complaint_days * DAY


def is_repeat_caller(stats: InteractionStats) -> bool:
    """Return whether the customer already called within the repeat window."""
    return stats.calls_24h > 0


def satisfaction_trend(
    stats: SatisfactionStats, rules: FactRules = FactRules()
) -> SatisfactionTrend:
    """Compare recent and earlier mean scores."""
    if stats.recent_mean is None or stats.prior_mean is None:
        return SatisfactionTrend.UNKNOWN
    delta = stats.recent_mean - stats.prior_mean
    if delta >= rules.trend_threshold:
        return SatisfactionTrend.IMPROVING
    if delta <= -rules.trend_threshold:
        return SatisfactionTrend.DECLINING
    return SatisfactionTrend.STABLE


def contact_stage(
    stats: InteractionStats, now: float, rules: FactRules = FactRules()
) -> ContactStage:
    """Classify the relationship from call history alone (see module docstring)."""
    if stats.total == 0 or stats.first_at is None or stats.last_at is None:
        return ContactStage.NEW
    established = stats.total >= rules.new_min_calls
    if established and _gone_quiet(stats, stats.last_at, now, rules):
        return ContactStage.AT_RISK
    if not established or stats.first_at >= now - rules.new_window:
        return ContactStage.NEW
    if (
        stats.total >= rules.loyal_min_calls
        and stats.last_at - stats.first_at >= rules.loyal_span
    ):
        return ContactStage.LOYAL
    return ContactStage.REGULAR


def _gone_quiet(
    stats: InteractionStats, last_at: float, now: float, rules: FactRules
) -> bool:
    if last_at < now - rules.quiet_after:
        return True
    falling = 2 * stats.calls_recent < stats.calls_prior
    return stats.calls_prior >= _MIN_PRIOR_CALLS and falling
