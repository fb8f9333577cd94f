"""Agent state stretches reach the database from the bus, and reports agree with SQL.

Occupancy is recomputed here by SQL over the raw ``agent_state_intervals`` rows
(overlap of each row with each hour), independently of ``reports_agents``, on
SQLite and PostgreSQL.
"""

import json
import random
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from callcenter.domain.events import AgentState, AgentStateChanged, CallOffered
from callcenter.domain.ids import AgentId, CallId
from callcenter.web.reports import GroupBy, Interval
from callcenter.web.reports_agents import agent_time
from crm_link.agent_log import AgentStateLog, IntervalTracker
from crm_link.db import make_engine, make_session_factory
from crm_link.models import AgentStateInterval
from crm_link.outbox import Outbox
from crm_link.reporting import ReportingReader
from crm_link.service import CrmService
from tests.crm_link.conftest import NOW

UTC = ZoneInfo("UTC")
HOUR0 = NOW - NOW % 3600  # 2026-01-05 08:00 UTC


def changed(
    agent: str, state: AgentState, at: float, reason: str = ""
) -> AgentStateChanged:
    return AgentStateChanged(at=at, agent_id=AgentId(agent), state=state,
                             reason=reason)  # fmt: skip


def test_a_change_closes_the_open_stretch() -> None:
    tracker = IntervalTracker()
    assert tracker.fold(changed("1001", AgentState.AVAILABLE, NOW)) is None
    closed = tracker.fold(changed("1001", AgentState.PAUSED, NOW + 60, "lunch"))
    assert closed is not None
    assert (closed.state, closed.started_at, closed.ended_at) == (
        AgentState.AVAILABLE, NOW, NOW + 60,
    )  # fmt: skip
    logged_out = tracker.fold(changed("1001", AgentState.LOGGED_OUT, NOW + 90))
    assert logged_out is not None
    assert (logged_out.state, logged_out.reason) == (AgentState.PAUSED, "lunch")
    assert tracker.close_all(NOW + 100) == []  # logged out: nothing open


def test_zero_length_stretches_are_skipped_and_stop_closes_the_rest() -> None:
    tracker = IntervalTracker()
    tracker.fold(changed("1001", AgentState.WRAP_UP, NOW))
    tracker.fold(changed("1001", AgentState.AVAILABLE, NOW + 10))
    assert tracker.fold(changed("1001", AgentState.RINGING, NOW + 10)) is None
    tracker.fold(changed("1002", AgentState.AVAILABLE, NOW))
    closed = tracker.close_all(NOW + 30)
    assert {(c.agent_id, c.state, c.ended_at) for c in closed} == {
        ("1001", AgentState.RINGING, NOW + 30),
        ("1002", AgentState.AVAILABLE, NOW + 30),
    }


def day_of_changes(seed: int) -> list[AgentStateChanged]:
    """Contiguous random stretches of three agents over about six hours."""
    rng = random.Random(seed)
    states = [AgentState.AVAILABLE, AgentState.RINGING, AgentState.ON_CALL,
              AgentState.WRAP_UP, AgentState.PAUSED]  # fmt: skip
    events = []
    for agent in ("1001", "1002", "1003"):
        at = HOUR0 + rng.uniform(0, 1800)
        while at < HOUR0 + 6 * 3600:
            state = rng.choice(states)
            reason = (
                rng.choice(["lunch", "break"]) if state == AgentState.PAUSED else ""
            )
            events.append(changed(agent, state, at, reason))
            at += rng.uniform(5, 1500)
        events.append(changed(agent, AgentState.LOGGED_OUT, at))
    return sorted(events, key=lambda e: e.at)


async def _sql_occupancy(url: str, hour: float) -> dict[str, tuple[float, float]]:
    """Busy and staffed seconds per agent in ``[hour, hour + 3600)``, by SQL."""
    query = sa.text("""
        SELECT agent_id,
               SUM(CASE WHEN state IN ('ringing', 'on_call', 'wrap_up')
                        THEN overlap ELSE 0 END),
               SUM(CASE WHEN state <> 'paused' THEN overlap ELSE 0 END)
        FROM (SELECT agent_id, state,
                     (CASE WHEN ended_at < :e THEN ended_at ELSE :e END)
                     - (CASE WHEN started_at > :s THEN started_at ELSE :s END)
                     AS overlap
              FROM agent_state_intervals
              WHERE started_at < :e AND ended_at > :s) AS pieces
        GROUP BY agent_id
    """)
    engine = make_engine(url)
    async with engine.connect() as connection:
        result = await connection.execute(query, {"s": hour, "e": hour + 3600})
        found = {r[0]: (float(r[1]), float(r[2])) for r in result}
    await engine.dispose()
    return found


