"""``callcenter report`` and ``callcenter wallboard``: CLI, Pilot and snapshot tests."""

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from textual.widgets import DataTable, Static

from callcenter.cli import main
from callcenter.domain.events import CallOutcome
from callcenter.wallboard.app import WallboardApp
from callcenter.web.auth import verify_password
from crm_link.db import Base, make_engine
from crm_link.models import AgentStateInterval, Interaction

DAY0 = 1_767_571_200.0  # 2026-01-05 00:00 UTC
NOW = DAY0 + 9 * 3600

SNAPSHOT: dict[str, Any] = {
    "type": "snapshot", "version": 3, "at": NOW,
    "thresholds": {"longest_wait_amber": 60, "longest_wait_red": 120},
    "queues": [
        {"name": "bookings", "waiting": 3, "oldest_since": NOW - 95, "offered": 40,
         "answered": 35, "abandoned": 2, "sl_today": 0.82, "sl_15min": 0.55, "asa": 14.2,
         "aht": 190.0, "abandon_rate": 0.054, "ewt": 30.0,
         "agents": {"available": 1, "on_call": 2},
         "levels": {"service_level": "red", "longest_wait": "amber", "waiting": "ok",
                    "abandon_rate": "amber"}},
    ],
    "agents": {
        "1001": {"id": "1001", "name": "Anna", "state": "on_call", "reason": "",
                 "since": NOW - 75, "calls": 12, "call_id": "c9", "caller": "+8613800138000",
                 "customer": "Li Wei", "queues": {"bookings": 0}},
        "1002": {"id": "1002", "name": "Bo", "state": "paused", "reason": "lunch",
                 "since": NOW - 600, "calls": 7, "call_id": None, "caller": None,
                 "customer": None, "queues": {"bookings": 1}},
    },
    "complaints": {"open": {"urgent": 1, "serious": 2, "ordinary": 4},
                   "overdue": {"urgent": 1, "serious": 0, "ordinary": 0}},
    "chart": {}, "alerts": [{"at": NOW - 5, "kind": "service_level", "level": "red",
                             "subject": "bookings",
                             "message": "bookings: service level 55% (red)"}],
}  # fmt: skip
PATCH = {"type": "patch", "version": 4, "at": NOW + 1,
         "agents": {"1002": {**SNAPSHOT["agents"]["1002"], "state": "available",
                             "reason": "", "since": NOW + 1}}}  # fmt: skip


class FakeSource:
    def __init__(self, *frames: dict[str, Any]) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for frame in frames:
            self.queue.put_nowait(frame)

    async def frames(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            yield await self.queue.get()


def cells(table: DataTable[Any], row: int) -> list[str]:
    return [str(c) for c in table.get_row_at(row)]


async def test_pilot_shows_queues_agents_and_applies_patches() -> None:
    source = FakeSource({"type": "status", "connected": True}, SNAPSHOT)
    app = WallboardApp(source, clock=lambda: NOW)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        queues = app.query_one("#queues", DataTable)
        assert cells(queues, 0)[:5] == ["bookings", "3", "1:35", "82%", "55%"]
        agents = app.query_one("#agents", DataTable)
        assert cells(agents, 0)[:5] == ["1001 Anna", "on call", "1:15", "12",
                                        "Li Wei +8613800138000"]  # fmt: skip
        assert cells(agents, 1)[1] == "paused (lunch)"
        source.queue.put_nowait(PATCH)
        await pilot.pause(0.1)
        assert cells(agents, 1)[1] == "available"
        assert app.board.version == 4
        source.queue.put_nowait(
            {"type": "status", "connected": False, "reason": "gone"}
        )
        await pilot.pause(0.1)
        status = app.query_one("#status", Static)
        assert status.has_class("down")
        await pilot.press("q")


def test_snapshot_of_the_terminal_wallboard(
    snap_compare: Callable[..., bool],
) -> None:
    app = WallboardApp(FakeSource(SNAPSHOT), clock=lambda: NOW)
    assert snap_compare(
        app, terminal_size=(120, 30), run_before=lambda pilot: pilot.pause(0.2)
    )


def seed(db: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"call_id": "a", "queue": "bookings", "agent_id": "1001", "outcome": "answered",
         "offered_at": DAY0 + 9 * 3600, "wait_seconds": 10.0, "talk_seconds": 100.0},
        {"call_id": "b", "queue": "bookings", "agent_id": "1002", "outcome": "answered",
         "offered_at": DAY0 + 9 * 3600 + 60, "wait_seconds": 40.0, "talk_seconds": 200.0},
        {"call_id": "c", "queue": "bookings", "agent_id": None, "outcome": "abandoned",
         "offered_at": DAY0 + 10 * 3600, "wait_seconds": 30.0, "talk_seconds": 0.0},
        {"call_id": "d", "queue": "complaints", "agent_id": "1001", "outcome": "answered",
         "offered_at": DAY0 + 86400 + 60, "wait_seconds": 5.0, "talk_seconds": 50.0},
    ]  # fmt: skip

    async def write() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{db}")
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
            await conn.execute(sa.insert(Interaction), [
                {**r, "outcome": CallOutcome(r["outcome"]), "number": "+86138",
                 "wrap_up_seconds": 0.0, "disposition": "", "notes": "",
                 "recorded_at": DAY0} for r in rows
            ])  # fmt: skip
            await conn.execute(sa.insert(AgentStateInterval), [
                {"agent_id": "1001", "state": state, "reason": reason, "call_id": None,
                 "started_at": DAY0 + a * 60, "ended_at": DAY0 + b * 60}
                for state, reason, a, b in STRETCHES
            ])  # fmt: skip
        await engine.dispose()

    asyncio.run(write())
    return rows


