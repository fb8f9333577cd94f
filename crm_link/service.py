"""``CrmService``: the one door the runtime, the IVR and the console use.

It owns transactions and turns rows into DTOs. Call-path writes (call records,
surveys, callback requests, voicemails) never raise for a database problem: when
the database cannot take them within ``write_timeout`` they go to the durable
outbox and are replayed later (``replay_outbox``, also tried after each successful
write). Complaint operations are interactive and do raise, so the agent sees it.
"""

import asyncio
import functools
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Self

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from callcenter.domain.events import CallCompleted, CallOutcome
from callcenter.domain.ids import AgentId, CallId, CustomerId, QueueName
from crm_link import external as ext
from crm_link import facts, phones, workflow, writes
from crm_link.complaints import (
    ComplaintRepository,
    NewComplaint,
    Outcome,
    to_deadline_view,
    to_record,
)
from crm_link.config import CrmConfig
from crm_link.customers import CustomerRepository
from crm_link.db import make_engine, make_session_factory
from crm_link.dto import (
    ComplaintRecord,
    CustomerRef,
    ScreenPop,
    WriteOutcome,
)
from crm_link.enums import Channel, ComplaintState, Demand, Severity
from crm_link.errors import InvalidComplaintError, NotFoundError
from crm_link.models import Interaction
from crm_link.outbox import Outbox, Record
from crm_link.reader import bound_engine, make_reader
from crm_link.screen_pop import screen_pop as _screen_pop
from crm_link.screen_pop import unknown_caller

_LOG = logging.getLogger(__name__)


