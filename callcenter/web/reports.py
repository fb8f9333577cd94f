"""Historical reports: per queue, per agent or for the whole center, by interval.

Pure arithmetic over the facts ``crm_link.reporting`` reads, so the figures can be
recomputed independently in tests. Definitions follow ``acd.stats`` (and the vendor
survey in ANCHORS.md), applied to stored call records:

* offered: calls that reached the queue (interactions with that queue);
* answered / abandoned: by outcome; answered within T: ``wait <= T`` of the queue;
* service level: answered within T / (answered + abandoned);
* ASA: mean wait of answered calls; AHT: mean talk + wrap-up of answered calls;
* occupancy (per agent, and per interval for the whole center): busy / staffed
  time from the stored agent state intervals, as the ACD defines it live (see
  ``callcenter.web.reports_agents``); ``None`` per queue and when never staffed.

A call belongs to the interval in which it was offered; intervals are cut in the
configured time zone. Complaints are grouped by category, severity and state, with
mean time to close and the overdue share (closed late, or open past the deadline).
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from crm_link.reporting import ComplaintFact, InteractionFact, SurveyFact

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Occupancy = Mapping[tuple[datetime, str], float | None]
"""Occupancy per (interval start, group), from ``reports_agents.agent_time``."""
DEFAULT_SL_SECONDS = 20.0


class Interval(StrEnum):
    """How long one row of a report is."""

    QUARTER = "15m"
    HOUR = "hour"
    DAY = "day"


class GroupBy(StrEnum):
    """What one row of a call report is about."""

    QUEUE = "queue"
    AGENT = "agent"
    CENTER = "center"


class ReportError(ValueError):
    """A report was asked for with impossible parameters; the message says why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRow:
    """Figures of one group over one interval."""

    interval_start: str
    group: str
    offered: int
    answered: int
    abandoned: int
    answered_within_sl: int
    service_level: float | None
    asa: float | None
    aht: float | None
    occupancy: float | None
    surveys: int
    survey_mean: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintRow:
    """Complaints of one category, severity and state."""

    category: str
    severity: str
    state: str
    count: int
    closed: int
    mean_hours_to_close: float | None
    overdue: int
    overdue_share: float | None


def period(first: date, last: date, zone: ZoneInfo) -> tuple[float, float]:
    """Return ``[start, end)`` in POSIX seconds covering local days first..last."""
    if last < first:
        msg = f"the period ends ({last}) before it starts ({first})"
        raise ReportError(msg)
    if (last - first).days > 366:  # noqa: PLR2004
        raise ReportError("a report covers at most 366 days")
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    end_day = last + timedelta(days=1)
    end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=zone)
    return start.timestamp(), end.timestamp()


def bucket(at: float, interval: Interval, zone: ZoneInfo) -> datetime:
    """Return the local start of the interval holding ``at``."""
    local = datetime.fromtimestamp(at, tz=UTC).astimezone(zone)
    match interval:
        case Interval.DAY:
            return local.replace(hour=0, minute=0, second=0, microsecond=0)
        case Interval.HOUR:
            return local.replace(minute=0, second=0, microsecond=0)
        case _:
            return local.replace(
                minute=local.minute - local.minute % 15, second=0, microsecond=0
            )


@dataclass(slots=True)
class _Tally:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    in_sl: int = 0
    wait_answered: float = 0.0
    handle: float = 0.0
    scores: list[int] | None = None


def _key(group_by: GroupBy, queue: str | None, agent: str | None) -> str | None:
    match group_by:
        case GroupBy.QUEUE:
            return queue
        case GroupBy.AGENT:
            return agent
        case _:
            return "all"