@pytest.mark.parametrize("checkpoints", [None, 60.0], ids=["whole", "checkpointed"])
async def test_stretches_from_the_bus_give_the_occupancy_sql_recomputes(
    crm: CrmService, db_url: str, checkpoints: float | None
) -> None:
    log = AgentStateLog(crm.record_agent_intervals, checkpoint_seconds=checkpoints)
    events = day_of_changes(seed=11)
    for event in events:
        log(event)
        log(CallOffered(at=event.at, call_id=CallId("x"), caller_number="1"))
    await log.aclose(HOUR0 + 8 * 3600)
    assert log.failed == 0
    stretches = len(events) - 3  # one change per agent opens the first
    assert log.written == stretches if checkpoints is None else log.written > stretches
    reader = ReportingReader.from_url(db_url)
    start, end = HOUR0, HOUR0 + 8 * 3600
    facts = await reader.agent_intervals(start, end)
    await reader.aclose()
    times = agent_time(facts, group_by=GroupBy.AGENT, interval=Interval.HOUR,
                       zone=UTC, start=start, end=end)  # fmt: skip
    checked = 0
    for hour in range(8):
        expected = await _sql_occupancy(db_url, HOUR0 + hour * 3600)
        mine = {k[1]: t for k, t in times.items() if k[0].timestamp() == HOUR0 +
                hour * 3600}  # fmt: skip
        assert set(mine) == {a for a, (_, staffed) in expected.items() if staffed > 0}
        for agent, time in mine.items():
            busy, staffed = expected[agent]
            assert time.busy == pytest.approx(busy)
            assert time.staffed == pytest.approx(staffed)
            assert time.occupancy is not None
            assert 0.0 <= time.occupancy <= 1.0
            checked += 1
    assert checked >= 12


async def test_replaying_the_same_stretches_stores_them_once(
    crm: CrmService, db_url: str
) -> None:
    log = AgentStateLog(crm.record_agent_intervals)
    for event in day_of_changes(seed=3)[:40]:
        log(event)
    await log.flush()
    engine = make_engine(db_url)
    async with engine.connect() as connection:
        rows = (await connection.execute(sa.select(AgentStateInterval))).all()
    records = [
        {"table": "agent_state_intervals", "values": {
            "agent_id": r.agent_id, "state": r.state.value, "reason": r.reason,
            "call_id": r.call_id, "started_at": r.started_at, "ended_at": r.ended_at,
        }}
        for r in rows
    ]  # fmt: skip
    await crm.record_agent_intervals(records)
    async with engine.connect() as connection:
        count = await connection.scalar(
            sa.select(sa.func.count()).select_from(AgentStateInterval)
        )
    await engine.dispose()
    assert count == len(rows) > 0


async def test_writes_of_one_stretch_keep_its_latest_end_in_any_order(
    db_url: str,
) -> None:
    def written_up_to(end: float) -> dict[str, object]:
        return {"table": "agent_state_intervals", "values": {
            "agent_id": "1001", "state": "available", "reason": "", "call_id": None,
            "started_at": NOW, "ended_at": end,
        }}  # fmt: skip

    engine = make_engine(db_url)
    crm = CrmService(make_session_factory(engine), engine=engine)
    rows_sent: list[int] = []

    @sa.event.listens_for(engine.sync_engine, "before_cursor_execute")
    def count(*args: object) -> None:
        statement, parameters, many = str(args[2]), args[3], args[5]
        if statement.startswith("INSERT INTO agent_state_intervals"):
            rows_sent.append(len(parameters) if many else 1)  # type: ignore[arg-type]

    checkpoints = [written_up_to(NOW + 60 * minute) for minute in range(1, 6)]
    random.Random(2).shuffle(checkpoints)
    await crm.record_agent_intervals(checkpoints[:3])  # one batch, one key thrice
    await crm.record_agent_intervals([written_up_to(NOW + 90)])  # older: no effect
    await crm.record_agent_intervals(checkpoints[3:])
    await crm.record_agent_intervals(checkpoints)  # a replay
    await crm.aclose()
    assert rows_sent == [1, 1, 1, 1]  # a batch sends each stretch once, its latest
    reader = ReportingReader.from_url(db_url)
    facts = await reader.agent_intervals(NOW, NOW + 3600)
    await reader.aclose()
    assert [(f.started_at, f.ended_at) for f in facts] == [(NOW, NOW + 300)]


async def test_stretches_wait_in_the_outbox_while_the_database_is_away(
    tmp_path: Path, sqlite_template: Path
) -> None:
    database = tmp_path / "crm.db"
    database.write_bytes(sqlite_template.read_bytes())  # noqa: ASYNC240
    url = f"sqlite+aiosqlite:///{database}"
    outbox = tmp_path / "outbox.jsonl"
    moved = tmp_path / "crm.db.away"
    database.rename(moved)
    database.mkdir()  # outage: the path is a directory
    engine = make_engine(url)
    crm = CrmService(make_session_factory(engine), engine=engine,
                     outbox=Outbox(outbox))  # fmt: skip
    log = AgentStateLog(crm.record_agent_intervals)
    log(changed("1001", AgentState.AVAILABLE, NOW))
    log(changed("1001", AgentState.ON_CALL, NOW + 30))
    await log.aclose(NOW + 90)
    lines = [json.loads(line) for line in outbox.read_text().splitlines()]
    assert [line["values"]["state"] for line in lines] == ["available", "on_call"]
    await crm.aclose()
    database.rmdir()
    moved.rename(database)
    crm = CrmService.from_url(url, outbox_path=outbox)
    assert await crm.replay_outbox() == 2
    await crm.aclose()
    reader = ReportingReader.from_url(url)
    facts = await reader.agent_intervals(NOW, NOW + 3600)
    await reader.aclose()
    assert [(f.state, f.ended_at - f.started_at) for f in facts] == [
        ("available", 30.0), ("on_call", 60.0),
    ]  # fmt: skip
