"""Frozen records that leave the CRM layer: the only CRM types other packages see.

ORM rows never cross this boundary. Ids of customers travel as ``CustomerId``
strings (the decimal database id), agents as ``AgentId``. Times are POSIX seconds.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from callcenter.domain.events import CallOutcome
from callcenter.domain.ids import AgentId, CallId, CustomerId, QueueName
from crm_link.enums import (
    BookingKind,
    BookingStatus,
    Channel,
    ComplaintState,
    ContactStage,
    Demand,
    LifecycleStage,
    LoyaltyStage,
    SatisfactionTrend,
    Severity,
    Tier,
    ValueClass,
)


class PopStatus(StrEnum):
    """Whether a number named no customer, one, or several (a shared line)."""

    KNOWN = "known"
    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"


class IdentifiedBy(StrEnum):
    """What the screen pop found the caller by."""

    NUMBER = "number"
    BOOKING = "booking"
    ACCOUNT = "account"


class ExternalStatus(StrEnum):
    """What became of the external CRM lookup for a screen pop."""

    DISABLED = "disabled"
    OK = "ok"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"


class WriteOutcome(StrEnum):
    """Where a call-path write went: the database, or the durable outbox."""

    STORED = "stored"
    QUEUED = "queued"


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutingFacts:
    """What the ACD needs to route a caller: tier and complaint flags."""

    customer_id: CustomerId | None
    tier: Tier
    open_complaint: bool
    urgent_complaint: bool
    recent_complaint: bool
    repeat_caller: bool
    account_manager: AgentId | None


UNKNOWN_CALLER_FACTS = RoutingFacts(
    customer_id=None,
    tier=Tier.ORDINARY,
    open_complaint=False,
    urgent_complaint=False,
    recent_complaint=False,
    repeat_caller=False,
    account_manager=None,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintSummary:
    """A complaint as the screen pop lists it."""

    complaint_id: int
    state: ComplaintState
    severity: Severity
    category: str
    channel: Channel
    description: str
    owner: AgentId | None
    department: str
    opened_at: float
    deadline_at: float
    overdue: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class InteractionSummary:
    """One past call of the customer."""

    call_id: CallId
    offered_at: float
    number: str
    queue: QueueName | None
    agent_id: AgentId | None
    outcome: CallOutcome
    wait_seconds: float
    talk_seconds: float
    disposition: str
    satisfaction: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingSummary:
    """A booking as the screen pop shows it (dates are calendar days)."""

    booking_id: int
    customer_id: CustomerId
    reference: str
    kind: BookingKind
    status: BookingStatus
    starts_on: dt.date
    ends_on: dt.date
    place: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerCard:
    """Everything the agent sees about one customer before saying a word.

    ``account_number`` is a corporate client's account number (digits), None for
    a customer without one.
    """

    customer_id: CustomerId
    name: str
    phones: tuple[str, ...]
    email: str
    language: str
    tier: Tier
    value_class: ValueClass
    loyalty_stage: LoyaltyStage
    lifecycle_stage: LifecycleStage
    account_manager: AgentId | None
    account_manager_name: str
    notes: str
    complaints: tuple[ComplaintSummary, ...]
    interactions: tuple[InteractionSummary, ...]
    bookings: tuple[BookingSummary, ...]
    facts: RoutingFacts
    contact_stage: ContactStage
    satisfaction_trend: SatisfactionTrend
    calls_last_24h: int
    calls_last_7d: int
    account_number: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalRecord:
    """What the external CRM knows of a number (merged into the screen pop)."""

    source: str
    external_id: str
    name: str = ""
    email: str = ""
    tier: Tier | None = None
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreenPop:
    """The screen-pop record for one caller id, or for a reference or account keyed.

    ``status`` is ``unknown`` with no matches for a number nobody has (or a withheld
    or unusable one), ``known`` with one match, ``ambiguous`` with all matches of a
    shared number. ``routing`` folds the matches into one set of facts.

    ``reference`` holds the digits of a booking reference the caller keyed (None
    when none was). When a booking has them, ``booking`` is that booking, the match
    is its customer and ``identified_by`` is ``booking``. ``account`` holds the
    digits of an account number the caller keyed; when a customer has it, that
    customer is the match and ``identified_by`` is ``account``. Otherwise the
    caller is who their number says (``identified_by`` ``number``, or None for a
    stranger).
    """

    number: str
    e164: str | None
    status: PopStatus
    matches: tuple[CustomerCard, ...]
    looked_up_at: float
    identified_by: IdentifiedBy | None = None
    reference: str | None = None
    booking: BookingSummary | None = None
    account: str | None = None
    external_status: ExternalStatus = ExternalStatus.DISABLED
    external: ExternalRecord | None = None

    @property
    def routing(self) -> RoutingFacts:
        """Facts for routing: the match's, or the most cautious fold of several.

        For a shared number the tier is the highest among the matches and each
        complaint flag is set if any match has it; the customer and the account
        manager are named only when all matches agree.
        """
        if not self.matches:
            return UNKNOWN_CALLER_FACTS
        if len(self.matches) == 1:
            return self.matches[0].facts
        return _fold([card.facts for card in self.matches])


_TIER_RANK = {Tier.VIP: 0, Tier.KEY: 1, Tier.ORDINARY: 2}


def _fold(facts: list[RoutingFacts]) -> RoutingFacts:
    managers = {fact.account_manager for fact in facts}
    return RoutingFacts(
        customer_id=None,
        tier=min((fact.tier for fact in facts), key=_TIER_RANK.__getitem__),
        open_complaint=any(fact.open_complaint for fact in facts),
        urgent_complaint=any(fact.urgent_complaint for fact in facts),
        recent_complaint=any(fact.recent_complaint for fact in facts),
        repeat_caller=any(fact.repeat_caller for fact in facts),
        account_manager=managers.pop() if len(managers) == 1 else None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintRecord:
    """A complaint with every field of its record."""

    complaint_id: int
    customer_id: CustomerId
    call_id: CallId | None
    state: ComplaintState
    channel: Channel
    category: str
    severity: Severity
    description: str
    demands: tuple[Demand, ...]
    attachments: tuple[str, ...]
    department: str
    owner: AgentId | None
    recorded_by: str
    opened_at: float
    deadline_at: float
    closed_at: float | None
    resolution: str
    follow_up_result: str
    satisfaction: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerRef:
    """A customer just created or found by number."""

    customer_id: CustomerId
    name: str
    e164: str
    created: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class VoicemailRecord:
    """A message a caller left, as a supervisor's list shows it.

    ``recording_ref`` is where the PBX keeps the audio (a path on the PBX's host);
    ``handled_at`` and ``handled_by`` are set once someone dealt with it.
    """

    voicemail_id: int
    call_id: CallId
    mailbox: str
    number: str
    queue: QueueName | None
    customer_id: CustomerId | None
    recorded_at: float
    duration_seconds: float
    recording_ref: str
    status: str
    handled_at: float | None
    handled_by: str | None

    @property
    def handled(self) -> bool:
        """Whether someone dealt with the message."""
        return self.handled_at is not None
