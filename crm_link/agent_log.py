"""Agent state intervals: ``AgentStateChanged`` events turned into durable rows.

Historical occupancy needs the time each agent spent in each state, also for the
hours no server process was watching. ``AgentStateLog`` is a bus listener: each
``AgentStateChanged`` closes the agent's open stretch (``IntervalTracker``) and
queues it; a background task writes the queued stretches in batches through the
CRM's call-path writer, so a slow or absent database never delays the publisher and
a write that fails goes to the durable outbox like a call record.

Checkpoints bound what a crash loses. At every multiple of ``CHECKPOINT_SECONDS``
since the epoch (whole minutes) every open stretch is written as it stands, ending at
that instant: a crash loses at most the time since the last checkpoint (plus a write
still in flight). The row is the stretch's own, keyed by agent and start, and each
later write of it (the next checkpoint, its real end) extends it to the later end
(``crm_link.writes``): a stretch stays one row, so reports read no more rows than
without checkpoints, and replays in any order leave the latest end. The clock takes
a checkpoint when it reaches the instant (``start``; in real time a quiet hour has no
events), and so does the first event stamped at or after it (in virtual time the
runtime moves the clock from event to event). Logged-out agents have no open
stretch, so nothing is written for them.

A stretch is written when it ends: by the agent's next state change, or by
``aclose`` when the server stops (the state is unknown after that). Stretches of
zero length are skipped.
"""

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from callcenter.clock import Clock, VirtualClock
from callcenter.domain.events import AgentState, AgentStateChanged, DomainEvent
from callcenter.domain.ids import AgentId
from crm_link import writes
from crm_link.outbox import Record

WriteIntervals = Callable[[Sequence[Record]], Awaitable[object]]
"""Stores a batch of interval records (``CrmService.record_agent_intervals``)."""

CHECKPOINT_SECONDS = 60.0
"""The most agent state time a crash loses per agent (the checkpoint period).

One write per logged-in agent per period, in one statement: for 500 agents about
7 ms on SQLite and 15 ms on PostgreSQL a minute, plus about 1.5 ms of the event
loop to build the batch (``benchmarks/agent_log_checkpoints.py``).
"""

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentInterval:
    """A stretch of one agent in one state (``reason`` set when paused).

    Closed, or still open and written as far as a checkpoint (``ended_at``).
    """

    agent_id: AgentId
    state: AgentState
    reason: str
    call_id: str | None
    started_at: float
    ended_at: float

    def as_record(self) -> Record:
        """Return the portable call-path write of this stretch."""
        return writes.record(
            "agent_state_intervals",
            {
                "agent_id": self.agent_id,
                "state": self.state.value,
                "reason": self.reason[:64],
                "call_id": self.call_id,
                "started_at": self.started_at,
                "ended_at": self.ended_at,
            },
        )


class IntervalTracker:
    """The open stretch of every agent; folding an event returns the one it closed.

    An open stretch is the event that opened it, the instant it runs from, and how
    far it is written (its start until a checkpoint writes it).
    """

    def __init__(self) -> None:
        """Start with no agent seen."""
        self._open: dict[AgentId, tuple[AgentStateChanged, float, float]] = {}

    def fold(self, event: AgentStateChanged) -> AgentInterval | None:
        """Open the stretch ``event`` starts; return the one it ends, if any.

        An event stamped before the open stretch's last checkpoint (taken before
        the checkpoint, published after it) counts from that checkpoint: an
        agent's time never runs backwards, so no two stored stretches overlap.
        """
        previous = self._open.pop(event.agent_id, None)
        start = event.at if previous is None else max(event.at, previous[2])
        if event.state != AgentState.LOGGED_OUT:
            self._open[event.agent_id] = (event, start, start)
        return None if previous is None else _closed(previous, start)

    def checkpoint(self, at: float) -> list[AgentInterval]:
        """Return every open stretch not yet written up to ``at``, ending at ``at``."""
        due: list[AgentInterval] = []
        for agent_id, (opened, start, written) in self._open.items():
            if written < at:
                due.append(_interval(opened, start, at))
                self._open[agent_id] = (opened, start, at)
        return due

    def close_all(self, now: float) -> list[AgentInterval]:
        """End every open stretch at ``now`` (the server stops watching)."""
        opened, self._open = self._open, {}
        closed = (_closed(stretch, now) for stretch in opened.values())
        return [interval for interval in closed if interval is not None]


