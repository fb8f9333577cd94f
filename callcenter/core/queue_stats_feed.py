"""Each queue's live figures on the bus: ``QueueStatsUpdated`` on change, <= 1/s.

Why: agent consoles on a production broker and external consumers see queue figures
only through the retained MQTT topic ``queues/{queue}/stats``; the feed keeps it
current without computing figures on every event of the runtime's hot loop.

Theory of operation. The runtime shows the feed every input and every event it
publishes (``touch``), which only marks queues *dirty*:

* an ACD event that changes a queue's calls (``CallQueued``, ``CallAbandoned``,
  ``AcdCallFinished``) marks that queue; a ``CallQueued`` for a call the ACD
  already held in another queue (an internal overflow, which the ACD reports with
  no event for the queue it left) marks that one too. An offer to an agent changes
  no figure but the agent's state;
* ``AgentStateChanged`` marks the queues the agent serves, unless by the flush the
  agent counts as before: the busy states (ringing, on call, wrap-up) count alike,
  and an agent who frees up and is offered the next call at once did not change;
* an agent's or a supervisor's command marks every queue (queue membership can
  change without a state change).

``flush(now)`` computes the figures of the dirty queues whose last publication is at
least ``interval`` old and publishes those that changed. So the first change after a
quiet second goes out at once, a burst is coalesced into one more message at the end
of the window carrying the latest figures, and nothing is lost: a queue stays dirty
until it was flushed. ``next_due`` tells the runtime when to wake for that, in real
and virtual time alike; ``start`` publishes every queue once, so the retained topics
are filled from the beginning.

"Changed" compares the payload without ``at``, and ``longest_wait`` as the instant
the oldest caller joined (``at - longest_wait``, to the millisecond): the wait grows
by itself every second, so a queue whose callers merely wait publishes nothing, and a
reader adds ``now - at`` while ``waiting > 0``. Today's counters reset at local
midnight without an event; that shows with the queue's next change.
"""

import operator
from collections.abc import Callable, Iterable
from dataclasses import fields
from enum import Enum

from acd.agent_state import BUSY
from acd.engine import AcdEngine
from acd.errors import AcdError
from callcenter.core.messages import AgentCommand, SupervisorCommand
from callcenter.domain.events import (
    AcdCallFinished,
    AgentState,
    AgentStateChanged,
    CallAbandoned,
    CallQueued,
    QueueStatsUpdated,
)
from callcenter.domain.ids import AgentId, CallId, QueueName

_QUEUE_EVENTS = (CallQueued, CallAbandoned, AcdCallFinished)
_COMMANDS = (AgentCommand, SupervisorCommand)
_FIGURES = operator.attrgetter(
    *(
        field.name
        for field in fields(QueueStatsUpdated)
        if field.name not in {"at", "queue", "longest_wait"}
    )
)

Publish = Callable[[QueueStatsUpdated], None]


class _Touch(Enum):
    NOTHING = 0
    QUEUE = 1
    AGENT = 2
    EVERY = 3


def _touch_of(kind: type) -> _Touch:
    if issubclass(kind, _QUEUE_EVENTS):
        return _Touch.QUEUE
    if issubclass(kind, AgentStateChanged):
        return _Touch.AGENT
    if issubclass(kind, _COMMANDS):
        return _Touch.EVERY
    return _Touch.NOTHING


def figures_key(stats: QueueStatsUpdated) -> tuple[object, ...]:
    """Return what must differ for two snapshots of a queue to count as a change."""
    oldest = round(stats.at - stats.longest_wait, 3) if stats.waiting else None
    return (*_FIGURES(stats), oldest)


