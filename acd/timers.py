"""Timers of the engine: a heap of (deadline, kind, target, token).

Timers are never cancelled: each carries the token of the thing it watches (an
offer, a wrap-up, a reservation) and the engine drops it when it fires if the token
no longer matches. ``peek`` lets the engine skip dead timers before reporting its
next deadline, so the runtime is not woken for nothing.
"""

import heapq
from collections.abc import Callable
from enum import StrEnum


class TimerKind(StrEnum):
    """What a timer watches."""

    RING = "ring"  # ring timeout of an offer (target: agent id)
    WRAP = "wrap"  # end of wrap-up (target: agent id)
    TIER = "tier"  # a call may now use the next penalty tier (target: call id)
    OVERFLOW = "overflow"  # next overflow rule of a call (target: call id)
    PREFERRED = "preferred"  # end of the wait for a preferred agent (call id)
    CALLBACK = "callback"  # retry a failed callback (target: call id)


Timer = tuple[float, int, TimerKind, str, int]


class Timers:
    """A min-heap of timers with lazy deletion."""

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[Timer] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, deadline: float, kind: TimerKind, target: str, token: int) -> None:
        """Schedule a timer."""
        self._seq += 1
        heapq.heappush(self._heap, (deadline, self._seq, kind, target, token))

    def peek(self, alive: Callable[[Timer], bool]) -> float | None:
        """Return the earliest live deadline, dropping dead timers on the way."""
        heap = self._heap
        while heap:
            if alive(heap[0]):
                return heap[0][0]
            heapq.heappop(heap)
        return None

    def pop_due(self, now: float) -> list[Timer]:
        """Remove and return every timer due at ``now``, earliest first."""
        heap = self._heap
        due: list[Timer] = []
        while heap and heap[0][0] <= now:
            due.append(heapq.heappop(heap))
        return due
