"""The screen-pop statements, built once at import for each way of finding a caller.

Each way (``BY_NUMBER``, ``BY_REFERENCE``, ``BY_ACCOUNT``) has the same three
statements:

1. the matched customers with all their phones, account manager name and current
   or upcoming bookings (at most ``:bookings_shown``, nearest first; the rows are
   phones x bookings, a handful per customer); by reference also the booking keyed;
2. their complaints, open first (urgent first) then most recent, with the date of
   the latest complaint as a window aggregate;
3. their last calls with the survey score of each, with call counts and score means
   over the fact windows as window aggregates.

Every statement finds the matched customers again with the same subquery (an index
lookup) instead of taking an ``IN`` list of ids, which SQLAlchemy would re-render
for each list length. ``BY_NUMBER`` matches the owners of ``:e164``;
``BY_REFERENCE`` the customer of the booking whose reference digits are
``:reference``, or when no booking has them, the owners of ``:e164``, so a
mistyped reference leaves a known caller known at no extra statement;
``BY_ACCOUNT`` likewise the customer whose account number is ``:account`` (never a
booking's customer: an account number is not a reference). Sizes and dates are
bind parameters, so SQLAlchemy compiles each statement once per dialect.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from crm_link.bookings import labelled
from crm_link.enums import BookingStatus, ComplaintState, Severity
from crm_link.models import (
    Agent,
    Booking,
    Complaint,
    Customer,
    Interaction,
    PhoneNumber,
)
from crm_link.models import SurveyResponse as Survey

Matched = Callable[[], sa.Select[Any] | sa.CompoundSelect[Any]]
"""Builds a fresh select of the matched ``customer_id``s."""

UPCOMING = "b_"
"""Prefix of the columns of a current or upcoming booking in statement 1."""
KEYED = "k_"
"""Prefix of the columns of the booking keyed (``BY_REFERENCE`` only)."""


@dataclass(frozen=True, slots=True)
class PopStatements:
    """The three statements of one way of finding the caller."""

    customers: sa.Select[*tuple[Any, ...]]
    complaints: sa.Select[Any]
    history: sa.Select[Any]


def _by_number() -> sa.Select[Any]:
    """Customers owning ``:e164``, lowest id first, at most ``:matches``."""
    return (
        sa.select(PhoneNumber.customer_id)
        .where(PhoneNumber.e164 == sa.bindparam("e164", type_=sa.String))
        .order_by(PhoneNumber.customer_id)
        .limit(sa.bindparam("matches", type_=sa.Integer))
    )


def _is_keyed(booking: type[Booking]) -> sa.ColumnElement[bool]:
    return booking.reference_digits == sa.bindparam("reference", type_=sa.String)


def _by_reference() -> sa.CompoundSelect[Any]:
    """The customer of the booking ``:reference``; without one, ``_by_number``.

    The bookings are aliases of their own, so that neither part is ever
    correlated with a ``bookings`` of an enclosing statement.
    """
    owners = _by_number().subquery()
    keyed, taken = aliased(Booking), aliased(Booking)
    return sa.union_all(
        sa.select(keyed.customer_id).where(_is_keyed(keyed)),
        sa.select(owners.c.customer_id).where(~sa.exists().where(_is_keyed(taken))),
    )


def _holds_account(customer: type[Customer]) -> sa.ColumnElement[bool]:
    return customer.account_number == sa.bindparam("account", type_=sa.String)


def _by_account() -> sa.CompoundSelect[Any]:
    """The customer with the account number ``:account``; without one, ``_by_number``.

    Found in the unique index of ``customers.account_number``; the customers are
    aliases for the same reason as the bookings of ``_by_reference``.
    """
    owners = _by_number().subquery()
    holder, taken = aliased(Customer), aliased(Customer)
    return sa.union_all(
        sa.select(holder.id.label("customer_id")).where(_holds_account(holder)),
        sa.select(owners.c.customer_id).where(
            ~sa.exists().where(_holds_account(taken))
        ),
    )


def _upcoming(matched: Matched) -> sa.Subquery:
    """Current and upcoming bookings of the matched customers, ranked by start."""
    rank = sa.func.row_number().over(
        partition_by=Booking.customer_id, order_by=(Booking.starts_on, Booking.id)
    )
    return (
        sa.select(*labelled(Booking, ""), rank.label("rank"))
        .where(
            Booking.customer_id.in_(matched()),
            Booking.ends_on >= sa.bindparam("today", type_=sa.Date),
            sa.or_(
                Booking.status == BookingStatus.CONFIRMED,
                Booking.status == BookingStatus.PENDING,
            ),
        )
        .subquery()
    )


def _customers_statement(
    matched: Matched, *, keyed: bool
) -> sa.Select[*tuple[Any, ...]]:
    ids = matched().subquery()
    other = aliased(PhoneNumber)
    upcoming = _upcoming(matched)
    key = aliased(Booking)
    statement: sa.Select[*tuple[Any, ...]] = (
        sa.select(
            Customer.id, Customer.name, Customer.email, Customer.language,
            Customer.tier, Customer.value_class, Customer.loyalty_stage,
            Customer.lifecycle_stage, Customer.account_manager_id, Customer.notes,
            Customer.account_number, Agent.name.label("manager_name"),
            other.e164.label("phone"),
            *labelled(upcoming.c, UPCOMING),
            *(labelled(key, KEYED) if keyed else ()),
        )
        .join(ids, ids.c.customer_id == Customer.id)
        .join(other, other.customer_id == Customer.id)
        .outerjoin(Agent, Agent.id == Customer.account_manager_id)
        .outerjoin(upcoming, sa.and_(
            upcoming.c.customer_id == Customer.id,
            upcoming.c.rank <= sa.bindparam("bookings_shown", type_=sa.Integer),
        ))
        .order_by(Customer.id, other.id, upcoming.c.rank)
    )  # fmt: skip
    if keyed:
        statement = statement.outerjoin(
            key, sa.and_(key.customer_id == Customer.id, _is_keyed(key))
        )
    return statement


def _first_shown(ranked: sa.Subquery) -> sa.Select[Any]:
    """Return each customer's rows ranked within ``shown``, customer by customer."""
    return (
        sa.select(ranked)
        .where(ranked.c.rank <= sa.bindparam("shown", type_=sa.Integer))
        .order_by(ranked.c.customer_id, ranked.c.rank)
    )