class QueueStatsFeed:
    """Publishes each queue's ``QueueStatsUpdated`` on change, <= once per interval."""

    def __init__(
        self, acd: AcdEngine, publish: Publish, *, interval: float = 1.0
    ) -> None:
        """Feed ``acd``'s figures to ``publish`` (the runtime's bus publication).

        Args:
            acd: the engine whose ``queue_stats`` are published.
            publish: called with each snapshot to publish.
            interval: the least time between two publications for one queue.
        """
        self._acd = acd
        self._publish = publish
        self.interval = interval
        self.started = False
        self.published = 0
        self.computed = 0
        self._touches: dict[type, _Touch] = {}
        self._dirty: dict[QueueName, None] = {}  # an ordered set: same order each run
        self._due: float | None = None
        self._sent_at: dict[QueueName, float] = {}
        self._last: dict[QueueName, tuple[object, ...]] = {}
        self._queue_of: dict[CallId, QueueName] = {}
        self._counted_as: dict[AgentId, AgentState] = {}
        self._moved: dict[AgentId, AgentState] = {}

    def start(self, now: float) -> None:
        """Publish every queue's figures once (the first call only)."""
        if self.started:
            return
        self.started = True
        for queue in self._acd.queue_names():
            stats = self._acd.queue_stats(queue, now)
            self._send(stats, figures_key(stats))

    def touch(self, item: object) -> None:
        """Note an input or event: mark the queues whose figures it may change."""
        kind = type(item)
        touch = self._touches.get(kind)
        if touch is None:
            touch = self._touches[kind] = _touch_of(kind)
        if touch is _Touch.NOTHING:
            return
        if isinstance(item, _QUEUE_EVENTS):
            self._on_queue_event(item)
        elif isinstance(item, AgentStateChanged):
            self._moved[item.agent_id] = item.state
        else:
            self._mark_all(self._acd.queue_names())

    def next_due(self) -> float | None:
        """Return when ``flush`` has figures to compute, if ever (ask after a flush)."""
        return self._due

    def flush(self, now: float, *, force: bool = False) -> None:
        """Publish the dirty queues that may publish at ``now`` and changed.

        Args:
            now: the current instant.
            force: ignore the interval (the center is stopping: last figures out).
        """
        if self._moved:
            self._settle_agents()
        due = self._due
        if due is None or (now < due and not force):
            return
        ready = [q for q in self._dirty if force or self._may_send(q, now)]
        for queue in ready:
            del self._dirty[queue]
            try:
                stats = self._acd.queue_stats(queue, now)
            except AcdError:  # an event named a queue the ACD does not have
                continue
            self.computed += 1
            key = figures_key(stats)
            if key != self._last.get(queue):
                self._send(stats, key)
        self._due = min((self._open_at(q) for q in self._dirty), default=None)

    def _on_queue_event(
        self,
        event: CallQueued | CallAbandoned | AcdCallFinished,
    ) -> None:
        queue = event.queue
        self._mark(queue)
        if isinstance(event, CallQueued):
            left = self._queue_of.get(event.call_id)
            self._queue_of[event.call_id] = queue
            if left is not None and left != queue:
                self._mark(left)
        elif isinstance(event, AcdCallFinished):
            self._queue_of.pop(event.call_id, None)

    def _settle_agents(self) -> None:
        for agent_id, state in self._moved.items():
            counted_as = AgentState.ON_CALL if state in BUSY else state
            if self._counted_as.get(agent_id) is not counted_as:
                self._counted_as[agent_id] = counted_as
                self._mark_all(self._agent_queues(agent_id))
        self._moved.clear()

    def _agent_queues(self, agent_id: AgentId) -> Iterable[QueueName]:
        try:
            return self._acd.agent_queues(agent_id)
        except AcdError:
            return self._acd.queue_names()

    def _mark_all(self, queues: Iterable[QueueName]) -> None:
        for queue in queues:
            self._mark(queue)

    def _mark(self, queue: QueueName) -> None:
        if queue in self._dirty:
            return
        self._dirty[queue] = None
        open_at = self._open_at(queue)
        if self._due is None or open_at < self._due:
            self._due = open_at

    def _open_at(self, queue: QueueName) -> float:
        sent = self._sent_at.get(queue)
        return float("-inf") if sent is None else sent + self.interval

    def _may_send(self, queue: QueueName, now: float) -> bool:
        return self._open_at(queue) <= now

    def _send(self, stats: QueueStatsUpdated, key: tuple[object, ...]) -> None:
        self._last[stats.queue] = key
        self._sent_at[stats.queue] = stats.at
        self.published += 1
        self._publish(stats)