STRETCHES = [  # agent 1001 on 2026-01-05, minutes since midnight UTC
    ("available", "", 9 * 60, 9 * 60 + 30),
    ("on_call", "", 9 * 60 + 30, 10 * 60 + 15),  # across the 10:00 boundary
    ("paused", "lunch", 10 * 60 + 15, 11 * 60),
]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "var").mkdir()
    seed(tmp_path / "var" / "callcenter.db")
    path = tmp_path / "callcenter.toml"
    path.write_text(f'[general]\ndata_dir = "{tmp_path / "var"}"\n')
    return path


def run(*args: str, **kwargs: Any) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kwargs)


def test_report_by_queue_as_csv(config: Path) -> None:
    result = run("--config", str(config), "report", "--from", "2026-01-05",
                 "--to", "2026-01-06", "--by", "queue", "--csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    day1 = rows[0]
    assert (day1["group"], day1["offered"], day1["answered"], day1["abandoned"]) == (
        "bookings", "3", "2", "1")  # fmt: skip
    assert day1["answered_within_sl"] == "1"  # 10 s within 20 s, 40 s not
    assert day1["service_level"] == "0.3333"
    assert day1["asa"] == "25"
    assert rows[1]["group"] == "complaints"


def test_report_by_hour_prints_a_table(config: Path) -> None:
    result = run("--config", str(config), "report", "--from", "2026-01-05",
                 "--to", "2026-01-05", "--by", "hour")  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["interval_start", "group", "offered"]
    assert len(lines) == 3  # 09:00 and 10:00


def test_report_by_agent_has_occupancy_from_the_stored_stretches(
    config: Path,
) -> None:
    result = run("--config", str(config), "report", "--from", "2026-01-05",
                 "--to", "2026-01-05", "--by", "agent", "--interval", "hour",
                 "--csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {(r["interval_start"][11:16], r["group"]): r
            for r in csv.DictReader(io.StringIO(result.output))}  # fmt: skip
    assert rows["09:00", "1001"]["occupancy"] == "0.5"  # 30 min on call of 60 staffed
    assert rows["10:00", "1001"]["occupancy"] == "1"  # 15 on call, then paused
    assert rows["10:00", "1001"]["offered"] == "0"  # staffed without a call: a row
    assert rows["09:00", "1002"]["occupancy"] == ""  # no stretch stored: unknown


def test_report_by_states_gives_time_per_state_and_pause_reason(
    config: Path,
) -> None:
    result = run("--config", str(config), "report", "--from", "2026-01-05",
                 "--to", "2026-01-05", "--by", "states", "--csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = [(r["agent"], r["state"], r["reason"], r["seconds"], r["share"])
            for r in csv.DictReader(io.StringIO(result.output))]  # fmt: skip
    assert rows == [
        ("1001", "available", "", "1800", "0.25"),
        ("1001", "on_call", "", "2700", "0.375"),
        ("1001", "paused", "lunch", "2700", "0.375"),
    ]


def test_report_refuses_bad_dates(config: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(config), "report", "--from",
                                       "2026-13-01", "--to", "2026-01-05"])  # fmt: skip
    assert result.exit_code != 0
    assert "not a date" in result.output
    result = CliRunner().invoke(main, ["--config", str(config), "report", "--from",
                                       "2026-01-06", "--to", "2026-01-05"])  # fmt: skip
    assert "ends" in result.output


def test_wallboard_needs_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALLCENTER_API_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["wallboard"])
    assert result.exit_code != 0
    assert "token" in result.output


def test_hash_password_prints_a_verifiable_scrypt_hash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt: "s3cret pass")
    result = run("wallboard", "--hash-password")
    assert result.exit_code == 0
    stored = result.output.strip()
    assert stored.startswith("scrypt$")
    assert verify_password(stored, "s3cret pass")
    assert not verify_password(stored, "wrong")
