"""What the switchboard keeps about one live call, and how it reads the caller's facts.

Pure data and functions (no I/O, no clock): the switchboard owns the records and
hands ``now`` in.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from acd import inputs as acd_in
from callcenter.core.messages import LookupCustomer
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId, CustomerId, QueueName
from ivr.session import IvrSession


@dataclass(slots=True)
class CallRecord:
    """What the switchboard knows of one call while it lasts."""

    call_id: CallId
    caller_number: str
    offered_at: float
    session: IvrSession | None = None
    facts: dict[str, str | int | bool] = field(default_factory=dict)
    queue: QueueName | None = None
    queued_at: float | None = None
    agent_id: AgentId | None = None
    answered_at: float | None = None
    talk_ended_at: float | None = None
    outcome: ev.CallOutcome | None = None
    waited: float = 0.0
    mailbox: str | None = None  # set while the caller records a voicemail
    reference: str | None = None  # the booking reference the IVR last looked up
    account: str | None = None  # or the account number (the last keyed lookup wins)

    def customer_id(self) -> CustomerId | None:
        """Return the CRM customer the lookup found, if any."""
        found = self.facts.get("customer_id")
        return CustomerId(str(found)) if found else None

    def identified(self, now: float) -> ev.CustomerIdentified:
        """Return the event saying who the CRM found the caller to be."""
        facts = self.facts
        return ev.CustomerIdentified(
            at=now,
            call_id=self.call_id,
            customer_id=self.customer_id(),
            name=str(facts.get("name", "")),
            tier=str(facts.get("tier", "unknown")),
            open_complaint=bool(facts.get("open_complaint", False)),
            urgent_complaint=bool(facts.get("urgent_complaint", False)),
        )

    def lookup(self, by: str, value: str) -> LookupCustomer:
        """Return the CRM lookup the IVR asks for: by the digits keyed, or a number.

        Keyed digits (a booking reference, ``digits``, or an account number,
        ``account``) are kept for the screen pop; the last keyed lookup decides
        who the caller is, so it replaces the one before.
        """
        number = self.caller_number
        match by:
            case "digits":
                self.reference, self.account = value, None
                return LookupCustomer(
                    call_id=self.call_id, number=number, reference=value
                )
            case "account":
                self.reference, self.account = None, value
                return LookupCustomer(
                    call_id=self.call_id, number=number, account=value
                )
        return LookupCustomer(call_id=self.call_id, number=value or number)

    def final_record(self, now: float) -> ev.CallCompleted:
        """Return the one final record of the call, ending at ``now``."""
        talk = 0.0
        if self.answered_at is not None:
            talk = (self.talk_ended_at or now) - self.answered_at
        return ev.CallCompleted(
            at=now,
            call_id=self.call_id,
            outcome=self.outcome or ev.CallOutcome.IVR_ONLY,
            caller_number=self.caller_number,
            queue=self.queue,
            agent_id=self.agent_id,
            customer_id=self.customer_id(),
            offered_at=self.offered_at,
            wait_seconds=self.waited,
            talk_seconds=talk,
        )

    def caller_facts(self) -> acd_in.CallerFacts:
        """Return the facts the ACD computes the call's priority from."""
        facts = self.facts
        manager = facts.get("account_manager")
        return acd_in.CallerFacts(
            tier=str(facts.get("tier", "ordinary")),
            open_complaint=bool(facts.get("open_complaint", False)),
            urgent_complaint=bool(facts.get("urgent_complaint", False)),
            customer_id=self.customer_id(),
            preferred_agent=AgentId(str(manager)) if manager else None,
        )


def skill_levels(skills: Iterable[str]) -> dict[str, int]:
    """Read IVR skills: ``"complaints=5"``, or ``"language:zh"`` meaning level 1."""
    levels: dict[str, int] = {}
    for skill in skills:
        name, _, level = skill.partition("=")
        levels[name.strip()] = int(level) if level.strip().isdigit() else 1
    return levels
