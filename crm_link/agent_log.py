"""Agent state intervals: ``AgentStateChanged`` events turned into durable rows.

Historical occupancy needs the time each agent spent in each state, also for the
hours no server process was watching. ``AgentStateLog`` is a bus listener: each
``AgentStateChanged`` closes the agent's open stretch (``IntervalTracker``) and
queues it; a background task writes the queued stretches in batches through the
CRM's call-path writer, so a slow or absent database never delays the publisher and
a write that fails goes to the durable outbox like a call record.

A stretch is written when it ends: by the agent's next state change, or by
``aclose`` when the server stops (the state is unknown after that). A stretch still
open when the process dies is lost rather than guessed. Stretches of zero length
are skipped. Rows are unique by (agent, start), so replaying the outbox twice
stores each stretch once.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from callcenter.domain.events import AgentState, AgentStateChanged, DomainEvent
from callcenter.domain.ids import AgentId
from crm_link import writes
from crm_link.outbox import Record

WriteIntervals = Callable[[Sequence[Record]], Awaitable[object]]
"""Stores a batch of interval records (``CrmService.record_agent_intervals``)."""

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentInterval:
    """A closed stretch of one agent in one state (``reason`` set when paused)."""

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
    """The open stretch of every agent; folding an event returns the one it closed."""

    def __init__(self) -> None:
        """Start with no agent seen."""
        self._open: dict[AgentId, AgentStateChanged] = {}

    def fold(self, event: AgentStateChanged) -> AgentInterval | None:
        """Open the stretch ``event`` starts; return the one it ends, if any."""
        previous = self._open.pop(event.agent_id, None)
        if event.state != AgentState.LOGGED_OUT:
            self._open[event.agent_id] = event
        return None if previous is None else _closed(previous, event.at)

    def close_all(self, now: float) -> list[AgentInterval]:
        """End every open stretch at ``now`` (the server stops watching)."""
        opened, self._open = self._open, {}
        closed = (_closed(event, now) for event in opened.values())
        return [interval for interval in closed if interval is not None]


def _closed(opened: AgentStateChanged, end: float) -> AgentInterval | None:
    if end <= opened.at:
        return None
    return AgentInterval(
        agent_id=opened.agent_id,
        state=opened.state,
        reason=opened.reason,
        call_id=opened.call_id,
        started_at=opened.at,
        ended_at=end,
    )


class AgentStateLog:
    """Bus listener writing closed agent stretches in the background."""

    def __init__(
        self, write: WriteIntervals, *, logger: logging.Logger | None = None
    ) -> None:
        """Store batches with ``write``; it should queue durably, not raise."""
        self._write = write
        self._log = logger or _LOG
        self._tracker = IntervalTracker()
        self._pending: list[Record] = []
        self._task: asyncio.Task[None] | None = None
        self.written = 0
        """Stretches handed to ``write`` without an error."""
        self.failed = 0
        """Stretches lost because ``write`` raised."""

    def __call__(self, event: DomainEvent) -> None:
        """Fold one bus event in; never blocks, never raises for the database."""
        if not isinstance(event, AgentStateChanged):
            return
        closed = self._tracker.fold(event)
        if closed is not None:
            self._pending.append(closed.as_record())
            self._start_writer()

    async def flush(self) -> None:
        """Wait until every stretch closed so far is written (or given up)."""
        while self._pending or (self._task is not None and not self._task.done()):
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._drain())
            await asyncio.shield(self._task)

    async def aclose(self, now: float) -> None:
        """End every open stretch at ``now`` and write everything still queued."""
        self._pending.extend(i.as_record() for i in self._tracker.close_all(now))
        await self.flush()

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
