"""Fan-out of wallboard updates to every connected browser or terminal.

Each subscriber has its own bounded queue of encoded frames, so one slow client
cannot stall the others (LIBRARIES.md). Updates are patches on the previous state;
when a subscriber falls ``limit`` frames behind its queue is emptied and refilled
with one full snapshot, which supersedes every patch it missed. ``close`` wakes every
long-lived handler, so a graceful shutdown never waits on an open stream.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

CLOSED = b""


@dataclass(slots=True, eq=False)
class Subscriber:
    """One connected client: frames wait here until its handler sends them."""

    limit: int
    frames: asyncio.Queue[bytes] = field(default_factory=asyncio.Queue)
    resyncs: int = 0

    async def next_frame(self) -> bytes:
        """Return the next frame; ``CLOSED`` (empty) when the server shuts down."""
        return await self.frames.get()


@dataclass(slots=True)
class HubStats:
    """Counters for /metrics."""

    frames: int = 0
    resyncs: int = 0
    connected: int = 0
    connections: int = 0


class Hub:
    """Delivers patches to subscribers and full snapshots to newcomers."""

    def __init__(self, snapshot: Callable[[], bytes], *, limit: int = 32) -> None:
        """Serve ``snapshot()`` (the full state, encoded) to newcomers and laggards."""
        self._snapshot = snapshot
        self._limit = limit
        self._subscribers: set[Subscriber] = set()
        self._closed = False
        self.stats = HubStats()

    def subscribe(self) -> Subscriber:
        """Register a client; its first frame is the full snapshot."""
        subscriber = Subscriber(limit=self._limit)
        subscriber.frames.put_nowait(CLOSED if self._closed else self._snapshot())
        self._subscribers.add(subscriber)
        self.stats.connected = len(self._subscribers)
        self.stats.connections += 1
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Forget a client (its handler ended)."""
        self._subscribers.discard(subscriber)
        self.stats.connected = len(self._subscribers)

    def publish(self, frame: bytes) -> None:
        """Queue ``frame`` (a patch) for every subscriber."""
        full: bytes | None = None
        for subscriber in self._subscribers:
            queue = subscriber.frames
            if queue.qsize() < subscriber.limit:
                queue.put_nowait(frame)
                continue
            while not queue.empty():
                queue.get_nowait()
            full = full or self._snapshot()
            queue.put_nowait(full)
            subscriber.resyncs += 1
            self.stats.resyncs += 1
        self.stats.frames += 1

    def close(self) -> None:
        """Wake every handler with ``CLOSED`` (called from ``on_shutdown``)."""
        self._closed = True
        for subscriber in self._subscribers:
            subscriber.frames.put_nowait(CLOSED)

    @property
    def size(self) -> int:
        """Return how many clients are connected."""
        return len(self._subscribers)
