"""Complaint storage: the workflow applied to rows, with its audit trail.

``ComplaintRepository`` works inside a session the service owns; every change of
state goes through ``crm_link.workflow`` and writes one ``ComplaintEvent``.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.domain.ids import AgentId, CallId, CustomerId
from crm_link import workflow
from crm_link.config import CrmConfig
from crm_link.dto import ComplaintRecord
from crm_link.enums import Channel, ComplaintState, Demand, Severity
from crm_link.errors import InvalidComplaintError, NotFoundError
from crm_link.models import Complaint, ComplaintEvent, Customer

OPEN_STATES = tuple(state for state in ComplaintState if workflow.is_open(state))


@dataclass(frozen=True, slots=True, kw_only=True)
class NewComplaint:
    """What an agent records when a customer complains."""

    customer_id: int
    category: str
    severity: Severity
    description: str
    who: str
    channel: Channel = Channel.PHONE
    demands: tuple[Demand, ...] = ()
    attachments: tuple[str, ...] = ()
    department: str = ""
    owner: str | None = None
    call_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """Optional results recorded together with a step."""

    resolution: str | None = None
    follow_up_result: str | None = None
    satisfaction: int | None = None


class ComplaintRepository:
    """Complaints and their events inside one session (the caller commits)."""

    def __init__(self, session: AsyncSession, config: CrmConfig) -> None:
        """Work in ``session`` under the rules of ``config``."""
        self._session = session
        self._config = config

    async def open(self, new: NewComplaint, now: float) -> Complaint:
        """Validate and store a new complaint in state ``received``."""
        if new.category not in self._config.categories:
            known = ", ".join(self._config.categories)
            msg = f"unknown complaint category {new.category!r}; known: {known}"
            raise InvalidComplaintError(msg)
        if await self._session.get(Customer, new.customer_id) is None:
            msg = f"no customer with id {new.customer_id}"
            raise NotFoundError(msg)
        first = workflow.opening(who=new.who, at=now, comment="complaint received")
        row = Complaint(
            customer_id=new.customer_id, call_id=new.call_id, state=first.to_state,
            channel=new.channel, category=new.category, severity=new.severity,
            description=new.description, demands=[d.value for d in new.demands],
            attachments=list(new.attachments), department=new.department,
            owner=new.owner, recorded_by=new.who, opened_at=now,
            deadline_at=self._config.deadline_for(new.severity, now), updated_at=now,
            resolution="", follow_up_result="",
        )  # fmt: skip
        self._session.add(row)
        await self._session.flush()
        self._session.add(_event(row.id, first))
        return row

    async def get(self, complaint_id: int, *, for_update: bool = False) -> Complaint:
        """Return the complaint or raise ``NotFoundError``."""
        statement = sa.select(Complaint).where(Complaint.id == complaint_id)
        if for_update:
            statement = statement.with_for_update()
        row = await self._session.scalar(statement)
        if row is None:
            msg = f"no complaint with id {complaint_id}"
            raise NotFoundError(msg)
        return row

    async def advance(
        self,
        complaint_id: int,
        target: ComplaintState,
        *,
        who: str,
        comment: str,
        now: float,
        outcome: Outcome,
    ) -> Complaint:
        """Move a complaint one step (validated by the workflow table)."""
        row = await self.get(complaint_id, for_update=True)
        step = workflow.transition(row.state, target, who=who, at=now, comment=comment)
        _check_satisfaction(outcome.satisfaction)
        if workflow.is_reopen(row.state, target):
            row.deadline_at = self._config.deadline_for(row.severity, now)
            row.closed_at = None
        if target is ComplaintState.CLOSED:
            row.closed_at = now
        row.state = target
        row.updated_at = now
        if outcome.resolution is not None:
            row.resolution = outcome.resolution
        if outcome.follow_up_result is not None:
            row.follow_up_result = outcome.follow_up_result
        if outcome.satisfaction is not None:
            row.satisfaction = outcome.satisfaction
        self._session.add(_event(row.id, step))
        return row

    async def history(
        self, complaint_id: int
    ) -> tuple[workflow.ComplaintTransition, ...]:
        """Return every step of a complaint, oldest first."""
        await self.get(complaint_id)
        rows = await self._session.scalars(
            sa.select(ComplaintEvent)
            .where(ComplaintEvent.complaint_id == complaint_id)
            .order_by(ComplaintEvent.id)
        )
        return tuple(
            workflow.ComplaintTransition(
                from_state=row.from_state, to_state=row.to_state, step=row.step,
                who=row.who, at=row.at, comment=row.comment,
            )
            for row in rows
        )  # fmt: skip

    async def overdue(self, now: float) -> Sequence[Complaint]:
        """Return open complaints past their deadline, most overdue first."""
        rows = await self._session.scalars(
            sa.select(Complaint)
            .where(Complaint.state.in_(OPEN_STATES), Complaint.deadline_at <= now)
            .order_by(Complaint.deadline_at, Complaint.id)
        )
        return rows.all()

    async def open_for(self, customer_id: int) -> Sequence[Complaint]:
        """Return a customer's open complaints, newest first."""
        rows = await self._session.scalars(
            sa.select(Complaint)
            .where(
                Complaint.customer_id == customer_id,
                Complaint.state.in_(OPEN_STATES),
            )
            .order_by(Complaint.opened_at.desc())
        )
        return rows.all()


def _check_satisfaction(score: int | None) -> None:
    if score is not None and not 1 <= score <= 5:  # noqa: PLR2004
        msg = f"satisfaction must be 1-5, got {score}"
        raise InvalidComplaintError(msg)


def _event(complaint_id: int, step: workflow.ComplaintTransition) -> ComplaintEvent:
    return ComplaintEvent(
        complaint_id=complaint_id,
        from_state=step.from_state,
        to_state=step.to_state,
        step=step.step,
        who=step.who,
        at=step.at,
        comment=step.comment,
    )


def to_record(row: Complaint) -> ComplaintRecord:
    """Turn a complaint row into its DTO."""
    return ComplaintRecord(
        complaint_id=row.id,
        customer_id=CustomerId(str(row.customer_id)),
        call_id=CallId(row.call_id) if row.call_id else None,
        state=row.state,
        channel=row.channel,
        category=row.category,
        severity=row.severity,
        description=row.description,
        demands=tuple(Demand(value) for value in row.demands),
        attachments=tuple(row.attachments),
        department=row.department,
        owner=AgentId(row.owner) if row.owner else None,
        recorded_by=row.recorded_by,
        opened_at=row.opened_at,
        deadline_at=row.deadline_at,
        closed_at=row.closed_at,
        resolution=row.resolution,
        follow_up_result=row.follow_up_result,
        satisfaction=row.satisfaction,
    )


def to_deadline_view(row: Complaint) -> workflow.DeadlineView:
    """Turn a complaint row into what the overdue watcher needs."""
    return workflow.DeadlineView(
        complaint_id=row.id,
        customer_id=row.customer_id,
        severity=row.severity,
        state=row.state,
        deadline_at=row.deadline_at,
    )
