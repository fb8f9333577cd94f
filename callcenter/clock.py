"""Injected time.

Cores never read a clock: they are handed ``now`` (POSIX seconds, UTC). The runtime
owns a ``Clock``: the system clock in real time, a ``VirtualClock`` in simulation,
where time jumps straight to the next deadline.
"""

import asyncio
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Where the runtime gets ``now`` and how it waits."""

    def now(self) -> float:
        """Return the current time in POSIX seconds (UTC)."""
        ...

    async def sleep_until(self, deadline: float) -> None:
        """Wait until ``deadline``; a virtual clock jumps there at once."""
        ...


class SystemClock:
    """The wall clock, for real-time runs."""

    def now(self) -> float:
        """Return the wall-clock time."""
        return time.time()

    async def sleep_until(self, deadline: float) -> None:
        """Sleep on the event loop until ``deadline``."""
        delay = deadline - time.time()
        if delay > 0:
            await asyncio.sleep(delay)


class VirtualClock:
    """A clock that only moves when told to: simulated hours pass in milliseconds."""

    def __init__(self, start: float = 1_767_600_000.0) -> None:
        """Start at ``start`` (default 2026-01-05 08:00 UTC, a Monday morning)."""
        self._now = start

    def now(self) -> float:
        """Return the virtual time."""
        return self._now

    async def sleep_until(self, deadline: float) -> None:
        """Jump to ``deadline`` (never backwards)."""
        self._now = max(self._now, deadline)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``."""
        self._now += seconds


def to_datetime(instant: float) -> datetime:
    """Turn POSIX seconds into an aware UTC datetime (for display and storage)."""
    return datetime.fromtimestamp(instant, tz=UTC)
