"""The I/O services the runtime calls for the switchboard, as a port.

``CrmServices`` (in ``callcenter.core.crm_services``) backs it with the CRM database;
``InMemoryServices`` keeps everything in dictionaries for tests and fast simulation.
"""

from collections.abc import Mapping
from typing import Protocol

from callcenter.core.messages import BuildScreenPop, LookupCustomer, PersistVoicemail
from callcenter.domain.events import CallCompleted, ScreenPopReady
from callcenter.domain.ids import CallId

Facts = dict[str, str | int | bool]
UNKNOWN: Facts = {"known": False, "tier": "ordinary"}


class CallCenterServices(Protocol):
    """What the runtime needs from the CRM."""

    async def routing_facts(self, number: str, now: float) -> Facts:
        """Return the caller's routing facts (``known`` False for a stranger)."""
        ...

    async def reference_facts(
        self, reference: str, now: float, *, number: str = ""
    ) -> Facts:
        """Return the routing facts of the customer with this reference.

        The caller keyed it (a booking reference, ``crm_lookup by: digits``). When
        nobody has it the caller is who ``number`` (their caller id) says, as for
        ``routing_facts``: a mistyped reference leaves a known caller known, and
        ``known`` is False for a stranger; never an error for an unknown reference.
        """
        ...

    async def account_facts(
        self, account: str, now: float, *, number: str = ""
    ) -> Facts:
        """Return the routing facts of the customer holding this account number.

        The caller keyed it (``crm_lookup by: account``). It is looked up among
        account numbers only, never as a booking reference; when nobody holds it
        the caller is who ``number`` says, as for ``reference_facts``.
        """
        ...

    async def screen_pop(self, request: BuildScreenPop, now: float) -> ScreenPopReady:
        """Build the screen-pop record for the agent whose phone rings."""
        ...

    async def record_call(
        self, record: CallCompleted, ivr_path: tuple[str, ...]
    ) -> None:
        """Store the final record of a call; never lose it."""
        ...

    async def record_survey(
        self, call_id: CallId, answers: Mapping[str, int], now: float
    ) -> None:
        """Store survey answers given after a call."""
        ...

    async def record_voicemail(self, voicemail: PersistVoicemail) -> None:
        """Store a message a caller left, so that someone calls them back."""
        ...


async def lookup_facts(
    services: CallCenterServices, request: LookupCustomer, now: float
) -> Facts:
    """Answer the switchboard's ``LookupCustomer`` with the matching service call."""
    number = request.number
    if request.account is not None:
        return await services.account_facts(request.account, now, number=number)
    if request.reference is not None:
        return await services.reference_facts(request.reference, now, number=number)
    return await services.routing_facts(number, now)


class InMemoryServices:
    """Customers and records in memory: for tests and virtual-time simulation."""

    def __init__(
        self,
        customers: Mapping[str, Facts] | None = None,
        *,
        references: Mapping[str, Facts] | None = None,
        accounts: Mapping[str, Facts] | None = None,
    ) -> None:
        """Know the given numbers, booking references and account numbers."""
        self.customers = dict(customers or {})
        self.references = dict(references or {})
        self.accounts = dict(accounts or {})
        self.calls: list[CallCompleted] = []
        self.paths: dict[CallId, tuple[str, ...]] = {}
        self.surveys: dict[CallId, dict[str, int]] = {}
        self.screen_pops: list[ScreenPopReady] = []
        self.voicemails: list[PersistVoicemail] = []

    async def routing_facts(self, number: str, now: float) -> Facts:
        """Return the stored facts for ``number``."""
        del now
        facts = self.customers.get(number)
        return dict(facts) if facts else dict(UNKNOWN)

    async def reference_facts(
        self, reference: str, now: float, *, number: str = ""
    ) -> Facts:
        """Return the stored facts for ``reference``, else those of ``number``."""
        facts = self.references.get(reference)
        if facts:
            return dict(facts)
        return await self.routing_facts(number, now)

    async def account_facts(
        self, account: str, now: float, *, number: str = ""
    ) -> Facts:
        """Return the stored facts for ``account``, else those of ``number``."""
        facts = self.accounts.get(account)
        if facts:
            return dict(facts)
        return await self.routing_facts(number, now)

    async def screen_pop(self, request: BuildScreenPop, now: float) -> ScreenPopReady:
        """Return a record holding the facts, the IVR path and the digits."""
        lookup = LookupCustomer(
            call_id=request.call_id, number=request.caller_number,
            reference=request.reference, account=request.account,
        )  # fmt: skip
        facts = await lookup_facts(self, lookup, now)
        pop = ScreenPopReady(
            at=now,
            call_id=request.call_id,
            agent_id=request.agent_id,
            caller_number=request.caller_number,
            record={
                "status": "known" if facts.get("known") else "unknown",
                "facts": dict(facts),
                "ivr_path": list(request.ivr_path),
                "ivr_variables": dict(request.ivr_variables),
            },
        )
        self.screen_pops.append(pop)
        return pop

    async def record_call(
        self, record: CallCompleted, ivr_path: tuple[str, ...]
    ) -> None:
        """Keep the record."""
        self.calls.append(record)
        self.paths[record.call_id] = ivr_path

    async def record_survey(
        self, call_id: CallId, answers: Mapping[str, int], now: float
    ) -> None:
        """Keep the answers."""
        del now
        self.surveys[call_id] = dict(answers)

    async def record_voicemail(self, voicemail: PersistVoicemail) -> None:
        """Keep the voicemail."""
        self.voicemails.append(voicemail)
