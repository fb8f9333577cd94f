"""Closed vocabularies of the CRM, persisted by their ``.value``.

The values are stable strings: they are stored in the database, sent in DTOs and
published on the bus, so renaming one needs a migration.
"""

from enum import StrEnum


class Tier(StrEnum):
    """Importance tier; higher tiers get priority and dedicated people."""

    VIP = "vip"
    KEY = "key"
    ORDINARY = "ordinary"


class ValueClass(StrEnum):
    """ABC analysis of customer value (A = the few who bring most revenue)."""

    A = "a"
    B = "b"
    C = "c"


class LoyaltyStage(StrEnum):
    """Where the customer stands on the loyalty ladder."""

    PROSPECT = "prospect"
    NEW = "new"
    REGULAR = "regular"
    LONG_STANDING = "long_standing"
    LOYAL = "loyal"


class LifecycleStage(StrEnum):
    """Relationship lifecycle; ``DECLINE`` is the at-risk signal."""

    EXPLORATION = "exploration"
    FORMATION = "formation"
    STABILITY = "stability"
    DECLINE = "decline"


class ContactStage(StrEnum):
    """Stage derived from the call history alone (see ``crm_link.facts``)."""

    NEW = "new"
    REGULAR = "regular"
    LOYAL = "loyal"
    AT_RISK = "at_risk"


class ComplaintState(StrEnum):
    """Steps of complaint handling (see ``crm_link.workflow``)."""

    RECEIVED = "received"
    RECORDED = "recorded"
    ANALYSING = "analysing"
    SOLUTION_PROPOSED = "solution_proposed"
    IN_PROGRESS = "in_progress"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"


class Severity(StrEnum):
    """Nature of a complaint; sets its handling deadline."""

    ORDINARY = "ordinary"
    SERIOUS = "serious"
    URGENT = "urgent"


class Channel(StrEnum):
    """How the complaint reached us."""

    PHONE = "phone"
    WEB = "web"
    EMAIL = "email"
    ON_SITE = "on_site"
    TRANSFERRED = "transferred"


class Demand(StrEnum):
    """What the complainant asks for (a complaint may carry several)."""

    REFUND = "refund"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    COMPENSATION = "compensation"
    APOLOGY = "apology"


class SatisfactionTrend(StrEnum):
    """Direction of survey scores, recent window against the one before."""

    IMPROVING = "improving"
    STABLE = "stable"
    DECLINING = "declining"
    UNKNOWN = "unknown"


class CallbackStatus(StrEnum):
    """Progress of a callback request."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class VoicemailStatus(StrEnum):
    """Progress of a voicemail."""

    NEW = "new"
    HEARD = "heard"
    HANDLED = "handled"


class BookingKind(StrEnum):
    """What a booking is for (a hotel's stays, a travel agency's trips ...)."""

    HOTEL_STAY = "hotel_stay"
    TRIP = "trip"
    FLIGHT = "flight"
    TRANSFER = "transfer"


class BookingStatus(StrEnum):
    """Where a booking stands; only pending and confirmed ones are still ahead."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
