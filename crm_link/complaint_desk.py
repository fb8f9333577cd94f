"""The complaint operations of ``CrmService``: open, advance, read, watch deadlines.

Complaints are interactive: an agent or a supervisor waits for the answer, so these
raise (``NotFoundError``, ``IllegalTransitionError``, ``InvalidComplaintError``)
rather than queue like the call path. Each call is one transaction around
``complaints.ComplaintRepository``; the workflow rules are ``crm_link.workflow``.

``ComplaintDesk`` is a part of ``CrmService`` (a mixin, so the service keeps one flat
API): the service owns the session factory, the rules and the overdue watcher.
"""

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.domain.ids import AgentId, CallId, CustomerId
from crm_link import workflow
from crm_link.complaints import (
    ComplaintRepository,
    NewComplaint,
    Outcome,
    to_deadline_view,
    to_record,
)
from crm_link.config import CrmConfig
from crm_link.customers import customer_key
from crm_link.dto import ComplaintRecord
from crm_link.enums import Channel, ComplaintState, Demand, Severity
from crm_link.errors import NotFoundError


class ComplaintDesk:
    """The complaint operations of ``CrmService``; it holds no state of its own."""

    _sessions: async_sessionmaker[AsyncSession]
    _config: CrmConfig
    _watcher: workflow.OverdueWatcher

    async def open_complaint(
        self,
        *,
        customer_id: CustomerId,
        category: str,
        severity: Severity,
        description: str,
        who: str,
        now: float,
        channel: Channel = Channel.PHONE,
        demands: Iterable[Demand] = (),
        attachments: Iterable[str] = (),
        department: str = "",
        owner: AgentId | None = None,
        call_id: CallId | None = None,
    ) -> ComplaintRecord:
        """Record a new complaint (state ``received``, deadline from severity)."""
        new = NewComplaint(
            customer_id=_existing_customer_key(customer_id), category=category,
            severity=Severity(severity), description=description, who=who,
            channel=Channel(channel), demands=tuple(Demand(d) for d in demands),
            attachments=tuple(attachments), department=department, owner=owner,
            call_id=call_id,
        )  # fmt: skip
        async with self._sessions() as session, session.begin():
            row = await ComplaintRepository(session, self._config).open(new, now)
        return to_record(row)

    async def advance_complaint(
        self,
        complaint_id: int,
        to_state: ComplaintState,
        who: str,
        comment: str,
        now: float,
        *,
        resolution: str | None = None,
        follow_up_result: str | None = None,
        satisfaction: int | None = None,
    ) -> ComplaintRecord:
        """Move a complaint one workflow step, recording who, when and why.

        Raises:
            IllegalTransitionError: the workflow does not allow the move.
            NotFoundError: no such complaint.
        """
        outcome = Outcome(
            resolution=resolution,
            follow_up_result=follow_up_result,
            satisfaction=satisfaction,
        )
        async with self._sessions() as session, session.begin():
            row = await ComplaintRepository(session, self._config).advance(
                complaint_id, ComplaintState(to_state), who=who, comment=comment,
                now=now, outcome=outcome,
            )  # fmt: skip
        return to_record(row)

    async def get_complaint(self, complaint_id: int) -> ComplaintRecord:
        """Return one complaint with all its fields."""
        async with self._sessions() as session:
            return to_record(await ComplaintRepository(session, self._config).get(
                complaint_id
            ))  # fmt: skip

    async def complaint_history(
        self, complaint_id: int
    ) -> tuple[workflow.ComplaintTransition, ...]:
        """Return the audit trail of a complaint, oldest step first."""
        async with self._sessions() as session:
            return await ComplaintRepository(session, self._config).history(
                complaint_id
            )

    async def overdue_complaints(self, now: float) -> tuple[workflow.DeadlineView, ...]:
        """Return the open complaints past their deadline, most overdue first."""
        async with self._sessions() as session:
            rows = await ComplaintRepository(session, self._config).overdue(now)
        return tuple(to_deadline_view(row) for row in rows)

    async def check_overdue(self, now: float) -> list[workflow.ComplaintOverdue]:
        """Return complaints that became overdue since the last call (once each)."""
        return self._watcher.check(await self.overdue_complaints(now), now)


def _existing_customer_key(customer_id: CustomerId | str) -> int:
    key = customer_key(customer_id)
    if key is None:
        msg = f"not a customer id: {customer_id!r}"
        raise NotFoundError(msg)
    return key
