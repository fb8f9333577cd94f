"""What the bridge still has to publish: bounded, drop-oldest, latest-wins state.

Sans-IO. Events queue in order up to a bound; beyond it the oldest is dropped and
counted, so an unreachable broker costs memory proportional to the bound, not to the
outage. Retained messages (queue stats) are state, not history: only the latest per
topic is kept, and they go out first after a reconnect.
"""

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Outgoing:
    """One MQTT message to publish."""

    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False


class Outbox:
    """Messages waiting for the broker; ``peek`` then ``sent`` once published.

    A message is removed only after it was published, so one interrupted by a lost
    connection is sent again on the next one (at-least-once across reconnects).
    """

    def __init__(self, *, maxsize: int) -> None:
        """Keep at most ``maxsize`` non-retained messages."""
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._queue: deque[Outgoing] = deque()
        self._latest: dict[str, Outgoing] = {}
        self.dropped = 0
        """Messages discarded because the queue was full."""

    def put(self, message: Outgoing) -> None:
        """Queue a message (retained: replace the previous one of its topic)."""
        if message.retain:
            self._latest.pop(message.topic, None)
            self._latest[message.topic] = message
            return
        if len(self._queue) >= self.maxsize:
            self._queue.popleft()
            self.dropped += 1
        self._queue.append(message)

    def peek(self) -> Outgoing | None:
        """Return the next message to publish, retained state first."""
        if self._latest:
            return next(iter(self._latest.values()))
        return self._queue[0] if self._queue else None

    def sent(self, message: Outgoing) -> None:
        """Forget ``message`` now that it is published (unless already replaced)."""
        if message.retain:
            if self._latest.get(message.topic) is message:
                del self._latest[message.topic]
        elif self._queue and self._queue[0] is message:
            self._queue.popleft()

    def __len__(self) -> int:
        return len(self._queue) + len(self._latest)
