"""Where read-only lookups run: a dedicated SQLite reader thread, or the async pool.

The screen pop is on the call path, so its cost is paid on every ring. Over
aiosqlite every statement costs four hand-offs to the driver's thread (cursor,
execute, fetch, close) and every checkout one more, each a wake-up of both the
event loop and the worker. For a SQLite file the lookup therefore runs as one plain
synchronous function on a dedicated thread with its own read-only connection: one
hand-off per lookup. For PostgreSQL (asyncpg is natively async) it runs on a small
pool of its own in autocommit and without pre-ping: no BEGIN, ROLLBACK or ping
round trips around the statements (a lookup on a dead connection is retried once).

Statements of the reader are passed on to the ``before_cursor_execute`` and
``after_cursor_execute`` listeners of the service's engine, so one engine remains
the place to observe (log, trace, count) all SQL of the service.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from crm_link.db import is_sqlite, make_engine, sqlite_read_pragmas

T = TypeVar("T")


class Reader(Protocol):
    """Runs a synchronous read-only function on a database connection."""

    async def run(self, work: Callable[[sa.Connection], T]) -> T:
        """Return ``work(connection)``; the connection is released afterwards."""
        ...

    async def aclose(self) -> None:
        """Release what the reader holds (not the service's engine)."""
        ...


def make_reader(engine: AsyncEngine) -> Reader:
    """Return the fastest reader for ``engine``'s database.

    A SQLite file gets a ``ThreadReader``; PostgreSQL a ``PoolReader`` with a pool
    of its own in autocommit; in-memory or URI SQLite databases (which another
    engine could not open again) a ``PoolReader`` on ``engine`` itself.
    """
    if not is_sqlite(engine.url):
        own = make_engine(engine.url, for_reads=True)
        _pass_statements_on(own.sync_engine, engine.sync_engine)
        return PoolReader(own, owned=True)
    database = engine.url.database or ""
    if database in {"", ":memory:"} or database.startswith("file:"):
        return PoolReader(engine, owned=False)
    return ThreadReader(engine.url, observed=engine.sync_engine)


def bound_engine(sessions: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    """Return the engine ``sessions`` are bound to (the reader reads from it)."""
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        msg = "the CRM needs sessions bound to an AsyncEngine"
        raise TypeError(msg)
    return bind


class ThreadReader:
    """A dedicated thread with its own read-only connection to a SQLite file."""

    def __init__(self, url: sa.URL, *, observed: sa.Engine) -> None:
        """Prepare the reader; the connection is opened by the first lookup."""
        self._engine = sa.create_engine(
            url.set(drivername="sqlite+pysqlite"),
            pool_size=1,
            max_overflow=0,
            connect_args={"check_same_thread": False},
        )
        sa.event.listen(self._engine, "connect", sqlite_read_pragmas)
        _pass_statements_on(self._engine, observed)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crm-read")
        self._closed = False

    async def run(self, work: Callable[[sa.Connection], T]) -> T:
        """Return ``work(connection)`` computed on the reader thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._run, work)

    def _run(self, work: Callable[[sa.Connection], T]) -> T:
        with self._engine.connect() as connection:
            return work(connection)

    async def aclose(self) -> None:
        """Close the connection on its own thread, then stop the thread (once)."""
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self._engine.dispose)
        self._thread.shutdown(wait=True)


class PoolReader:
    """Lookups on an async engine's pooled connections."""

    def __init__(self, engine: AsyncEngine, *, owned: bool) -> None:
        """Read through ``engine``; ``owned``: ``aclose`` disposes of it."""
        self._engine = engine
        self._owned = owned

    async def run(self, work: Callable[[sa.Connection], T]) -> T:
        """Return ``work(connection)`` run in the async connection's greenlet.

        A lookup that finds its connection dead (the database restarted; the pool
        does not ping before each use) is retried once on a fresh connection.
        """
        try:
            return await self._run(work)
        except sa.exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
        return await self._run(work)

    async def _run(self, work: Callable[[sa.Connection], T]) -> T:
        async with self._engine.connect() as connection:
            return await connection.run_sync(work)

    async def aclose(self) -> None:
        """Close the reader's own pool (an engine it was lent stays open)."""
        if self._owned:
            await self._engine.dispose()


def _pass_statements_on(source: sa.Engine, observed: sa.Engine) -> None:
    def before(*args: Any) -> None:
        observed.dispatch.before_cursor_execute(*args)

    def after(*args: Any) -> None:
        observed.dispatch.after_cursor_execute(*args)

    sa.event.listen(source, "before_cursor_execute", before)
    sa.event.listen(source, "after_cursor_execute", after)
