"""The waiting line of one queue: calls in the order the engine serves them.

Order (the *key*): with an aging rate ``r`` points per minute, a call of base
priority ``p`` that entered at ``t`` has effective priority ``p + r*(now - t)/60``.
Since ``r*now`` is common to every call of the queue, sorting by the *virtual
arrival* ``t - 60*p/r`` gives the same order at every instant: the order never has
to be recomputed, and aging needs no timer. With ``r = 0`` the key is
``(-p, t)``: strict priority, FIFO within a priority. The entry sequence number
breaks ties, so equal priority is FIFO by arrival.

The line is a sorted list (``bisect``): insertion and removal are a binary search
plus a memmove, the head is index 0 and a caller's position is one more binary
search, which is what announcements need.
"""

from bisect import bisect_left, insort
from collections.abc import Iterator

from acd.models import QueuedCall

Key = tuple[float, float, int]


def order_key(*, priority: int, entered_at: float, seq: int, aging_rate: float) -> Key:
    """Return the sort key of a call (smaller is served first)."""
    if aging_rate > 0:
        return (entered_at - 60.0 * priority / aging_rate, entered_at, seq)
    return (float(-priority), entered_at, seq)


def effective_priority(call: QueuedCall, *, aging_rate: float, now: float) -> float:
    """Return the call's priority at ``now`` including aging (for cross-queue picks)."""
    return call.base_priority + aging_rate * (now - call.entered_at) / 60.0


class WaitingLine:
    """Calls waiting in one queue, kept sorted by their key."""

    __slots__ = ("_calls", "_keys")

    def __init__(self) -> None:
        self._keys: list[Key] = []
        self._calls: dict[Key, QueuedCall] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[QueuedCall]:
        """Yield calls head first; the line must not change during the iteration."""
        calls = self._calls
        return (calls[key] for key in self._keys)

    def add(self, call: QueuedCall) -> None:
        """Put the call at the place its key gives it."""
        insort(self._keys, call.key)
        self._calls[call.key] = call

    def remove(self, call: QueuedCall) -> None:
        """Take the call out (it must be in the line)."""
        index = bisect_left(self._keys, call.key)
        del self._keys[index]
        del self._calls[call.key]

    def __contains__(self, call: QueuedCall) -> bool:
        return self._calls.get(call.key) is call

    def head(self) -> QueuedCall | None:
        """Return the call served next, if any."""
        return self._calls[self._keys[0]] if self._keys else None

    def position(self, call: QueuedCall) -> int:
        """Return the 1-based position a call with this key has (or would have)."""
        return bisect_left(self._keys, call.key) + 1
