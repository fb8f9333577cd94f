"""Reports agree with the raw interaction records, recomputed independently in SQL."""

import random
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from callcenter.domain.events import CallOutcome
from callcenter.web.reports import (
    CallRow,
    GroupBy,
    Interval,
    ReportError,
    bucket,
    call_report,
    complaint_report,
    period,
    to_csv,
)
from crm_link.db import Base, make_engine
from crm_link.enums import ComplaintState, Severity
from crm_link.models import Complaint, Customer, Interaction, SurveyResponse
from crm_link.reporting import ComplaintFact, InteractionFact, ReportingReader

UTC = ZoneInfo("UTC")
DAY0 = 1_767_571_200.0  # 2026-01-05 00:00 UTC
SL = {"bookings": 20.0, "complaints": 30.0}


@pytest.fixture
async def reader(tmp_path: Path) -> AsyncIterator[ReportingReader]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    rng = random.Random(7)
    outcomes = (
        [CallOutcome.ANSWERED] * 6
        + [CallOutcome.ABANDONED] * 2
        + [CallOutcome.IVR_ONLY]
    )
    async with engine.begin() as conn:
        await conn.execute(sa.insert(Customer), [{"id": 1, "name": "Li Wei", "email": "",
                                                  "notes": "", "created_at": DAY0}])  # fmt: skip
        rows = []
        for n in range(400):
            outcome = rng.choice(outcomes)
            answered = outcome == CallOutcome.ANSWERED
            rows.append({
                "call_id": f"c{n}", "number": "+8613800000000",
                "queue": None if outcome == CallOutcome.IVR_ONLY
                else rng.choice(["bookings", "complaints"]),
                "agent_id": rng.choice(["1001", "1002", "1003"]) if answered else None,
                "offered_at": DAY0 + rng.uniform(0, 2 * 86400),
                "wait_seconds": rng.choice([0.0, 5.0, 20.0, 20.5, 30.0, 75.0]),
                "talk_seconds": rng.uniform(30, 400) if answered else 0.0,
                "wrap_up_seconds": 10.0 if answered else 0.0,
                "outcome": outcome, "disposition": "", "notes": "",
                "recorded_at": DAY0,
            })  # fmt: skip
        await conn.execute(sa.insert(Interaction), rows)
        await conn.execute(sa.insert(SurveyResponse), [
            {"call_id": f"c{n}", "agent_id": None, "customer_id": None,
             "score": 1 + n % 5, "comment": "", "at": DAY0 + 3600 * (n % 40)}
            for n in range(0, 120, 3)
        ])  # fmt: skip
    reader = ReportingReader.from_url(url)
    yield reader
    await reader.aclose()
    await engine.dispose()


async def sql_expected(
    reader: ReportingReader, group: str
) -> dict[tuple[str, str], tuple[Any, ...]]:
    """The same figures, by SQL over the raw table (independent of reports.py)."""
    engine = reader._engine
    assert engine is not None  # from_url gave the reader an engine of its own
    in_sl = "CASE queue WHEN 'bookings' THEN 20.0 ELSE 30.0 END"
    query = sa.text(f"""
        SELECT date(offered_at, 'unixepoch') AS day, {group} AS grp,
               COUNT(*), SUM(outcome = 'answered'), SUM(outcome = 'abandoned'),
               SUM(outcome = 'answered' AND wait_seconds <= {in_sl}),
               AVG(CASE WHEN outcome = 'answered' THEN wait_seconds END),
               AVG(CASE WHEN outcome = 'answered' THEN talk_seconds + wrap_up_seconds END)
        FROM interactions WHERE {group} IS NOT NULL GROUP BY day, grp
    """)  # noqa: S608 - fixed test text
    async with engine.connect() as conn:
        result = await conn.execute(query)
        return {(r[0], r[1]): tuple(r[2:]) for r in result}


@pytest.mark.parametrize(
    ("by", "column"), [(GroupBy.QUEUE, "queue"), (GroupBy.AGENT, "agent_id")]
)
async def test_daily_report_matches_sql_over_the_raw_records(
    reader: ReportingReader, by: GroupBy, column: str
) -> None:
    start, end = period(date(2026, 1, 5), date(2026, 1, 6), UTC)
    facts = await reader.interactions(start, end)
    rows = call_report(
        facts, group_by=by, interval=Interval.DAY, zone=UTC, sl_seconds=SL
    )
    expected = await sql_expected(reader, column)
    assert len(rows) == len(expected)
    for row in rows:
        offered, answered, abandoned, in_sl, asa, aht = expected[
            row.interval_start[:10], row.group
        ]
        assert (row.offered, row.answered, row.abandoned) == (
            offered,
            answered,
            abandoned,
        )
        assert row.answered_within_sl == in_sl
        assert row.service_level == pytest.approx(in_sl / (answered + abandoned))
        assert row.asa == pytest.approx(asa)
        assert row.aht == pytest.approx(aht)


