"""Checkpoints: open agent stretches are written every minute, so a crash loses little.

A checkpoint writes every open stretch as it stands at a whole minute; later writes
of the same stretch extend its row, so after a clean stop the rows, and the reports
of ``callcenter report``, are those without checkpoints (on SQLite and PostgreSQL).
A crash, i.e. the process dying without ``aclose``, loses only the time since the
last checkpoint.
"""

import asyncio
import heapq
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa

from callcenter.clock import SystemClock, VirtualClock
from callcenter.domain.events import AgentState, AgentStateChanged, CallOffered
from callcenter.domain.ids import CallId
from crm_link.agent_log import (
    CHECKPOINT_SECONDS,
    AgentInterval,
    AgentStateLog,
    IntervalTracker,
)
from crm_link.db import make_engine
from crm_link.models import AgentStateInterval
from crm_link.outbox import Record
from crm_link.reporting import AgentIntervalFact, ReportingReader
from crm_link.service import CrmService
from tests.crm_link.conftest import NOW
from tests.crm_link.test_agent_log import HOUR0, changed, day_of_changes

ON = AgentState


class SteppedClock:
    """A clock the test moves; ``sleep_until`` waits until it is moved far enough."""

    def __init__(self, start: float) -> None:
        self._now = start
        self._moved = asyncio.Event()

    def now(self) -> float:
        return self._now

    async def sleep_until(self, deadline: float) -> None:
        while self._now < deadline:
            await self._moved.wait()

    async def move_to(self, instant: float) -> None:
        """Move to ``instant`` and let every sleeper that is due run once."""
        self._now = instant
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()
        await asyncio.sleep(0)  # the woken sleepers were scheduled first: they run


class Batches:
    """A ``write`` that keeps every batch (no database)."""

    def __init__(self) -> None:
        self.batches: list[list[tuple[str, str, float, float]]] = []

    async def __call__(self, records: Sequence[Record]) -> None:
        self.batches.append([
            (r["values"]["agent_id"], r["values"]["state"], r["values"]["started_at"],
             r["values"]["ended_at"])
            for r in records
        ])  # fmt: skip


def _rows(intervals: Iterable[AgentInterval]) -> list[tuple[str, str, float, float]]:
    return [(i.agent_id, i.state, i.started_at, i.ended_at) for i in intervals]


def test_a_checkpoint_writes_every_open_stretch_as_it_stands() -> None:
    tracker = IntervalTracker()
    tracker.fold(changed("1001", ON.AVAILABLE, NOW + 10))
    tracker.fold(changed("1002", ON.PAUSED, NOW + 20, "lunch"))
    tracker.fold(changed("1003", ON.AVAILABLE, NOW + 5))
    tracker.fold(changed("1003", ON.LOGGED_OUT, NOW + 30))
    tracker.fold(changed("1004", ON.RINGING, NOW + 60))  # opens at the instant
    cut = tracker.checkpoint(NOW + 60)
    assert [(c.agent_id, c.reason, c.started_at, c.ended_at) for c in cut] == [
        ("1001", "", NOW + 10, NOW + 60),
        ("1002", "lunch", NOW + 20, NOW + 60),
    ]  # nothing for the logged-out 1003, nothing of zero length for 1004
    closed = tracker.fold(changed("1001", ON.ON_CALL, NOW + 75))
    assert closed is not None  # the same stretch (agent, start), later end
    assert _rows([closed]) == [("1001", ON.AVAILABLE, NOW + 10, NOW + 75)]
    assert _rows(tracker.checkpoint(NOW + 120)) == [
        ("1002", ON.PAUSED, NOW + 20, NOW + 120),
        ("1004", ON.RINGING, NOW + 60, NOW + 120),
        ("1001", ON.ON_CALL, NOW + 75, NOW + 120),
    ]
    assert tracker.checkpoint(NOW + 120) == []  # written as far already
    assert sorted(_rows(tracker.close_all(NOW + 150))) == [
        ("1001", ON.ON_CALL, NOW + 75, NOW + 150),
        ("1002", ON.PAUSED, NOW + 20, NOW + 150),
        ("1004", ON.RINGING, NOW + 60, NOW + 150),
    ]