def _closed(
    stretch: tuple[AgentStateChanged, float, float], end: float
) -> AgentInterval | None:
    """Return the stretch ending at ``end``; ``None`` if that adds nothing written."""
    opened, start, written = stretch
    return None if end <= written else _interval(opened, start, end)


def _interval(opened: AgentStateChanged, start: float, end: float) -> AgentInterval:
    return AgentInterval(
        agent_id=opened.agent_id,
        state=opened.state,
        reason=opened.reason,
        call_id=opened.call_id,
        started_at=start,
        ended_at=end,
    )


class AgentStateLog:
    """Bus listener writing agent stretches in the background, with checkpoints."""

    def __init__(
        self,
        write: WriteIntervals,
        *,
        checkpoint_seconds: float | None = CHECKPOINT_SECONDS,
        logger: logging.Logger | None = None,
    ) -> None:
        """Store batches with ``write``; it should queue durably, not raise.

        Args:
            write: stores a batch of interval records.
            checkpoint_seconds: the checkpoint period; ``None`` writes a stretch
                only when it ends (a crash loses every open stretch).
            logger: where lost batches are reported.
        """
        if checkpoint_seconds is not None and not checkpoint_seconds > 0:
            msg = f"checkpoint_seconds must be positive, not {checkpoint_seconds}"
            raise ValueError(msg)
        self._write = write
        self._period = checkpoint_seconds
        self._log = logger or _LOG
        self._tracker = IntervalTracker()
        self._pending: list[Record] = []
        self._task: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._due = -math.inf if checkpoint_seconds is not None else math.inf
        self.written = 0
        """Records (closed stretches, checkpoints) handed to ``write`` without error."""
        self.failed = 0
        """Records lost because ``write`` raised."""

    @property
    def next_checkpoint(self) -> float:
        """Return the instant of the next checkpoint (``inf`` without checkpoints)."""
        return self._due

    def __call__(self, event: DomainEvent) -> None:
        """Fold one bus event in; never blocks, never raises for the database."""
        if event.at >= self._due:
            self.checkpoint(event.at)
        if not isinstance(event, AgentStateChanged):
            return
        closed = self._tracker.fold(event)
        if closed is not None:
            self._queue((closed,))

    def checkpoint(self, now: float) -> int:
        """Write every open stretch up to the last checkpoint instant <= ``now``.

        Returns:
            How many stretches are written; 0 when that instant was taken already.
        """
        if now < self._due or self._period is None:
            return 0
        at = now - now % self._period
        self._due = at + self._period
        stretches = self._tracker.checkpoint(at)
        self._queue(stretches)
        return len(stretches)

    def start(self, clock: Clock) -> None:
        """Take each checkpoint when ``clock`` reaches it, even if no event comes.

        A no-op without checkpoints and on a ``VirtualClock``: waiting on one would
        move it, and the runtime driving it stamps every event, which checkpoints.
        """
        if self._period is None or isinstance(clock, VirtualClock):
            return
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.get_running_loop().create_task(
                self._tick(clock), name="agent-state-checkpoints"
            )

    async def flush(self) -> None:
        """Wait until every stretch queued so far is written (or given up)."""
        while self._pending or (self._task is not None and not self._task.done()):
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._drain())
            await asyncio.shield(self._task)

    async def aclose(self, now: float) -> None:
        """End every open stretch at ``now`` and write everything still queued."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        self._pending.extend(i.as_record() for i in self._tracker.close_all(now))
        await self.flush()

    async def _tick(self, clock: Clock) -> None:
        while True:
            await clock.sleep_until(self._due)
            self.checkpoint(clock.now())

    def _queue(self, intervals: Iterable[AgentInterval]) -> None:
        self._pending.extend(interval.as_record() for interval in intervals)
        if self._pending:
            self._start_writer()

    def _start_writer(self) -> None:
        if self._task is not None and not self._task.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a synchronous test): ``flush`` writes
            return
        self._task = loop.create_task(self._drain(), name="agent-state-log")

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._write(batch)
            except Exception as exc:  # noqa: BLE001 - must not reach the call path
                self.failed += len(batch)
                self._log.warning("%d agent state intervals lost: %s", len(batch), exc)
            else:
                self.written += len(batch)