async def test_hourly_rows_add_up_to_the_day(reader: ReportingReader) -> None:
    start, end = period(date(2026, 1, 5), date(2026, 1, 5), UTC)
    facts = await reader.interactions(start, end)
    hourly = call_report(facts, group_by=GroupBy.CENTER, interval=Interval.HOUR,
                         zone=UTC, sl_seconds=SL)  # fmt: skip
    quarter = call_report(facts, group_by=GroupBy.CENTER, interval=Interval.QUARTER,
                          zone=UTC, sl_seconds=SL)  # fmt: skip
    daily = call_report(facts, group_by=GroupBy.CENTER, interval=Interval.DAY,
                        zone=UTC, sl_seconds=SL)  # fmt: skip
    assert len(daily) == 1
    assert (
        sum(r.offered for r in hourly)
        == sum(r.offered for r in quarter)
        == daily[0].offered
    )
    assert daily[0].offered == len(facts)  # every call counts, IVR-only included


async def test_survey_scores_join_their_queue(reader: ReportingReader) -> None:
    start, end = period(date(2026, 1, 5), date(2026, 1, 6), UTC)
    surveys = await reader.surveys(start, end)
    assert len(surveys) == 40
    rows = call_report([], group_by=GroupBy.CENTER, interval=Interval.DAY, zone=UTC,
                       sl_seconds=SL, surveys=surveys)  # fmt: skip
    assert sum(r.surveys for r in rows) == 40
    mean = sum(s.score for s in surveys) / 40
    weighted = 0.0
    for r in rows:
        assert r.survey_mean is not None  # every day has surveys
        weighted += r.survey_mean * r.surveys
    assert weighted / 40 == pytest.approx(mean)


def test_days_are_cut_in_the_local_time_zone() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    start, end = period(date(2026, 1, 5), date(2026, 1, 5), shanghai)
    assert end - start == 86400
    assert start == DAY0 - 8 * 3600
    with pytest.raises(ReportError):
        period(date(2026, 1, 6), date(2026, 1, 5), UTC)


def test_occupancy_comes_with_the_calls_and_makes_rows_of_its_own() -> None:
    fact = InteractionFact(call_id="c", queue="bookings", agent_id="1001",
                           offered_at=DAY0 + 10, wait_seconds=1, talk_seconds=290,
                           wrap_up_seconds=10, outcome="answered")  # fmt: skip
    hour = bucket(DAY0, Interval.HOUR, UTC)
    later = bucket(DAY0 + 3600, Interval.HOUR, UTC)
    occupancy = {(hour, "1001"): 0.5, (later, "1002"): 0.0}
    rows = call_report([fact], group_by=GroupBy.AGENT, interval=Interval.HOUR, zone=UTC,
                       sl_seconds=SL, occupancy=occupancy)  # fmt: skip
    assert [(r.group, r.offered, r.occupancy) for r in rows] == [
        ("1001", 1, 0.5),
        ("1002", 0, 0.0),  # staffed, no call: a row all the same
    ]
    csv = to_csv(rows, CallRow)
    assert csv.splitlines()[0].startswith("interval_start,group,offered")
    assert csv.splitlines()[1].split(",")[9] == "0.5"


async def test_complaint_report_by_category_severity_and_state(
    tmp_path: Path,
) -> None:
    now = DAY0 + 10 * 86400

    def fact(
        cid: int, severity: str, state: str, closed: float | None, deadline: float
    ) -> ComplaintFact:
        return ComplaintFact(complaint_id=cid, category="room", severity=severity,
                             state=state, opened_at=DAY0, deadline_at=DAY0 + deadline,
                             closed_at=None if closed is None else DAY0 + closed)  # fmt: skip

    facts = [fact(1, "urgent", "closed", 3600, 4 * 3600),
             fact(2, "urgent", "closed", 5 * 3600, 4 * 3600),
             fact(3, "urgent", "recorded", None, 4 * 3600),
             fact(4, "ordinary", "recorded", None, 20 * 86400)]  # fmt: skip
    rows = {(r.severity, r.state): r for r in complaint_report(facts, now)}
    closed = rows["urgent", "closed"]
    assert (closed.count, closed.closed, closed.overdue) == (2, 2, 1)
    assert closed.mean_hours_to_close == pytest.approx(3.0)
    assert rows["urgent", "recorded"].overdue_share == 1.0
    assert rows["ordinary", "recorded"].overdue_share == 0.0


async def test_reader_returns_open_complaints_without_bounds(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
        await conn.execute(sa.insert(Customer), [{"id": 1, "name": "A", "email": "",
                                                  "notes": "", "created_at": DAY0}])  # fmt: skip
        base = {"customer_id": 1, "category": "room", "severity": Severity.URGENT,
                "description": "", "department": "", "resolution": "",
                "follow_up_result": "", "opened_at": DAY0, "deadline_at": DAY0 + 60,
                "updated_at": DAY0, "demands": [], "attachments": []}  # fmt: skip
        await conn.execute(sa.insert(Complaint), [
            {**base, "state": ComplaintState.RECORDED},
            {**base, "state": ComplaintState.CLOSED, "closed_at": DAY0 + 30},
        ])  # fmt: skip
    reader = ReportingReader.from_url(url)
    try:
        assert [f.state for f in await reader.complaints()] == ["recorded"]
        assert len(await reader.complaints(DAY0, DAY0 + 1)) == 2
    finally:
        await reader.aclose()
        await engine.dispose()