def test_an_event_stamped_before_the_checkpoint_that_beat_it_counts_from_it() -> None:
    tracker = IntervalTracker()
    tracker.fold(changed("1001", ON.AVAILABLE, NOW))
    tracker.checkpoint(NOW + 60)
    late = tracker.fold(changed("1001", ON.RINGING, NOW + 59.99))  # stamped before
    assert late is None  # the available stretch is stored up to NOW + 60 already
    (ringing,) = tracker.close_all(NOW + 70)
    assert (ringing.state, ringing.started_at) == (ON.RINGING, NOW + 60)  # no overlap


async def test_checkpoints_fall_on_whole_minutes_also_when_only_events_come() -> None:
    written = Batches()
    log = AgentStateLog(written)
    log(changed("1001", ON.AVAILABLE, NOW + 10))
    log(changed("1002", ON.PAUSED, NOW + 20, "lunch"))
    log(CallOffered(at=NOW + 61, call_id=CallId("c1"), caller_number="1"))
    assert log.next_checkpoint == NOW + 120
    await log.flush()
    log(CallOffered(at=NOW + 250, call_id=CallId("c2"), caller_number="1"))
    await log.flush()
    assert written.batches == [  # one write per checkpoint; missed ones make one
        [("1001", "available", NOW + 10, NOW + 60),
         ("1002", "paused", NOW + 20, NOW + 60)],
        [("1001", "available", NOW + 10, NOW + 240),
         ("1002", "paused", NOW + 20, NOW + 240)],
    ]  # fmt: skip
    assert log.written == 4


async def test_without_checkpoints_a_stretch_is_written_only_when_it_ends() -> None:
    written = Batches()
    log = AgentStateLog(written, checkpoint_seconds=None)
    log(changed("1001", ON.AVAILABLE, NOW + 10))
    log(changed("1001", ON.PAUSED, NOW + 3000, "lunch"))
    assert log.checkpoint(NOW + 3600) == 0
    await log.aclose(NOW + 3700)
    assert [row for batch in written.batches for row in batch] == [
        ("1001", "available", NOW + 10, NOW + 3000),
        ("1001", "paused", NOW + 3000, NOW + 3700),
    ]
    with pytest.raises(ValueError, match="positive"):
        AgentStateLog(written, checkpoint_seconds=0)


async def test_the_clock_takes_checkpoints_when_no_event_comes() -> None:
    written = Batches()
    clock = SteppedClock(NOW)
    log = AgentStateLog(written)
    log.start(clock)
    await clock.move_to(NOW + 1)
    log(changed("1001", ON.AVAILABLE, NOW + 1))
    for second in range(10, 200, 10):
        await clock.move_to(NOW + second)
    await log.flush()
    assert [row for batch in written.batches for row in batch] == [
        ("1001", "available", NOW + 1, NOW + 60),
        ("1001", "available", NOW + 1, NOW + 120),
        ("1001", "available", NOW + 1, NOW + 180),
    ]
    await log.aclose(NOW + 190)
    assert written.batches[-1] == [("1001", "available", NOW + 1, NOW + 190)]


async def test_the_virtual_clock_is_left_to_the_runtime() -> None:
    clock = VirtualClock(NOW)
    log = AgentStateLog(Batches())
    log.start(clock)  # waiting on it would move it
    await asyncio.sleep(0)
    assert clock.now() == NOW
    await log.aclose(NOW)


async def test_in_real_time_a_quiet_stretch_is_written_within_a_period() -> None:
    written = Batches()
    log = AgentStateLog(written, checkpoint_seconds=0.05)
    log.start(SystemClock())
    log(changed("1001", ON.AVAILABLE, time.time()))
    deadline = time.monotonic() + 10
    while len(written.batches) < 2 and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    await log.aclose(time.time())
    first, second = written.batches[0][0], written.batches[1][0]
    assert first[0:3] == second[0:3]  # the same stretch
    assert second[3] - first[3] >= 0.05 - 1e-6  # a period later (or more, if late)


# --- On the databases ---------------------------------------------------------


