"""Tunable CRM rules, passed down explicitly (no globals).

The composition root builds one ``CrmConfig`` from the settings file; the defaults
follow docs/CRM.md and are what the tests and the embedded demo use.
"""

from dataclasses import dataclass, field

from crm_link.enums import Severity

HOUR = 3600.0
DAY = 24 * HOUR

DEFAULT_CATEGORIES: tuple[str, ...] = (
    "product_quality",
    "service_attitude",
    "after_sales",
    "price",
    "misleading_advertising",
    "room",
    "booking",
    "transport",
    "tour_guide",
    "food",
    "other",
)

DEFAULT_DEADLINES: dict[Severity, float] = {
    Severity.URGENT: 4 * HOUR,
    Severity.SERIOUS: 24 * HOUR,
    Severity.ORDINARY: 72 * HOUR,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class CrmConfig:
    """Rules of the CRM layer.

    Attributes:
        default_region: Country whose national number format caller ids use.
        categories: Complaint categories accepted by ``open_complaint``.
        deadlines: Seconds allowed per severity before a complaint is overdue.
        recent_complaint_days: A complaint opened within this many days makes the
            caller "handle with care".
        last_interactions: How many past calls the screen pop shows per customer.
        complaints_shown: How many complaints the screen pop shows per customer.
        max_matches: Most customers the screen pop returns for one shared number.
        bookings_shown: How many current and upcoming bookings the screen pop
            shows per customer (nearest first).
    """

    default_region: str = "CN"
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    deadlines: dict[Severity, float] = field(
        default_factory=lambda: dict(DEFAULT_DEADLINES)
    )
    recent_complaint_days: float = 30.0
    last_interactions: int = 5
    complaints_shown: int = 5
    max_matches: int = 10
    bookings_shown: int = 3

    def deadline_for(self, severity: Severity, opened_at: float) -> float:
        """Return the POSIX time by which a complaint of ``severity`` is due."""
        return opened_at + self.deadlines[severity]
