"""Call-path writes: idempotent inserts of call records, live or from the outbox.

A record is ``{"table": name, "values": {column: value}}`` with JSON-safe values, so
the same record can be written now or queued in the outbox and replayed later.
Inserts ignore a duplicate ``call_id``. Agent state intervals are keyed by agent and
start instead, and a duplicate extends the stored stretch to the later of the two
ends: an open stretch is written again at each checkpoint (``crm_link.agent_log``),
and a replay in any order leaves the latest end. A record whose customer no longer
exists is still stored, without the customer link: the call happened either way. A
record without a customer is linked to the one customer owning its number, if exactly
one.
"""

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm_link.dto import WriteOutcome
from crm_link.errors import CrmError
from crm_link.models import (
    AgentStateInterval,
    CallbackRequest,
    Interaction,
    PhoneNumber,
    SurveyResponse,
    Voicemail,
)
from crm_link.outbox import Outbox, Record

UNAVAILABLE = (OperationalError, DBAPIError, OSError, TimeoutError)
"""What counts as "the database cannot take the write now"."""
_LOG = logging.getLogger(__name__)

CALL_PATH_TABLES: dict[str, sa.Table] = {
    table.name: table
    for table in (
        Interaction.__table__,
        SurveyResponse.__table__,
        CallbackRequest.__table__,
        Voicemail.__table__,
        AgentStateInterval.__table__,
    )
    if isinstance(table, sa.Table)
}
_UNIQUE_BY: dict[str, list[str]] = {
    "agent_state_intervals": ["agent_id", "started_at"],
}
"""The unique key of a table whose duplicates are ignored, when not ``call_id``."""
_EXTENDED_BY: dict[str, str] = {"agent_state_intervals": "ended_at"}
"""Tables whose duplicates are not ignored but keep the greater of this column."""


def record(table: str, values: dict[str, Any]) -> Record:
    """Return the portable form of one call-path write."""
    if table not in CALL_PATH_TABLES:
        msg = f"not a call-path table: {table!r}"
        raise CrmError(msg)
    return {"table": table, "values": values}


async def apply_records(session: AsyncSession, records: Sequence[Record]) -> None:
    """Insert ``records`` in the session's transaction (the caller commits).

    Rows of a table without foreign keys (agent state intervals, thousands at a time)
    go in one multi-row statement; the others one by one, each in a savepoint so a
    vanished customer only drops the link, never the record.
    """
    dialect = session.get_bind().dialect.name
    bulk: dict[str, list[dict[str, Any]]] = {}
    for item in records:
        table = CALL_PATH_TABLES.get(str(item.get("table")))
        if table is None:
            msg = f"outbox record names an unknown table: {item.get('table')!r}"
            raise CrmError(msg)
        values = dict(item["values"])
        if not table.foreign_keys:
            bulk.setdefault(table.name, []).append(values)
            continue
        if values.get("customer_id") is None and values.get("number"):
            values["customer_id"] = await _owner_of(session, str(values["number"]))
        await _insert_keeping_the_call(session, dialect, table, values)
    for name, rows in bulk.items():
        table = CALL_PATH_TABLES[name]
        await session.execute(_idempotent_insert(dialect, table), _latest(name, rows))


async def _insert_keeping_the_call(
    session: AsyncSession, dialect: str, table: sa.Table, values: dict[str, Any]
) -> None:
    try:
        async with session.begin_nested():
            await session.execute(_idempotent_insert(dialect, table, values))
    except IntegrityError:
        if values.get("customer_id") is None:
            raise
        values["customer_id"] = None
        async with session.begin_nested():
            await session.execute(_idempotent_insert(dialect, table, values))


def _idempotent_insert(
    dialect: str, table: sa.Table, values: dict[str, Any] | None = None
) -> sa.Executable:
    """Return an insert that skips (or extends) duplicates; no ``values``: many rows."""
    unique = _UNIQUE_BY.get(table.name, ["call_id"])
    insert: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        insert = postgresql.insert(table)
    elif dialect == "sqlite":
        insert = sqlite.insert(table)
    else:
        msg = f"unsupported database dialect: {dialect}"
        raise CrmError(msg)
    insert = insert if values is None else insert.values(values)
    column = _EXTENDED_BY.get(table.name)
    if column is None:
        return insert.on_conflict_do_nothing(index_elements=unique)
    later = insert.excluded[column]
    return insert.on_conflict_do_update(
        index_elements=unique, set_={column: later}, where=later > table.c[column]
    )


def _latest(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep one row per key of an extended table, the one with the greatest end.

    A batch or a replay may hold an open stretch several times, and PostgreSQL does
    not update one row twice in a statement.
    """
    column = _EXTENDED_BY.get(table)
    if column is None:
        return rows
    unique = _UNIQUE_BY[table]
    latest: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[name] for name in unique)
        kept = latest.get(key)
        if kept is None or row[column] > kept[column]:
            latest[key] = row
    return list(latest.values())


async def _owner_of(session: AsyncSession, e164: str) -> int | None:
    owners = (
        await session.scalars(
            sa.select(PhoneNumber.customer_id).where(PhoneNumber.e164 == e164).limit(2)
        )
    ).all()
    return owners[0] if len(owners) == 1 else None


class CallPathWriter:
    """Write call records now, or queue them durably when the database fails."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        outbox: Outbox | None,
        timeout: float,
        logger: logging.Logger | None = None,
    ) -> None:
        """Without an outbox, database errors propagate to the caller."""
        self._sessions = sessions
        self._outbox = outbox
        self._timeout = timeout
        self._log = logger or _LOG

    async def write(self, item: Record) -> WriteOutcome:
        """Store ``item``, or append it to the outbox if the database fails."""
        return await self.write_many([item])

    async def write_many(self, items: Sequence[Record]) -> WriteOutcome:
        """Store ``items`` in one transaction, or queue them all if it fails."""
        try:
            await self._apply(list(items))
        except UNAVAILABLE as exc:
            if self._outbox is None:
                raise
            self._log.warning("database unavailable, %d records queued: %s",
                              len(items), exc)  # fmt: skip
            await self._outbox.append_many(items)
            return WriteOutcome.QUEUED
        await self._replay_quietly()
        return WriteOutcome.STORED

    async def replay(self) -> int:
        """Write the queued records; return how many (0 without an outbox)."""
        if self._outbox is None or not self._outbox.pending():
            return 0
        return await self._outbox.replay(self._apply)

    async def _apply(self, items: list[Record]) -> None:
        async with (
            asyncio.timeout(self._timeout),
            self._sessions() as session,
            session.begin(),
        ):
            await apply_records(session, items)

    async def _replay_quietly(self) -> None:
        try:
            replayed = await self.replay()
        except UNAVAILABLE as exc:
            self._log.warning("outbox replay failed, will retry: %s", exc)
            return
        if replayed:
            self._log.info("outbox replayed %d call records", replayed)
