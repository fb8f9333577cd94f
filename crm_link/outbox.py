"""A durable outbox for call-path writes: a call record is never lost.

When the database cannot take a write (down, locked, read-only, too slow) the
record is appended as one JSON line to a local file and ``fsync``-ed before the
call path moves on. ``replay`` later hands the queued records back to the database.

Appends never wait for a replay: a replay first renames the file to
``<name>.replaying`` (under a short lock) and works on that, so new records go to
a fresh file meanwhile. If the replay fails the ``.replaying`` file stays and is
retried first next time. Records must be idempotent (the CRM tables are unique by
``call_id``), because a record may be stored and queued when a write times out
after the database committed it.
"""

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

Record = dict[str, Any]
Apply = Callable[[list[Record]], Awaitable[None]]

_LOG = logging.getLogger(__name__)


class Outbox:
    """Append-only JSON-lines file of records waiting for the database."""

    def __init__(self, path: Path, *, logger: logging.Logger | None = None) -> None:
        """Use ``path`` (its folder is created); ``<path>.replaying`` is its twin."""
        self._path = path
        self._replaying = path.with_name(path.name + ".replaying")
        self._lock = asyncio.Lock()
        self._replay_lock = asyncio.Lock()
        self._log = logger or _LOG
        path.parent.mkdir(parents=True, exist_ok=True)

    @property
    def path(self) -> Path:
        """Return the file new records are appended to."""
        return self._path

    def pending(self) -> bool:
        """Return whether any record waits for replay (cheap: two ``stat`` calls)."""
        return any(
            candidate.exists() and candidate.stat().st_size > 0
            for candidate in (self._path, self._replaying)
        )

    async def append(self, record: Record) -> None:
        """Write one record durably (flushed and fsync-ed) before returning."""
        await self.append_many([record])

    async def append_many(self, records: Sequence[Record]) -> None:
        """Write ``records`` durably with one write and one ``fsync``.

        A batch (a minute's agent-state checkpoints) queued during an outage costs
        one disk flush, not one per record.
        """
        if not records:
            return
        data = "".join(
            json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
            for record in records
        )
        async with self._lock:
            await asyncio.to_thread(self._append_sync, data.encode())

    def _append_sync(self, data: bytes) -> None:
        fresh = not self._path.exists()
        fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            view = memoryview(data)
            while view:  # a regular file takes it all at once; be sure anyway
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if fresh:
            _fsync_dir(self._path.parent)

    async def replay(self, apply: Apply) -> int:
        """Hand every queued record to ``apply`` and forget them once it succeeds.

        Returns the number of records replayed. If ``apply`` raises, the records
        stay queued and the exception propagates.
        """
        async with self._replay_lock:
            async with self._lock:
                await asyncio.to_thread(self._rotate)
            if not self._replaying.exists():
                return 0
            records = await asyncio.to_thread(self._read, self._replaying)
            if records:
                await apply(records)
            await asyncio.to_thread(self._replaying.unlink)
            await asyncio.to_thread(_fsync_dir, self._path.parent)
            return len(records)

    def _rotate(self) -> None:
        if not self._path.exists():
            return
        if self._replaying.exists():
            with self._replaying.open("ab") as target:
                target.write(self._path.read_bytes())
                target.flush()
                os.fsync(target.fileno())
            self._path.unlink()
        else:
            self._path.rename(self._replaying)
        _fsync_dir(self._path.parent)

    def _read(self, path: Path) -> list[Record]:
        records: list[Record] = []
        for number, line in enumerate(path.read_bytes().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                self._keep_torn(path, number, line)
        return records

    def _keep_torn(self, path: Path, number: int, line: bytes) -> None:
        rejected = path.with_name(self._path.name + ".rejected")
        with rejected.open("ab") as target:
            target.write(line + b"\n")
        self._log.warning(
            "outbox line %d of %s is not JSON (torn write?), kept in %s",
            number,
            path,
            rejected,
        )


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