def _history() -> list[AgentStateChanged]:
    """Long and short stretches of four agents over a morning, some paused."""
    long_ones = [
        changed("1004", ON.AVAILABLE, HOUR0 + 7.5),
        changed("1004", ON.PAUSED, HOUR0 + 2 * 3600 + 0.25, "lunch"),
        changed("1004", ON.AVAILABLE, HOUR0 + 3 * 3600 + 901),
    ]
    return sorted(day_of_changes(seed=5) + long_ones, key=lambda e: e.at)


def _feed(log: AgentStateLog, events: Iterable[AgentStateChanged], end: float) -> None:
    """Hand ``log`` the events and, between them, each minute as the clock would."""
    ticks = ((float(m), None) for m in range(int(HOUR0), int(end), 60))
    stamped = ((e.at, e) for e in events)
    for at, event in heapq.merge(ticks, stamped, key=lambda pair: pair[0]):
        if event is None:
            log.checkpoint(at)
        else:
            log(event)


async def _stored(url: str) -> list[tuple[object, ...]]:
    """Every row of ``agent_state_intervals`` but its id, in order."""
    a = AgentStateInterval
    columns = (a.agent_id, a.state, a.reason, a.call_id, a.started_at, a.ended_at)
    engine = make_engine(url)
    async with engine.begin() as connection:
        rows = await connection.execute(sa.select(*columns).order_by(*columns))
        found: list[tuple[object, ...]] = [tuple(row) for row in rows]
    await engine.dispose()
    return found


async def _clear(url: str) -> None:
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.execute(sa.delete(AgentStateInterval))
    await engine.dispose()


