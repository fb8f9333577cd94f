"""The screen-pop query: everything about a caller in at most three statements.

The caller is found by their number, or by the digits of a booking reference or of
an account number they keyed (falling back to the number when no booking or
customer has them); the statements are ``crm_link.pop_queries``:

1. the matched customers, with all their phones, account manager, current and
   upcoming bookings, and the booking keyed;
2. their complaints, open first (urgent first) then most recent, with the date of
   the latest complaint as a window aggregate;
3. their last calls with the survey score of each, with call counts and score means
   over the fact windows as window aggregates.

A caller nobody knows costs one statement. The aggregates feed ``crm_link.facts``
so the facts have one definition.

Speed (the pop is on the call path): the statements are Core selects of plain
columns built once at import, so SQLAlchemy compiles each once per dialect and then
only looks it up. Rows are turned straight into ``crm_link.dto`` records: no ORM
session, no entities. The lookup is synchronous so that ``crm_link.reader`` can run
it whole on a reader thread (SQLite) or inside one async connection (PostgreSQL).
"""

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from callcenter.domain.ids import AgentId, CallId, CustomerId, QueueName
from crm_link import facts
from crm_link.bookings import summary_of, today_of
from crm_link.config import CrmConfig
from crm_link.dto import (
    BookingSummary,
    ComplaintSummary,
    CustomerCard,
    IdentifiedBy,
    InteractionSummary,
    PopStatus,
    RoutingFacts,
    ScreenPop,
)
from crm_link.enums import ComplaintState, Severity
from crm_link.pop_queries import (
    BY_ACCOUNT,
    BY_NUMBER,
    BY_REFERENCE,
    KEYED,
    UPCOMING,
    PopStatements,
)
from crm_link.workflow import is_overdue


def screen_pop(
    connection: sa.Connection,
    *,
    number: str,
    e164: str | None,
    now: float,
    config: CrmConfig,
    rules: facts.FactRules,
    reference: str | None = None,
    account: str | None = None,
) -> ScreenPop:
    """Return the screen-pop record of ``e164``, ``reference`` or ``account``.

    ``reference`` (the digits of a booking reference the caller keyed) matches the
    booking's customer, ``account`` (of an account number; give one of the two)
    the account holder; when nobody has the digits, the owners of ``e164`` match.
    """
    statements = _statements(reference=reference, account=account)
    params = _matching(e164, now, config, reference=reference, account=account)
    customers = _customers(connection.execute(statements.customers, params))
    if not customers:
        return unknown_caller(number, e164, now, reference=reference, account=account)
    complaints = _complaints(connection, statements.complaints, params, now, config)
    histories = _histories(
        connection, statements.history, params, now=now, config=config, rules=rules
    )
    cards = tuple(
        _card(customer, complaints.get(customer_id, _EMPTY_COMPLAINTS),
              histories.get(customer_id, _EMPTY_HISTORY), now, rules)
        for customer_id, customer in customers.items()
    )  # fmt: skip
    keyed = next((c.keyed for c in customers.values() if c.keyed), None)
    return ScreenPop(
        number=number, e164=e164,
        status=PopStatus.KNOWN if len(cards) == 1 else PopStatus.AMBIGUOUS,
        matches=cards, looked_up_at=now,
        identified_by=_identified_by(customers, keyed=keyed, account=account),
        reference=reference, booking=keyed, account=account,
    )  # fmt: skip


def _statements(*, reference: str | None, account: str | None) -> PopStatements:
    if account:
        return BY_ACCOUNT
    return BY_REFERENCE if reference else BY_NUMBER


def _matching(
    e164: str | None,
    now: float,
    config: CrmConfig,
    *,
    reference: str | None,
    account: str | None,
) -> dict[str, Any]:
    """Return the parameters every statement finds the matched customers with."""
    return {
        "e164": e164, "reference": reference, "account": account,
        "matches": config.max_matches, "today": today_of(now),
        "bookings_shown": config.bookings_shown,
    }  # fmt: skip


def _identified_by(
    customers: dict[int, "_CustomerRow"],
    *,
    keyed: BookingSummary | None,
    account: str | None,
) -> IdentifiedBy:
    """Say what found the matches: the booking keyed, the account keyed, or the number.

    An account number is unique, so the one match holding it is the account's.
    """
    if keyed is not None:
        return IdentifiedBy.BOOKING
    if account and any(c.row.account_number == account for c in customers.values()):
        return IdentifiedBy.ACCOUNT
    return IdentifiedBy.NUMBER


def unknown_caller(
    number: str,
    e164: str | None,
    now: float,
    *,
    reference: str | None = None,
    account: str | None = None,
) -> ScreenPop:
    """Return the record of a caller nobody knows (or who withheld the number)."""
    return ScreenPop(
        number=number, e164=e164, status=PopStatus.UNKNOWN, matches=(),
        looked_up_at=now, reference=reference, account=account,
    )  # fmt: skip


@dataclass(slots=True, kw_only=True)
class _CustomerRow:
    row: sa.Row[Any]
    phones: dict[str, None] = field(default_factory=dict)  # ordered, no repeats
    bookings: dict[int, BookingSummary] = field(default_factory=dict)
    keyed: BookingSummary | None = None


@dataclass(slots=True, kw_only=True)
class _Complaints:
    shown: list[ComplaintSummary] = field(default_factory=list)
    latest_opened_at: float | None = None


@dataclass(slots=True, kw_only=True)
class _History:
    shown: list[InteractionSummary] = field(default_factory=list)
    stats: facts.InteractionStats = field(default_factory=facts.InteractionStats)
    satisfaction: facts.SatisfactionStats = field(
        default_factory=facts.SatisfactionStats
    )


