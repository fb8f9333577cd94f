"""Engine, session factory and the declarative base of the CRM tables.

SQLite (``sqlite+aiosqlite:///path``) is the embedded default; PostgreSQL
(``postgresql+asyncpg://...``) is the production choice. SQLite connections get WAL
(readers never wait for the call-record writer), enforced foreign keys and a busy
timeout. Sessions keep loaded attributes after commit (``expire_on_commit=False``)
because rows are turned into DTOs after the transaction ends.
"""

import enum
from pathlib import Path
from typing import Annotated, Any, Self

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncAttrs,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DEFAULT_SQLITE_URL = "sqlite+aiosqlite:///var/callcenter.db"


def _enum_values(enum_class: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_class]


class Base(AsyncAttrs, DeclarativeBase):
    """Base of every CRM table: naming convention and enum-by-value storage."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {
        enum.Enum: sa.Enum(
            enum.Enum,
            native_enum=False,
            length=32,
            values_callable=_enum_values,
            validate_strings=True,
        ),
        float: sa.Float(),
    }


intpk = Annotated[int, mapped_column(primary_key=True)]
"""Integer surrogate key (rowid on SQLite, serial on PostgreSQL)."""

timestamp = Annotated[float, mapped_column(sa.Float())]
"""POSIX seconds, UTC: the time unit of the whole project."""

short_text = Annotated[str, mapped_column(sa.String(200), default="")]
long_text = Annotated[str, mapped_column(sa.Text(), default="")]


def is_sqlite(url: str | sa.URL) -> bool:
    """Return whether ``url`` names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(
    url: str | sa.URL, *, echo: bool = False, for_reads: bool = False
) -> AsyncEngine:
    """Create an async engine tuned for the call path.

    For a SQLite file the parent folder is created, and every connection switches
    on WAL, foreign keys, a 5 s busy timeout and the read tuning of
    ``SQLITE_PRAGMAS`` (memory-mapped file, 64 MiB page cache). PostgreSQL
    connections are checked before reuse so the pool recovers by itself after a
    database restart. A ``for_reads`` pool (PostgreSQL lookups) runs in autocommit
    (no BEGIN and ROLLBACK round trips) without the pre-ping round trip: its user
    retries a lookup once when the connection turns out to be dead.
    """
    parsed = make_url(url)
    if is_sqlite(parsed):
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(parsed, echo=echo)
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        parsed,
        echo=echo,
        pool_pre_ping=not for_reads,
        connect_args={"timeout": 5},
        **({"isolation_level": "AUTOCOMMIT"} if for_reads else {}),
    )


SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=5000",
    # Reads: map the file instead of copying pages through read() calls, keep a
    # 64 MiB page cache per connection (the default is 2 MiB) and sort in memory.
    f"PRAGMA mmap_size={1 << 30}",
    f"PRAGMA cache_size=-{64 * 1024}",
    "PRAGMA temp_store=MEMORY",
)
"""Applied to every SQLite connection (``cache_size`` is in KiB when negative)."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def sqlite_read_pragmas(dbapi_connection: Any, record: Any) -> None:
    """Set up a reader's SQLite connection: the usual pragmas, and read-only.

    ``query_only`` makes a stray write on the reader fail instead of competing
    with the writer for the database lock.
    """
    _sqlite_pragmas(dbapi_connection, record)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA query_only=ON")
    finally:
        cursor.close()


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return the session factory the services use (no expiry on commit)."""
    return async_sessionmaker(engine, expire_on_commit=False)


class SessionStore:
    """Works through a session factory; disposes its engine when it owns one.

    Built from a URL (``from_url``) it owns the engine it made; handed a factory
    (a shared engine), it leaves the engine to its owner.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        engine: AsyncEngine | None = None,
    ) -> None:
        """Work through ``sessions``; ``aclose`` disposes ``engine`` when given."""
        self._sessions = sessions
        self._engine = engine

    @classmethod
    def from_url(cls, url: str) -> Self:
        """Build one with its own engine (``aclose`` disposes it)."""
        engine = make_engine(url)
        return cls(make_session_factory(engine), engine=engine)

    async def aclose(self) -> None:
        """Release the engine this store created."""
        if self._engine is not None:
            await self._engine.dispose()
