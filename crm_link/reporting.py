"""Read-only facts for supervisors' reports and the wallboard's complaint tiles.

The wallboard and ``callcenter report`` need the raw call records, complaints,
survey scores and agent state intervals of a period. This module reads them with
plain ``SELECT``s and hands out frozen facts (never ORM rows); the arithmetic lives in
``callcenter.web.reports`` and ``callcenter.web.reports_agents`` so that it can be
tested against hand-made facts and recomputed independently.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVarTuple

import sqlalchemy as sa

from crm_link.db import SessionStore
from crm_link.enums import ComplaintState
from crm_link.models import (
    AgentStateInterval,
    Complaint,
    Interaction,
    SurveyResponse,
)

_Ts = TypeVarTuple("_Ts")


@dataclass(frozen=True, slots=True, kw_only=True)
class InteractionFact:
    """One completed call as stored in ``interactions``."""

    call_id: str
    queue: str | None
    agent_id: str | None
    offered_at: float
    wait_seconds: float
    talk_seconds: float
    wrap_up_seconds: float
    outcome: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintFact:
    """One complaint: what it was about, how serious, and where it stands."""

    complaint_id: int
    category: str
    severity: str
    state: str
    opened_at: float
    deadline_at: float
    closed_at: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SurveyFact:
    """One post-call survey score, with the queue of its call when known."""

    call_id: str
    agent_id: str | None
    queue: str | None
    score: int
    at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentIntervalFact:
    """A closed stretch of one agent in one state (``reason`` set when paused)."""

    agent_id: str
    state: str
    reason: str
    started_at: float
    ended_at: float


class ReportingReader(SessionStore):
    """Reads facts for a period; each method is one short read-only transaction."""

    async def _all(self, query: sa.Select[*_Ts]) -> Sequence[sa.Row[*_Ts]]:
        """Run ``query`` in a short read-only session of its own; return every row."""
        async with self._sessions() as session:
            return (await session.execute(query)).all()

    async def interactions(self, start: float, end: float) -> list[InteractionFact]:
        """Return the calls offered in ``[start, end)``, oldest first."""
        i = Interaction
        query = (
            sa.select(
                i.call_id, i.queue, i.agent_id, i.offered_at, i.wait_seconds,
                i.talk_seconds, i.wrap_up_seconds, i.outcome,
            )
            .where(i.offered_at >= start, i.offered_at < end)
            .order_by(i.offered_at, i.id)
        )  # fmt: skip
        rows = await self._all(query)
        return [
            InteractionFact(
                call_id=r.call_id, queue=r.queue, agent_id=r.agent_id,
                offered_at=r.offered_at, wait_seconds=r.wait_seconds,
                talk_seconds=r.talk_seconds, wrap_up_seconds=r.wrap_up_seconds,
                outcome=str(r.outcome.value),
            )
            for r in rows
        ]  # fmt: skip

    async def complaints(
        self, start: float | None = None, end: float | None = None
    ) -> list[ComplaintFact]:
        """Return complaints opened in ``[start, end)``; no bounds: the open ones."""
        c = Complaint
        query = sa.select(
            c.id, c.category, c.severity, c.state, c.opened_at, c.deadline_at,
            c.closed_at,
        ).order_by(c.opened_at, c.id)  # fmt: skip
        if start is None or end is None:
            query = query.where(c.state != ComplaintState.CLOSED)
        else:
            query = query.where(c.opened_at >= start, c.opened_at < end)
        rows = await self._all(query)
        return [
            ComplaintFact(
                complaint_id=r.id, category=r.category, severity=str(r.severity.value),
                state=str(r.state.value), opened_at=r.opened_at,
                deadline_at=r.deadline_at, closed_at=r.closed_at,
            )
            for r in rows
        ]  # fmt: skip

    async def surveys(self, start: float, end: float) -> list[SurveyFact]:
        """Return survey scores given in ``[start, end)`` with their call's queue."""
        s, i = SurveyResponse, Interaction
        query = (
            sa.select(s.call_id, s.agent_id, i.queue, s.score, s.at)
            .join(i, i.call_id == s.call_id, isouter=True)
            .where(s.at >= start, s.at < end)
            .order_by(s.at, s.id)
        )
        rows = await self._all(query)
        return [
            SurveyFact(
                call_id=r.call_id, agent_id=r.agent_id, queue=r.queue,
                score=r.score, at=r.at,
            )
            for r in rows
        ]  # fmt: skip

    async def agent_intervals(
        self, start: float, end: float
    ) -> list[AgentIntervalFact]:
        """Return the stretches overlapping ``[start, end)``, unclipped, by start."""
        a = AgentStateInterval
        query = (
            sa.select(a.agent_id, a.state, a.reason, a.started_at, a.ended_at)
            .where(a.ended_at > start, a.started_at < end)
            .order_by(a.started_at, a.id)
        )
        rows = await self._all(query)
        return [
            AgentIntervalFact(
                agent_id=r.agent_id, state=str(r.state.value), reason=r.reason,
                started_at=r.started_at, ended_at=r.ended_at,
            )
            for r in rows
        ]  # fmt: skip


__all__: Sequence[str] = (
    "AgentIntervalFact",
    "ComplaintFact",
    "InteractionFact",
    "ReportingReader",
    "SurveyFact",
)
