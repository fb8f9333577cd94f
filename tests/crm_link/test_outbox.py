"""Call records survive a database outage: queued durably, replayed, never lost."""

import json
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from callcenter.domain.events import CallOutcome
from callcenter.domain.ids import CallId
from crm_link.db import make_engine, make_session_factory
from crm_link.dto import WriteOutcome
from crm_link.models import Interaction, SurveyResponse
from crm_link.outbox import Outbox
from crm_link.service import CrmService
from tests.crm_link.conftest import NOW
from tests.services import free_port


async def _record(crm: CrmService, n: int) -> WriteOutcome:
    return await crm.record_call(
        call_id=CallId(f"call-{n}"), outcome=CallOutcome.ANSWERED,
        caller_number="13800138000", queue=None, agent_id=None, customer_id=None,
        offered_at=NOW + n, wait_seconds=1, talk_seconds=2, at=NOW + n + 3,
    )  # fmt: skip


async def _call_ids(url: str) -> list[str]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        rows = await connection.scalars(
            sa.select(Interaction.call_id).order_by(Interaction.call_id)
        )
        found = list(rows)
    await engine.dispose()
    return found


def _service(url: str, outbox: Path) -> CrmService:
    engine = make_engine(url)
    return CrmService(
        make_session_factory(engine), engine=engine, outbox=Outbox(outbox),
        write_timeout=2.0,
    )  # fmt: skip


async def test_an_unwritable_sqlite_file_queues_then_replays(
    tmp_path: Path, sqlite_template: Path
) -> None:
    database = tmp_path / "crm.db"
    database.write_bytes(sqlite_template.read_bytes())  # noqa: ASYNC240
    url = f"sqlite+aiosqlite:///{database}"
    outbox = tmp_path / "outbox" / "calls.jsonl"
    crm = _service(url, outbox)
    assert await _record(crm, 0) is WriteOutcome.STORED
    await crm.aclose()
    # Outage: the database path now names a directory nobody can open as SQLite.
    moved = tmp_path / "crm.db.away"
    database.rename(moved)
    database.mkdir()
    crm = _service(url, outbox)
    assert [await _record(crm, n) for n in (1, 2, 3)] == [WriteOutcome.QUEUED] * 3
    assert (
        await crm.record_survey(call_id=CallId("call-1"), score=4, at=NOW)
    ) is WriteOutcome.QUEUED
    lines = outbox.read_text().splitlines()
    assert [json.loads(line)["table"] for line in lines] == [
        "interactions", "interactions", "interactions", "survey_responses",
    ]  # fmt: skip
    await crm.aclose()
    # Recovery: the next successful write replays the queue first.
    database.rmdir()
    moved.rename(database)
    crm = _service(url, outbox)
    assert await _record(crm, 4) is WriteOutcome.STORED
    assert await _call_ids(url) == [f"call-{n}" for n in range(5)]
    assert not crm_outbox_pending(outbox)
    engine = make_engine(url)
    async with engine.connect() as connection:
        scores = list(await connection.scalars(sa.select(SurveyResponse.score)))
    await engine.dispose()
    assert scores == [4]
    await crm.aclose()


def crm_outbox_pending(path: Path) -> bool:
    return Outbox(path).pending()


async def test_a_dead_postgresql_loses_nothing(
    tmp_path: Path, pg_shared: str, postgres_server: object
) -> None:
    dead = f"postgresql+asyncpg://crm@127.0.0.1:{free_port()}/crm_shared"
    outbox = tmp_path / "calls.jsonl"
    crm = _service(dead, outbox)
    outcomes = [await _record(crm, n) for n in range(20)]
    assert outcomes == [WriteOutcome.QUEUED] * 20
    assert len(outbox.read_text().splitlines()) == 20
    await crm.aclose()
    live = _service(pg_shared, outbox)
    engine = make_engine(pg_shared)
    async with engine.begin() as connection:
        await connection.execute(sa.delete(Interaction))
    await engine.dispose()
    assert await live.replay_outbox() == 20
    assert await live.replay_outbox() == 0
    assert await _call_ids(pg_shared) == sorted(f"call-{n}" for n in range(20))
    await live.aclose()


async def test_replaying_twice_stores_each_record_once(
    db_url: str, tmp_path: Path
) -> None:
    outbox_path = tmp_path / "calls.jsonl"
    outbox = Outbox(outbox_path)
    record = {
        "table": "interactions",
        "values": {
            "call_id": "dup", "customer_id": None, "number": "+8613800138000",
            "queue": None, "agent_id": None, "offered_at": NOW, "wait_seconds": 0,
            "talk_seconds": 0, "wrap_up_seconds": 0, "outcome": "abandoned",
            "disposition": "", "notes": "", "recorded_at": NOW,
        },
    }  # fmt: skip
    await outbox.append(record)
    await outbox.append(record)
    crm = _service(db_url, outbox_path)
    assert await crm.replay_outbox() == 2
    assert await _call_ids(db_url) == ["dup"]
    await crm.aclose()


async def test_a_failed_replay_keeps_the_records(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "calls.jsonl")
    await outbox.append({"n": 1})

    async def failing(_records: list[dict[str, object]]) -> None:
        raise OSError("database still down")

    with pytest.raises(OSError, match="still down"):
        await outbox.replay(failing)
    await outbox.append({"n": 2})
    seen: list[dict[str, object]] = []

    async def keep(records: list[dict[str, object]]) -> None:
        seen.extend(records)

    assert await outbox.replay(keep) == 2
    assert seen == [{"n": 1}, {"n": 2}]
    assert not outbox.pending()


async def test_a_torn_last_line_is_set_aside_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    outbox = Outbox(path)
    await outbox.append({"n": 1})
    with path.open("ab") as raw:
        raw.write(b'{"n": 2, "trunc')
    seen: list[dict[str, object]] = []

    async def keep(records: list[dict[str, object]]) -> None:
        seen.extend(records)

    assert await outbox.replay(keep) == 1
    assert seen == [{"n": 1}]
    assert (tmp_path / "calls.jsonl.rejected").read_bytes() == b'{"n": 2, "trunc\n'


async def test_appends_are_private_files(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "calls.jsonl")
    await outbox.append({"n": 1})
    assert stat.S_IMODE(outbox.path.stat().st_mode) == 0o600


async def test_a_batch_is_queued_with_one_flush_and_replayed_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = Outbox(tmp_path / "calls.jsonl")
    await outbox.append({"n": 0})  # the file exists: no folder flush below
    flushed: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        flushed.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    await outbox.append_many([{"n": n, "name": "李强"} for n in range(1, 501)])
    assert len(flushed) == 1
    await outbox.append_many([])  # nothing to write: no flush
    assert len(flushed) == 1
    seen: list[dict[str, object]] = []

    async def keep(records: list[dict[str, object]]) -> None:
        seen.extend(records)

    assert await outbox.replay(keep) == 501
    assert [r["n"] for r in seen] == list(range(501))
    assert seen[1]["name"] == "李强"