class CrmService:
    """Facade over the CRM database for the rest of the call center."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        config: CrmConfig | None = None,
        rules: facts.FactRules | None = None,
        outbox: Outbox | None = None,
        external: ext.ExternalLookup | None = None,
        external_budget: float = 0.3,
        write_timeout: float = 2.0,
        engine: AsyncEngine | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        """Wire the service; ``engine`` is disposed by ``aclose`` when given."""
        self._sessions = sessions
        self._config = config or CrmConfig()
        self._rules = rules or facts.FactRules(
            recent_complaint_days=self._config.recent_complaint_days
        )
        self._external = external
        self._external_budget = external_budget
        self._engine = engine
        self._reader = make_reader(engine or bound_engine(sessions))
        self._log = logger or _LOG
        self._watcher = workflow.OverdueWatcher()
        self._writer = writes.CallPathWriter(
            sessions, outbox=outbox, timeout=write_timeout, logger=self._log
        )

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        outbox_path: Path | None = None,
        config: CrmConfig | None = None,
        external: ext.ExternalLookup | None = None,
        logger: logging.Logger | None = None,
    ) -> Self:
        """Build a service with its own engine (``aclose`` disposes it)."""
        engine = make_engine(url)
        return cls(
            make_session_factory(engine),
            config=config,
            outbox=Outbox(outbox_path, logger=logger) if outbox_path else None,
            external=external,
            engine=engine,
            logger=logger,
        )

    async def aclose(self) -> None:
        """Release the screen-pop reader, and the engine this service was given."""
        await self._reader.aclose()
        if self._engine is not None:
            await self._engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    @property
    def config(self) -> CrmConfig:
        """Return the CRM rules in force."""
        return self._config

    # --- screen pop -----------------------------------------------------------------

    async def screen_pop(self, number: str, now: float) -> ScreenPop:
        """Return the screen-pop record of a caller id; never raises for the number.

        Unknown, withheld or unusable numbers give ``status="unknown"``; a number
        shared by several customers gives ``status="ambiguous"`` with all of them.
        The external CRM, when linked, is asked in parallel and merged if it answers
        within ``external_budget`` seconds; otherwise ``external_status`` says
        ``unavailable`` and the local record is returned at once.
        """
        e164 = phones.try_normalize(number, region=self._config.default_region)
        if e164 is None:
            return unknown_caller(number, None, now)
        lookup = self._start_external(e164)
        pop = await self._reader.run(functools.partial(
            _screen_pop, number=number, e164=e164, now=now, config=self._config,
            rules=self._rules,
        ))  # fmt: skip
        if lookup is None:
            return pop
        return await ext.merge_when_ready(pop, lookup, self._external_budget)

    def _start_external(self, e164: str) -> "asyncio.Task[ext.ExternalAnswer] | None":
        if self._external is None:
            return None
        return asyncio.create_task(ext.ask(self._external, e164))

    # --- call path: never blocks, never loses ------------------------------------

    async def record_call(
        self,
        *,
        call_id: CallId,
        outcome: CallOutcome,
        caller_number: str,
        queue: QueueName | None,
        agent_id: AgentId | None,
        customer_id: CustomerId | None,
        offered_at: float,
        wait_seconds: float,
        talk_seconds: float,
        at: float,
        wrap_up_seconds: float = 0.0,
        disposition: str = "",
        notes: str = "",
    ) -> WriteOutcome:
        """Store the record of a completed call (fields of ``CallCompleted``)."""
        values = {
            "call_id": call_id, "customer_id": _customer_key(customer_id),
            "number": self._number(caller_number), "queue": queue,
            "agent_id": agent_id, "offered_at": offered_at,
            "wait_seconds": wait_seconds, "talk_seconds": talk_seconds,
            "wrap_up_seconds": wrap_up_seconds, "outcome": CallOutcome(outcome).value,
            "disposition": disposition, "notes": notes, "recorded_at": at,
        }  # fmt: skip
        return await self._write(writes.record("interactions", values))

    async def record_call_completed(
        self, event: CallCompleted, *, wrap_up_seconds: float = 0.0
    ) -> WriteOutcome:
        """Store a ``CallCompleted`` event as it comes off the bus."""
        return await self.record_call(
            call_id=event.call_id, outcome=event.outcome,
            caller_number=event.caller_number, queue=event.queue,
            agent_id=event.agent_id, customer_id=event.customer_id,
            offered_at=event.offered_at, wait_seconds=event.wait_seconds,
            talk_seconds=event.talk_seconds, at=event.at,
            wrap_up_seconds=wrap_up_seconds,
        )  # fmt: skip

    async def record_survey(
        self,
        *,
        call_id: CallId,
        score: int,
        at: float,
        customer_id: CustomerId | None = None,
        agent_id: AgentId | None = None,
        comment: str = "",
    ) -> WriteOutcome:
        """Store the caller's 1-5 score for a call (one per call)."""
        if not 1 <= score <= 5:  # noqa: PLR2004
            msg = f"a survey score is 1-5, got {score}"
            raise InvalidComplaintError(msg)
        values = {
            "call_id": call_id, "customer_id": _customer_key(customer_id),
            "agent_id": agent_id, "score": score, "comment": comment, "at": at,
        }  # fmt: skip
        return await self._write(writes.record("survey_responses", values))

    async def record_callback_request(
        self,
        *,
        call_id: CallId,
        number: str,
        at: float,
        queue: QueueName | None = None,
        customer_id: CustomerId | None = None,
        preferred_at: float | None = None,
        notes: str = "",
    ) -> WriteOutcome:
        """Store a caller's wish to be called back instead of waiting."""
        values = {
            "call_id": call_id, "customer_id": _customer_key(customer_id),
            "number": self._number(number), "queue": queue, "requested_at": at,
            "preferred_at": preferred_at, "status": "pending", "notes": notes,
        }  # fmt: skip
        return await self._write(writes.record("callback_requests", values))

    async def record_voicemail(
        self,
        *,
        call_id: CallId,
        number: str,
        at: float,
        recording_ref: str,
        duration_seconds: float,
        queue: QueueName | None = None,
        customer_id: CustomerId | None = None,
    ) -> WriteOutcome:
        """Store a voicemail left in the IVR (the audio is stored elsewhere)."""
        values = {
            "call_id": call_id, "customer_id": _customer_key(customer_id),
            "number": self._number(number), "queue": queue, "recorded_at": at,
            "duration_seconds": duration_seconds, "recording_ref": recording_ref,
            "status": "new", "transcript": "",
        }  # fmt: skip
        return await self._write(writes.record("voicemails", values))

    async def save_wrap_up(
        self, call_id: CallId, *, disposition: str, notes: str = ""
    ) -> bool:
        """Store the agent's wrap-up (disposition code, notes) on the call's record.

        Returns:
            False when the call's record is not written yet (the caller may still
            be in the post-call survey): try again once the call has completed.
        """
        values = {"disposition": disposition[:64], "notes": notes}
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                sa.update(Interaction)
                .where(Interaction.call_id == call_id)
                .values(**values)
            )
        return bool(getattr(result, "rowcount", 0))

    async def record_agent_intervals(self, records: Sequence[Record]) -> WriteOutcome:
        """Store closed agent stretches (``crm_link.agent_log``) like call records."""
        return await self._writer.write_many(records)

    async def replay_outbox(self) -> int:
        """Write queued call-path records to the database; return how many."""
        return await self._writer.replay()

    async def _write(self, item: Record) -> WriteOutcome:
        return await self._writer.write(item)

    def _number(self, raw: str) -> str:
        e164 = phones.try_normalize(raw, region=self._config.default_region)
        return e164 or raw.strip()[:32]

    # --- customers -----------------------------------------------------------------

    async def create_customer_from_number(
        self,
        number: str,
        now: float,
        *,
        name: str = "",
        language: str | None = None,
        reuse_existing: bool = True,
    ) -> CustomerRef:
        """Create a customer for an unknown caller (or return the existing owner).

        Raises:
            InvalidPhoneNumberError: ``number`` cannot be read as a phone number.
        """
        e164 = phones.normalize(number, region=self._config.default_region)
        async with self._sessions() as session, session.begin():
            repo = CustomerRepository(session)
            existing = await repo.by_number(e164) if reuse_existing else ()
            if existing:
                row, created = existing[0], False
            else:
                row = await repo.create(
                    name=name or f"Caller {e164}",
                    e164=e164,
                    language=language or _language_for(self._config.default_region),
                    now=now,
                )
                created = True
        return CustomerRef(
            customer_id=CustomerId(str(row.id)), name=row.name, e164=e164,
            created=created,
        )  # fmt: skip

    # --- complaints ----------------------------------------------------------------

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


def _customer_key(customer_id: CustomerId | str | None) -> int | None:
    if customer_id is None:
        return None
    text = str(customer_id)
    return int(text) if text.isdigit() else None


def _existing_customer_key(customer_id: CustomerId | str) -> int:
    key = _customer_key(customer_id)
    if key is None:
        msg = f"not a customer id: {customer_id!r}"
        raise NotFoundError(msg)
    return key


def _language_for(region: str) -> str:
    return {"CN": "zh-CN", "TW": "zh-TW", "HK": "zh-HK"}.get(region, "en")
