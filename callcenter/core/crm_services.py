"""The runtime's services backed by the CRM database (``crm_link.CrmService``)."""

from collections.abc import Mapping

from callcenter.core.messages import BuildScreenPop, PersistVoicemail
from callcenter.core.services import Facts
from callcenter.domain.events import CallCompleted, ScreenPopReady
from callcenter.domain.ids import CallId
from callcenter.jsonable import jsonable
from crm_link.dto import IdentifiedBy, ScreenPop
from crm_link.service import CrmService


def routing_facts_of(pop: ScreenPop) -> Facts:
    """Return the flat routing facts the IVR and the ACD use.

    When the caller keyed a booking reference, ``booking_found`` says whether a
    booking had it; when one did, ``booking_kind`` and ``booking_status`` describe
    it (a flow may treat a cancelled booking differently). When they keyed an
    account number, ``account_found`` says whether a customer holds it.
    """
    routing = pop.routing
    facts: Facts = {
        "known": bool(pop.matches),
        "status": pop.status.value,
        "tier": routing.tier.value,
        "open_complaint": routing.open_complaint,
        "urgent_complaint": routing.urgent_complaint,
        "recent_complaint": routing.recent_complaint,
        "repeat_caller": routing.repeat_caller,
    }
    if routing.customer_id is not None:
        facts["customer_id"] = str(routing.customer_id)
    if routing.account_manager is not None:
        facts["account_manager"] = str(routing.account_manager)
    if len(pop.matches) == 1:
        card = pop.matches[0]
        facts["name"] = card.name
        facts["language"] = card.language
    if pop.reference is not None:
        facts["booking_found"] = pop.booking is not None
    if pop.booking is not None:
        facts["booking_kind"] = pop.booking.kind.value
        facts["booking_status"] = pop.booking.status.value
    if pop.account is not None:
        facts["account_found"] = pop.identified_by is IdentifiedBy.ACCOUNT
    if pop.identified_by in {IdentifiedBy.BOOKING, IdentifiedBy.ACCOUNT}:
        # The customer keyed replaces whoever the number said: blank what they
        # do not have, or the IVR would keep the number's account manager.
        facts.setdefault("account_manager", "")
    return facts


class CrmServices:
    """``CallCenterServices`` over the CRM: lookups, screen pops and durable writes."""

    def __init__(self, crm: CrmService) -> None:
        """Serve the runtime from ``crm``."""
        self.crm = crm

    async def routing_facts(self, number: str, now: float) -> Facts:
        """Look the caller up and return their routing facts."""
        return routing_facts_of(await self.crm.screen_pop(number, now))

    async def reference_facts(
        self, reference: str, now: float, *, number: str = ""
    ) -> Facts:
        """Return the facts of the booking's customer, else of the caller's number.

        ``booking_found`` says which: True when a booking has the reference's
        digits (then ``booking_kind`` and ``booking_status`` too, so a flow can
        branch on a cancelled booking), False when the number decided.
        """
        pop = await self.crm.screen_pop(number, now, reference=reference)
        return routing_facts_of(pop)

    async def account_facts(
        self, account: str, now: float, *, number: str = ""
    ) -> Facts:
        """Return the facts of the account holder, else of the caller's number.

        ``account_found`` says which: True when a customer holds the account
        number, False when the number decided.
        """
        return routing_facts_of(await self.crm.screen_pop(number, now, account=account))

    async def screen_pop(self, request: BuildScreenPop, now: float) -> ScreenPopReady:
        """Build the full screen-pop record, with the IVR path and digits."""
        pop = await self.crm.screen_pop(
            request.caller_number, now, reference=request.reference,
            account=request.account,
        )  # fmt: skip
        record = jsonable(pop)
        record["routing"] = routing_facts_of(pop)
        record["ivr_path"] = list(request.ivr_path)
        record["ivr_variables"] = jsonable(request.ivr_variables)
        return ScreenPopReady(
            at=now,
            call_id=request.call_id,
            agent_id=request.agent_id,
            caller_number=request.caller_number,
            record=record,
        )

    async def record_call(
        self, record: CallCompleted, ivr_path: tuple[str, ...]
    ) -> None:
        """Store the call through the CRM's outbox (never lost)."""
        await self.crm.record_call_completed(record)
        del ivr_path

    async def record_survey(
        self, call_id: CallId, answers: Mapping[str, int], now: float
    ) -> None:
        """Store the overall score (or the mean of the answers) for the call."""
        if not answers:
            return
        score = answers.get("overall") or round(sum(answers.values()) / len(answers))
        await self.crm.record_survey(
            call_id=call_id, score=max(1, min(5, score)), at=now
        )

    async def record_voicemail(self, voicemail: PersistVoicemail) -> None:
        """Store the voicemail through the CRM's durable writes (never lost)."""
        await self.crm.record_voicemail(
            call_id=voicemail.call_id,
            number=voicemail.number,
            at=voicemail.at,
            recording_ref=voicemail.recording_ref,
            duration_seconds=voicemail.duration_seconds,
            queue=voicemail.queue,
            customer_id=voicemail.customer_id,
            mailbox=voicemail.mailbox,
        )