def _complaints_statement(matched: Matched) -> sa.Select[Any]:
    closed_last = sa.case((Complaint.state == ComplaintState.CLOSED, 1), else_=0)
    urgent_first = sa.case(
        (Complaint.severity == Severity.URGENT, 0),
        (Complaint.severity == Severity.SERIOUS, 1),
        else_=2,
    )
    per_customer = Complaint.customer_id
    rank = sa.func.row_number().over(
        partition_by=per_customer,
        order_by=(closed_last, urgent_first, Complaint.opened_at.desc()),
    )
    latest = sa.func.max(Complaint.opened_at).over(partition_by=per_customer)
    inner = (
        sa.select(
            Complaint.id, Complaint.customer_id, Complaint.state, Complaint.severity,
            Complaint.category, Complaint.channel, Complaint.description,
            Complaint.owner, Complaint.department, Complaint.opened_at,
            Complaint.deadline_at, rank.label("rank"), latest.label("latest"),
        )
        .where(Complaint.customer_id.in_(matched()))
        .subquery()
    )  # fmt: skip
    return _first_shown(inner)


def _count_since(start: sa.BindParameter[float]) -> sa.FunctionElement[Any]:
    return sa.func.sum(sa.case((Interaction.offered_at >= start, 1), else_=0))


def _per_customer(expression: sa.FunctionElement[Any], name: str) -> sa.Label[Any]:
    return expression.over(partition_by=Interaction.customer_id).label(name)


def _aggregates() -> list[sa.Label[Any]]:
    recent = sa.bindparam("recent", type_=sa.Float)
    prior = sa.bindparam("prior", type_=sa.Float)
    in_prior = sa.and_(Interaction.offered_at >= prior, Interaction.offered_at < recent)
    return [
        _per_customer(sa.func.count(), "total"),
        _per_customer(sa.func.min(Interaction.offered_at), "first_at"),
        _per_customer(sa.func.max(Interaction.offered_at), "last_at"),
        _per_customer(_count_since(sa.bindparam("day", type_=sa.Float)), "c24h"),
        _per_customer(_count_since(sa.bindparam("week", type_=sa.Float)), "c7d"),
        _per_customer(_count_since(recent), "c_recent"),
        _per_customer(sa.func.sum(sa.case((in_prior, 1), else_=0)), "c_prior"),
        _per_customer(
            sa.func.avg(sa.case((Survey.at >= recent, Survey.score))), "sat_recent"
        ),
        _per_customer(
            sa.func.avg(sa.case((Survey.at < recent, Survey.score))), "sat_prior"
        ),
    ]


def _history_statement(matched: Matched) -> sa.Select[Any]:
    rank = sa.func.row_number().over(
        partition_by=Interaction.customer_id, order_by=Interaction.offered_at.desc()
    )
    inner = (
        sa.select(
            Interaction.call_id, Interaction.customer_id, Interaction.offered_at,
            Interaction.number, Interaction.queue, Interaction.agent_id,
            Interaction.outcome, Interaction.wait_seconds, Interaction.talk_seconds,
            Interaction.disposition, Survey.score, rank.label("rank"),
            *_aggregates(),
        )
        .outerjoin(Survey, Survey.call_id == Interaction.call_id)
        .where(
            Interaction.customer_id.in_(matched()),
            Interaction.offered_at <= sa.bindparam("now", type_=sa.Float),
        )
        .subquery()
    )  # fmt: skip
    return _first_shown(inner)


def _statements(matched: Matched, *, keyed: bool) -> PopStatements:
    return PopStatements(
        customers=_customers_statement(matched, keyed=keyed),
        complaints=_complaints_statement(matched),
        history=_history_statement(matched),
    )


BY_NUMBER = _statements(_by_number, keyed=False)
"""The statements of a pop by caller number."""
BY_REFERENCE = _statements(_by_reference, keyed=True)
"""The statements of a pop by booking reference (falling back to the number)."""
BY_ACCOUNT = _statements(_by_account, keyed=False)
"""The statements of a pop by account number (falling back to the number)."""
