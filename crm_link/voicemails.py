"""The voicemail box: supervisors list the messages callers left, and handle them.

Call-path writes store a message (``CallRecords.record_voicemail``); this is the
other side, for people: newest first, by mailbox, handled or not. Handling is
recorded once (who and when): a second supervisor marking the same message does
not overwrite the first, so the trail says who really dealt with it.
"""

from typing import Any

import sqlalchemy as sa

from callcenter.domain.ids import CallId, CustomerId, QueueName
from crm_link.db import SessionStore
from crm_link.dto import VoicemailRecord
from crm_link.enums import VoicemailStatus
from crm_link.errors import NotFoundError
from crm_link.models import Voicemail

MAX_LIST = 500

_COLUMNS = (
    Voicemail.id, Voicemail.call_id, Voicemail.mailbox, Voicemail.number,
    Voicemail.queue, Voicemail.customer_id, Voicemail.recorded_at,
    Voicemail.duration_seconds, Voicemail.recording_ref, Voicemail.status,
    Voicemail.handled_at, Voicemail.handled_by,
)  # fmt: skip


class VoicemailBox(SessionStore):
    """Reads and handles stored voicemails; each method is one short transaction."""

    async def list_voicemails(
        self,
        *,
        mailbox: str | None = None,
        handled: bool | None = None,
        limit: int = 100,
    ) -> list[VoicemailRecord]:
        """Return messages newest first, of one ``mailbox`` and handled or not.

        ``None`` means any; ``limit`` is capped at ``MAX_LIST``.
        """
        query = sa.select(*_COLUMNS).order_by(
            Voicemail.recorded_at.desc(), Voicemail.id.desc()
        )
        if mailbox is not None:
            query = query.where(Voicemail.mailbox == mailbox)
        if handled is not None:
            done = Voicemail.handled_at.is_not(None)
            query = query.where(done if handled else sa.not_(done))
        query = query.limit(max(1, min(limit, MAX_LIST)))
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return [_record(row) for row in rows]

    async def get_voicemail(self, voicemail_id: int) -> VoicemailRecord:
        """Return one message; ``NotFoundError`` when there is none with that id."""
        query = sa.select(*_COLUMNS).where(Voicemail.id == voicemail_id)
        async with self._sessions() as session:
            row = (await session.execute(query)).one_or_none()
        if row is None:
            msg = f"no voicemail with id {voicemail_id}"
            raise NotFoundError(msg)
        return _record(row)

    async def mark_handled(
        self, voicemail_id: int, *, by: str, at: float
    ) -> VoicemailRecord:
        """Record that ``by`` dealt with the message at ``at``; return it.

        A message already handled keeps its first handler and time.
        """
        update = (
            sa.update(Voicemail)
            .where(Voicemail.id == voicemail_id, Voicemail.handled_at.is_(None))
            .values(handled_at=at, handled_by=by, status=VoicemailStatus.HANDLED)
        )
        async with self._sessions() as session, session.begin():
            await session.execute(update)
        return await self.get_voicemail(voicemail_id)


def _record(row: sa.Row[*tuple[Any, ...]]) -> VoicemailRecord:
    return VoicemailRecord(
        voicemail_id=row.id,
        call_id=CallId(row.call_id),
        mailbox=row.mailbox,
        number=row.number,
        queue=QueueName(row.queue) if row.queue is not None else None,
        customer_id=(
            CustomerId(str(row.customer_id)) if row.customer_id is not None else None
        ),
        recorded_at=row.recorded_at,
        duration_seconds=row.duration_seconds,
        recording_ref=row.recording_ref,
        status=VoicemailStatus(row.status).value,
        handled_at=row.handled_at,
        handled_by=row.handled_by,
    )
