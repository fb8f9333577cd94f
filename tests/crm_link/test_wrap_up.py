"""The agent's wrap-up lands on the record of the call."""

import sqlalchemy as sa

from callcenter.domain.events import CallOutcome
from callcenter.domain.ids import AgentId, CallId
from crm_link.models import Interaction
from crm_link.service import CrmService

NOW = 1_767_600_000.0


async def _record(crm: CrmService, call_id: str) -> None:
    await crm.record_call(
        call_id=CallId(call_id), outcome=CallOutcome.ANSWERED,
        caller_number="+8613312345678", queue=None, agent_id=AgentId("1001"),
        customer_id=None, offered_at=NOW, wait_seconds=3.0, talk_seconds=60.0,
        at=NOW + 70,
    )  # fmt: skip


async def test_a_wrap_up_is_saved_on_the_interaction(crm: CrmService) -> None:
    await _record(crm, "c-wrap")
    saved = await crm.save_wrap_up(
        CallId("c-wrap"), disposition="booking_made", notes="moved to 12 May"
    )
    assert saved
    async with crm._sessions() as session:
        row = (
            await session.execute(
                sa.select(Interaction).where(Interaction.call_id == "c-wrap")
            )
        ).scalar_one()
    assert (row.disposition, row.notes) == ("booking_made", "moved to 12 May")


async def test_a_wrap_up_before_the_record_says_so(crm: CrmService) -> None:
    assert not await crm.save_wrap_up(CallId("c-later"), disposition="resolved")
