"""A discrete-event timeline: callbacks due at instants, cancellable by key.

Sans-IO: the owner asks ``next_due()`` and calls ``run_due(now)``. Entries are keyed
(e.g. ``("media", call_id)``) so that a newer entry under the same key replaces the
older one: when a caller starts a new prompt, the end of the old one never fires.
"""

import heapq
import itertools
from collections.abc import Callable, Hashable

Action = Callable[[float], None]


class Timeline:
    """A heap of due actions with replace-by-key cancellation."""

    def __init__(self) -> None:
        """Start empty."""
        self._heap: list[tuple[float, int, Hashable | None, Action]] = []
        self._live: dict[Hashable, int] = {}
        self._seq = itertools.count()

    def schedule(
        self, at: float, action: Action, *, key: Hashable | None = None
    ) -> None:
        """Run ``action(at)`` at ``at``; a keyed entry replaces the previous one."""
        seq = next(self._seq)
        if key is not None:
            self._live[key] = seq
        heapq.heappush(self._heap, (at, seq, key, action))

    def cancel(self, key: Hashable) -> None:
        """Forget the pending entry under ``key``, if any."""
        self._live.pop(key, None)

    def clear(self) -> None:
        """Forget every pending entry (the owner is shutting down)."""
        self._heap.clear()
        self._live.clear()

    def _is_live(self, seq: int, key: Hashable | None) -> bool:
        return key is None or self._live.get(key) == seq

    def next_due(self) -> float | None:
        """Return the instant of the earliest live entry."""
        heap = self._heap
        while heap and not self._is_live(heap[0][1], heap[0][2]):
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def run_due(self, now: float) -> int:
        """Run every live entry due by ``now``, in order; return how many ran."""
        ran = 0
        heap = self._heap
        while heap and heap[0][0] <= now:
            at, seq, key, action = heapq.heappop(heap)
            if not self._is_live(seq, key):
                continue
            if key is not None:
                del self._live[key]
            action(at)
            ran += 1
        return ran

    def __len__(self) -> int:
        """Return the number of live keyed entries plus unkeyed ones pending."""
        return len(self._heap)