_EMPTY_COMPLAINTS = _Complaints()
_EMPTY_HISTORY = _History()


def _customers(result: sa.Result[Any]) -> dict[int, _CustomerRow]:
    """Fold the rows (a customer's phones x bookings) into one entry per customer."""
    found: dict[int, _CustomerRow] = {}
    for row in result:
        entry = found.get(row.id)
        if entry is None:
            entry = found[row.id] = _CustomerRow(row=row, keyed=_keyed(row))
        entry.phones[row.phone] = None
        booking = summary_of(row, UPCOMING)
        if booking is not None:
            entry.bookings.setdefault(booking.booking_id, booking)
    return found


def _keyed(row: sa.Row[Any]) -> BookingSummary | None:
    return summary_of(row, KEYED) if KEYED + "id" in row._mapping else None  # noqa: SLF001


def _complaints(
    connection: sa.Connection,
    statement: sa.Select[Any],
    params: dict[str, Any],
    now: float,
    config: CrmConfig,
) -> dict[int, _Complaints]:
    result = connection.execute(statement, {**params, "shown": config.complaints_shown})
    found: dict[int, _Complaints] = {}
    for row in result:
        entry = found.get(row.customer_id)
        if entry is None:
            entry = found[row.customer_id] = _Complaints(latest_opened_at=row.latest)
        entry.shown.append(_complaint(row, now))
    return found


def _complaint(row: sa.Row[Any], now: float) -> ComplaintSummary:
    return ComplaintSummary(
        complaint_id=row.id,
        state=row.state,
        severity=row.severity,
        category=row.category,
        channel=row.channel,
        description=row.description,
        owner=AgentId(row.owner) if row.owner else None,
        department=row.department,
        opened_at=row.opened_at,
        deadline_at=row.deadline_at,
        overdue=is_overdue(row.state, row.deadline_at, now),
    )


def _histories(
    connection: sa.Connection,
    statement: sa.Select[Any],
    params: dict[str, Any],
    *,
    now: float,
    config: CrmConfig,
    rules: facts.FactRules,
) -> dict[int, _History]:
    recent = now - rules.trend_window
    windows = {
        "shown": config.last_interactions, "now": now, "recent": recent,
        "prior": recent - rules.trend_window, "day": now - rules.repeat_window,
        "week": now - rules.week_window,
    }  # fmt: skip
    found: dict[int, _History] = {}
    for row in connection.execute(statement, {**params, **windows}):
        entry = found.get(row.customer_id)
        if entry is None:
            entry = found[row.customer_id] = _history_of(row)
        entry.shown.append(_interaction(row))
    return found


def _history_of(row: sa.Row[Any]) -> _History:
    return _History(
        stats=facts.InteractionStats(
            total=row.total,
            first_at=row.first_at,
            last_at=row.last_at,
            calls_24h=int(row.c24h),
            calls_7d=int(row.c7d),
            calls_recent=int(row.c_recent),
            calls_prior=int(row.c_prior),
        ),
        satisfaction=facts.SatisfactionStats(
            recent_mean=_float(row.sat_recent), prior_mean=_float(row.sat_prior)
        ),
    )


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def _interaction(row: sa.Row[Any]) -> InteractionSummary:
    return InteractionSummary(
        call_id=CallId(row.call_id),
        offered_at=row.offered_at,
        number=row.number,
        queue=QueueName(row.queue) if row.queue else None,
        agent_id=AgentId(row.agent_id) if row.agent_id else None,
        outcome=row.outcome,
        wait_seconds=row.wait_seconds,
        talk_seconds=row.talk_seconds,
        disposition=row.disposition,
        satisfaction=row.score,
    )


def _card(
    customer: _CustomerRow,
    complaints: _Complaints,
    history: _History,
    now: float,
    rules: facts.FactRules,
) -> CustomerCard:
    row = customer.row
    routing = _routing(row, complaints, history, now, rules)
    return CustomerCard(
        customer_id=CustomerId(str(row.id)),
        name=row.name,
        phones=tuple(customer.phones),
        email=row.email,
        language=row.language,
        tier=row.tier,
        value_class=row.value_class,
        loyalty_stage=row.loyalty_stage,
        lifecycle_stage=row.lifecycle_stage,
        account_manager=routing.account_manager,
        account_manager_name=row.manager_name or "",
        notes=row.notes,
        complaints=tuple(complaints.shown),
        interactions=tuple(history.shown),
        bookings=tuple(customer.bookings.values()),
        facts=routing,
        contact_stage=facts.contact_stage(history.stats, now, rules),
        satisfaction_trend=facts.satisfaction_trend(history.satisfaction, rules),
        calls_last_24h=history.stats.calls_24h,
        calls_last_7d=history.stats.calls_7d,
        account_number=row.account_number,
    )


def _routing(
    row: sa.Row[Any],
    complaints: _Complaints,
    history: _History,
    now: float,
    rules: facts.FactRules,
) -> RoutingFacts:
    opened = [c for c in complaints.shown if c.state is not ComplaintState.CLOSED]
    return RoutingFacts(
        customer_id=CustomerId(str(row.id)),
        tier=row.tier,
        open_complaint=bool(opened),
        urgent_complaint=any(c.severity is Severity.URGENT for c in opened),
        recent_complaint=facts.is_recent_complaint(
            complaints.latest_opened_at, now, rules
        ),
        repeat_caller=facts.is_repeat_caller(history.stats),
        account_manager=(
            AgentId(row.account_manager_id) if row.account_manager_id else None
        ),
    )
