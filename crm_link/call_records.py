"""The call path of ``CrmService``: call records, surveys, callbacks, voicemails.

These writes come from the runtime while calls are live, so they never raise for a
database problem: ``writes.CallPathWriter`` puts what the database cannot take within
``write_timeout`` in the durable outbox, and replays it after the next successful
write or on ``replay_outbox``. The agent's wrap-up is the exception: the agent is
waiting for it, so it is written at once or raises.

``CallRecords`` is a part of ``CrmService`` (a mixin, so the service keeps one flat
API): the service owns the session factory, the rules and the writer it uses.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.domain.events import CallCompleted, CallOutcome
from callcenter.domain.ids import AgentId, CallId, CustomerId, QueueName
from crm_link import phones, writes
from crm_link.config import CrmConfig
from crm_link.customers import customer_key
from crm_link.dto import WriteOutcome
from crm_link.errors import InvalidComplaintError
from crm_link.models import Interaction
from crm_link.outbox import Record


class CallRecords:
    """The call-path writes of ``CrmService``; it holds no state of its own."""

    _sessions: async_sessionmaker[AsyncSession]
    _config: CrmConfig
    _writer: writes.CallPathWriter

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
            "call_id": call_id, "customer_id": customer_key(customer_id),
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
            "call_id": call_id, "customer_id": customer_key(customer_id),
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
            "call_id": call_id, "customer_id": customer_key(customer_id),
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
        mailbox: str = "",
    ) -> WriteOutcome:
        """Store a voicemail left in ``mailbox`` (the audio is stored elsewhere)."""
        values = {
            "call_id": call_id, "customer_id": customer_key(customer_id),
            "number": self._number(number), "queue": queue, "recorded_at": at,
            "duration_seconds": duration_seconds, "recording_ref": recording_ref,
            "status": "new", "transcript": "", "mailbox": mailbox[:64],
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
