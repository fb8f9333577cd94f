"""The screen-pop query: everything about a caller id in at most three statements.

1. customers sharing the number, with all their phones and account manager;
2. their complaints, open first (urgent first) then most recent, with the date of
   the latest complaint as a window aggregate;
3. their last calls with the survey score of each, with call counts and score means
   over the fact windows as window aggregates.

An unknown number costs one statement. The aggregates feed ``crm_link.facts`` so the
facts have one definition.

Speed (the pop is on the call path): the statements are Core selects of plain
columns, built once at import with every size as a bind parameter, so SQLAlchemy
compiles each once per dialect and then only looks it up. Statements 2 and 3 find
the customers by the number again (an index lookup) instead of taking an ``IN``
list of ids, which SQLAlchemy would have to re-render for each list length. Rows
are turned straight into ``crm_link.dto`` records: no ORM session, no entities. The
lookup is synchronous so that ``crm_link.reader`` can run it whole on a reader
thread (SQLite) or inside one async connection (PostgreSQL).
"""

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from callcenter.domain.ids import AgentId, CallId, CustomerId, QueueName
from crm_link import facts
from crm_link.config import CrmConfig
from crm_link.dto import (
    ComplaintSummary,
    CustomerCard,
    InteractionSummary,
    PopStatus,
    RoutingFacts,
    ScreenPop,
)
from crm_link.enums import ComplaintState, Severity
from crm_link.models import Agent, Complaint, Customer, Interaction, PhoneNumber
from crm_link.models import SurveyResponse as Survey
from crm_link.workflow import is_overdue


def screen_pop(
    connection: sa.Connection,
    *,
    number: str,
    e164: str,
    now: float,
    config: CrmConfig,
    rules: facts.FactRules,
) -> ScreenPop:
    """Return the screen-pop record of ``e164`` read on ``connection``."""
    customers = _customers(connection, e164, config.max_matches)
    if not customers:
        return unknown_caller(number, e164, now)
    complaints = _complaints(connection, e164, now, config)
    histories = _histories(connection, e164, now, config, rules)
    cards = tuple(
        _card(
            customer,
            complaints.get(customer_id, _EMPTY_COMPLAINTS),
            histories.get(customer_id, _EMPTY_HISTORY),
            now,
            rules,
        )
        for customer_id, customer in customers.items()
    )
    status = PopStatus.KNOWN if len(cards) == 1 else PopStatus.AMBIGUOUS
    return ScreenPop(
        number=number, e164=e164, status=status, matches=cards, looked_up_at=now
    )


def unknown_caller(number: str, e164: str | None, now: float) -> ScreenPop:
    """Return the record of a caller nobody knows (or who withheld the number)."""
    return ScreenPop(
        number=number, e164=e164, status=PopStatus.UNKNOWN, matches=(),
        looked_up_at=now,
    )  # fmt: skip


@dataclass(slots=True, kw_only=True)
class _CustomerRow:
    row: sa.Row[Any]
    phones: list[str]


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


def _matched_ids() -> sa.Select[int]:
    """Customers owning ``:e164``, lowest id first, at most ``:matches``."""
    return (
        sa.select(PhoneNumber.customer_id)
        .where(PhoneNumber.e164 == sa.bindparam("e164", type_=sa.String))
        .order_by(PhoneNumber.customer_id)
        .limit(sa.bindparam("matches", type_=sa.Integer))
    )


def _customers_statement() -> sa.Select[*tuple[Any, ...]]:
    matched = _matched_ids().subquery()
    other = aliased(PhoneNumber)
    return (
        sa.select(
            Customer.id, Customer.name, Customer.email, Customer.language,
            Customer.tier, Customer.value_class, Customer.loyalty_stage,
            Customer.lifecycle_stage, Customer.account_manager_id, Customer.notes,
            Agent.name.label("manager_name"), other.e164.label("phone"),
        )
        .join(matched, matched.c.customer_id == Customer.id)
        .join(other, other.customer_id == Customer.id)
        .outerjoin(Agent, Agent.id == Customer.account_manager_id)
        .order_by(Customer.id, other.id)
    )  # fmt: skip


_CUSTOMERS = _customers_statement()


def _customers(
    connection: sa.Connection, e164: str, limit: int
) -> dict[int, _CustomerRow]:
    result = connection.execute(_CUSTOMERS, {"e164": e164, "matches": limit})
    found: dict[int, _CustomerRow] = {}
    for row in result:
        seen = found.get(row.id)
        if seen is None:
            found[row.id] = _CustomerRow(row=row, phones=[row.phone])
        else:
            seen.phones.append(row.phone)
    return found


def _first_shown(ranked: sa.Subquery) -> sa.Select[Any]:
    """Return each customer's rows ranked within ``shown``, customer by customer."""
    return (
        sa.select(ranked)
        .where(ranked.c.rank <= sa.bindparam("shown", type_=sa.Integer))
        .order_by(ranked.c.customer_id, ranked.c.rank)
    )


def _complaints_statement() -> sa.Select[Any]:
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
        .where(Complaint.customer_id.in_(_matched_ids().scalar_subquery()))
        .subquery()
    )  # fmt: skip
    return _first_shown(inner)


_COMPLAINTS = _complaints_statement()


def _complaints(
    connection: sa.Connection, e164: str, now: float, config: CrmConfig
) -> dict[int, _Complaints]:
    result = connection.execute(
        _COMPLAINTS,
        {"e164": e164, "matches": config.max_matches, "shown": config.complaints_shown},
    )
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


def _history_statement() -> sa.Select[Any]:
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
            Interaction.customer_id.in_(_matched_ids().scalar_subquery()),
            Interaction.offered_at <= sa.bindparam("now", type_=sa.Float),
        )
        .subquery()
    )  # fmt: skip
    return _first_shown(inner)


_HISTORY = _history_statement()


def _histories(
    connection: sa.Connection,
    e164: str,
    now: float,
    config: CrmConfig,
    rules: facts.FactRules,
) -> dict[int, _History]:
    recent = now - rules.trend_window
    params = {
        "e164": e164, "matches": config.max_matches,
        "shown": config.last_interactions, "now": now, "recent": recent,
        "prior": recent - rules.trend_window, "day": now - rules.repeat_window,
        "week": now - rules.week_window,
    }  # fmt: skip
    found: dict[int, _History] = {}
    for row in connection.execute(_HISTORY, params):
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
        facts=routing,
        contact_stage=facts.contact_stage(history.stats, now, rules),
        satisfaction_trend=facts.satisfaction_trend(history.satisfaction, rules),
        calls_last_24h=history.stats.calls_24h,
        calls_last_7d=history.stats.calls_7d,
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