def call_report(
    interactions: Iterable[InteractionFact],
    *,
    group_by: GroupBy,
    interval: Interval,
    zone: ZoneInfo,
    sl_seconds: Mapping[str, float],
    surveys: Iterable[SurveyFact] = (),
    occupancy: Occupancy | None = None,
) -> list[CallRow]:
    """Return one row per (interval, group) that saw a call, a survey or staffing.

    ``occupancy`` gives the figure of each (interval, group) with staffed time; a
    group staffed in an interval without any call gets a row of zeros too.
    """
    occupancy = occupancy or {}
    tallies: dict[tuple[datetime, str], _Tally] = defaultdict(_Tally)
    for fact in interactions:
        key = _key(group_by, fact.queue, fact.agent_id)
        if key is None:
            continue
        tally = tallies[bucket(fact.offered_at, interval, zone), key]
        _count_call(tally, fact, sl_seconds.get(fact.queue or "", DEFAULT_SL_SECONDS))
    for survey in surveys:
        key = _key(group_by, survey.queue, survey.agent_id)
        if key is None:
            continue
        tally = tallies[bucket(survey.at, interval, zone), key]
        tally.scores = [*(tally.scores or []), survey.score]
    for staffed in occupancy:
        tallies.setdefault(staffed, _Tally())
    return [
        _row(start, key, tally, occupancy.get((start, key)))
        for (start, key), tally in sorted(tallies.items())
    ]


def _count_call(tally: _Tally, fact: InteractionFact, threshold: float) -> None:
    tally.offered += 1
    if fact.outcome == "answered":
        tally.answered += 1
        tally.in_sl += fact.wait_seconds <= threshold
        tally.wait_answered += fact.wait_seconds
        tally.handle += fact.talk_seconds + fact.wrap_up_seconds
    elif fact.outcome == "abandoned":
        tally.abandoned += 1


def _row(start: datetime, key: str, tally: _Tally, occupancy: float | None) -> CallRow:
    scores = tally.scores or []
    return CallRow(
        interval_start=start.isoformat(),
        group=key,
        offered=tally.offered,
        answered=tally.answered,
        abandoned=tally.abandoned,
        answered_within_sl=tally.in_sl,
        service_level=_ratio(tally.in_sl, tally.answered + tally.abandoned),
        asa=_ratio(tally.wait_answered, tally.answered),
        aht=_ratio(tally.handle, tally.answered),
        occupancy=occupancy,
        surveys=len(scores),
        survey_mean=_ratio(sum(scores), len(scores)),
    )


def complaint_report(
    complaints: Iterable[ComplaintFact], now: float
) -> list[ComplaintRow]:
    """Return complaints grouped by category, severity and state."""
    groups: dict[tuple[str, str, str], list[ComplaintFact]] = defaultdict(list)
    for fact in complaints:
        groups[fact.category, fact.severity, fact.state].append(fact)
    rows = []
    for (category, severity, state), facts in sorted(groups.items()):
        closed = [f for f in facts if f.closed_at is not None]
        hours = sum((f.closed_at or 0.0) - f.opened_at for f in closed) / 3600.0
        overdue = sum(is_late(f, now) for f in facts)
        rows.append(
            ComplaintRow(
                category=category,
                severity=severity,
                state=state,
                count=len(facts),
                closed=len(closed),
                mean_hours_to_close=_ratio(hours, len(closed)),
                overdue=overdue,
                overdue_share=_ratio(overdue, len(facts)),
            )
        )
    return rows


def is_late(fact: ComplaintFact, now: float) -> bool:
    """Return whether a complaint was closed after, or is open past, its deadline."""
    if fact.closed_at is not None:
        return fact.closed_at > fact.deadline_at
    return now >= fact.deadline_at


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def to_csv(rows: Sequence["DataclassInstance"], kind: type) -> str:
    """Return rows as CSV with a header line (empty cells for unknown figures)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f.name for f in fields(kind)])
    for row in rows:
        writer.writerow(_cell(v) for v in asdict(row).values())
    return buffer.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return str(value)


def to_json(rows: Sequence["DataclassInstance"]) -> list[dict[str, object]]:
    """Return rows as JSON-ready dicts."""
    return [asdict(row) for row in rows]
