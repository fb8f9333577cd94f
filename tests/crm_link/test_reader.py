"""The screen-pop reader: a read-only SQLite thread, or an autocommit pool."""

import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from crm_link.db import make_engine
from crm_link.reader import PoolReader, ThreadReader, make_reader


def _current_thread(_connection: sa.Connection) -> int:
    return threading.get_ident()


def _count_customers(connection: sa.Connection) -> int:
    return int(
        connection.exec_driver_sql("SELECT count(*) FROM customers").scalar_one()
    )


async def test_each_backend_gets_its_reader_and_statements_reach_the_engine(
    db_url: str, backend: str
) -> None:
    engine = make_engine(db_url)
    seen: list[str] = []
    sa.event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_rest: seen.append(statement),
    )
    reader = make_reader(engine)
    expected = ThreadReader if backend == "sqlite" else PoolReader
    assert isinstance(reader, expected)
    assert await reader.run(_count_customers) == 0
    assert seen == ["SELECT count(*) FROM customers"]
    await reader.aclose()
    await reader.aclose()  # closing twice is harmless
    await engine.dispose()


async def test_a_sqlite_file_is_read_off_the_event_loop_and_never_written(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "crm.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    reader = make_reader(engine)
    assert await reader.run(_current_thread) != threading.get_ident()
    with pytest.raises(sa.exc.OperationalError, match="readonly"):
        await reader.run(
            lambda connection: connection.exec_driver_sql("DELETE FROM customers")
        )
    await reader.aclose()
    await engine.dispose()


async def test_an_in_memory_database_is_read_through_its_own_engine() -> None:
    engine = make_engine("sqlite+aiosqlite:///:memory:")
    reader = make_reader(engine)
    assert isinstance(reader, PoolReader)
    assert await reader.run(lambda c: c.exec_driver_sql("SELECT 7").scalar()) == 7
    await reader.aclose()
    await engine.dispose()


def _backend_pid(connection: sa.Connection) -> int:
    return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


async def test_a_postgresql_lookup_survives_a_dropped_connection(
    pg_shared: str,
) -> None:
    engine = make_engine(pg_shared)
    reader = make_reader(engine)
    first = await reader.run(_backend_pid)
    async with engine.connect() as connection:
        await connection.execute(
            sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": first}
        )
    assert await reader.run(_backend_pid) != first
    await reader.aclose()
    await engine.dispose()