def _cli_reports(config: Path) -> dict[str, str]:
    """``callcenter report`` as CSV: time per state, occupancy by agent and hour."""
    from click.testing import CliRunner  # noqa: PLC0415

    from callcenter.cli import main  # noqa: PLC0415

    day = ["--from", "2026-01-05", "--to", "2026-01-05", "--csv"]
    commands = {
        "states by day": ["--by", "states"],
        "states by quarter": ["--by", "states", "--interval", "15m"],
        "agents by hour": ["--by", "agent", "--interval", "hour"],
        "center by hour": ["--by", "hour"],
    }
    outputs = {}
    for name, options in commands.items():
        result = CliRunner().invoke(
            main, ["--config", str(config), "report", *day, *options],
            catch_exceptions=False,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs[name] = result.output
    return outputs


@pytest.mark.parametrize(
    "checkpoints", [CHECKPOINT_SECONDS, 420.0], ids=["minutes", "across-quarters"]
)
async def test_reports_are_the_same_with_and_without_checkpoints(
    crm: CrmService, db_url: str, tmp_path: Path, checkpoints: float
) -> None:
    config = tmp_path / "callcenter.toml"
    config.write_text(
        f'[general]\ndata_dir = "{tmp_path}"\ntimezone = "Asia/Kathmandu"\n'
        f'[database]\nurl = "{db_url}"\nseed_demo = false\n'
    )  # a +05:45 zone: its quarter-hours are still whole minutes of UTC
    events, end = _history(), HOUR0 + 8 * 3600
    outputs: dict[float | None, dict[str, str]] = {}
    stored: dict[float | None, list[tuple[object, ...]]] = {}
    written: dict[float | None, int] = {}
    for period in (None, checkpoints):
        log = AgentStateLog(crm.record_agent_intervals, checkpoint_seconds=period)
        _feed(log, events, end)
        await log.aclose(end)
        assert log.failed == 0
        stored[period], written[period] = await _stored(db_url), log.written
        outputs[period] = await asyncio.to_thread(_cli_reports, config)
        await _clear(db_url)
    assert written[checkpoints] > 3 * written[None]  # checkpoints were written...
    assert stored[checkpoints] == stored[None]  # ...and extended to the same rows
    opened = [e for e in events if e.state != ON.LOGGED_OUT]
    assert len(stored[None]) == written[None] == len(opened)  # one row a stretch
    assert outputs[None]["states by quarter"].count("\n") > 100
    for name, csv_text in outputs[None].items():
        assert outputs[checkpoints][name] == csv_text, name


# --- A crash -----------------------------------------------------------------

CRASH = HOUR0 + 3600 + 41  # 09:00:41, 41 s after the last checkpoint


def _morning() -> list[AgentStateChanged]:
    return [
        changed("1001", ON.AVAILABLE, HOUR0 + 13),  # all morning, one stretch
        changed("1003", ON.AVAILABLE, HOUR0 + 50),
        changed("1002", ON.PAUSED, HOUR0 + 100, "lunch"),
        changed("1003", ON.LOGGED_OUT, HOUR0 + 1234),  # gone before the crash
        changed("1002", ON.AVAILABLE, HOUR0 + 1900),
        changed("1002", ON.ON_CALL, HOUR0 + 3000.5),
        changed("1004", ON.LOGGED_OUT, HOUR0 + 3100),  # never logged in
    ]


async def _run_until_crash(url: str, period: float | None) -> None:
    """An hour of the agent log on its own loop, then the loop dies: no ``aclose``."""
    crm = CrmService.from_url(url)
    clock = SteppedClock(HOUR0)
    log = AgentStateLog(crm.record_agent_intervals, checkpoint_seconds=period)
    log.start(clock)
    steps = ((float(s), None) for s in range(int(HOUR0), int(CRASH), 7))
    stamped = ((e.at, e) for e in _morning())
    for at, event in heapq.merge(steps, stamped, key=lambda pair: pair[0]):
        await clock.move_to(at)
        if event is not None:
            log(event)
    await clock.move_to(CRASH)
    await log.flush()  # the last checkpoint's write, 41 s ago, has completed
    await crm.aclose()
    # asyncio.run now cancels the checkpoint task: the open stretches are gone


def _seconds(facts: Iterable[AgentIntervalFact]) -> dict[str, dict[str, float]]:
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for fact in facts:
        totals[fact.agent_id][fact.state] += fact.ended_at - fact.started_at
    return {agent: dict(states) for agent, states in totals.items()}


def _truth(until: float) -> dict[str, dict[str, float]]:
    """Seconds per agent and state of ``_morning`` up to ``until``, by hand."""
    return {
        "1001": {"available": until - (HOUR0 + 13)},
        "1002": {"paused": 1800.0, "available": 1100.5,
                 "on_call": until - (HOUR0 + 3000.5)},
        "1003": {"available": 1184.0},
    }  # fmt: skip


async def test_a_crash_loses_only_the_time_since_the_last_checkpoint(
    db_url: str,
) -> None:
    await asyncio.to_thread(asyncio.run, _run_until_crash(db_url, CHECKPOINT_SECONDS))
    reader = ReportingReader.from_url(db_url)
    facts = await reader.agent_intervals(HOUR0, CRASH + 3600)
    await reader.aclose()
    last_checkpoint = CRASH - CRASH % CHECKPOINT_SECONDS
    truth, stored = _truth(CRASH), _seconds(facts)
    assert stored.keys() == _truth(last_checkpoint).keys()
    for agent, states in _truth(last_checkpoint).items():
        assert stored[agent] == pytest.approx(states)  # all up to 09:00:00
    for agent in ("1001", "1002"):  # logged in at the crash
        lost = sum(truth[agent].values()) - sum(stored[agent].values())
        assert lost == pytest.approx(41.0)
        assert lost <= CHECKPOINT_SECONDS
    assert stored["1003"] == truth["1003"]  # logged out: nothing lost, nothing added
    assert "1004" not in stored
    assert [(f.agent_id, f.state, f.started_at - HOUR0, f.ended_at - HOUR0)
            for f in facts] == [
        ("1001", "available", 13.0, 3600.0),  # one row, extended every minute
        ("1003", "available", 50.0, 1234.0),
        ("1002", "paused", 100.0, 1900.0),
        ("1002", "available", 1900.0, 3000.5),
        ("1002", "on_call", 3000.5, 3600.0),
    ]  # fmt: skip


async def test_without_checkpoints_the_crash_loses_every_open_stretch(
    db_url: str,
) -> None:
    await asyncio.to_thread(asyncio.run, _run_until_crash(db_url, None))
    reader = ReportingReader.from_url(db_url)
    stored = _seconds(await reader.agent_intervals(HOUR0, CRASH + 3600))
    await reader.aclose()
    assert "1001" not in stored  # the whole morning available: gone
    assert stored["1002"] == {"paused": 1800.0, "available": 1100.5}
