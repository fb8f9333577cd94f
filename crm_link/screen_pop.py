"""The screen-pop query: everything about a caller id in at most three statements.

1. customers sharing the number, with all their phones and account manager;
2. their complaints, open first (urgent first) then most recent, with the date of
   the latest complaint as a window aggregate;
3. their last calls with the survey score of each, with call counts and score means
   over the fact windows as window aggregates.

An unknown number costs one statement. The aggregates feed ``crm_link.facts`` so the
facts have one definition. Rows are turned into ``crm_link.dto`` records here.
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
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
from crm_link.enums import (
    ComplaintState,
    Severity,
)
from crm_link.models import Agent, Complaint, Customer, Interaction, PhoneNumber
from crm_link.models import SurveyResponse as Survey
from crm_link.workflow import is_overdue


async def screen_pop(
    session: AsyncSession,
    *,
    number: str,
    e164: str | None,
    now: float,
    config: CrmConfig,
    rules: facts.FactRules,
) -> ScreenPop:
    """Return the screen-pop record of ``e164`` (``None``: unusable caller id)."""
    customers = await _customers(session, e164, config.max_matches) if e164 else []
    if not customers:
        return ScreenPop(
            number=number, e164=e164, status=PopStatus.UNKNOWN, matches=(),
            looked_up_at=now,
        )  # fmt: skip
    ids = [customer.id for customer in customers]
    complaints = await _complaints(session, ids, now, config.complaints_shown)
    histories = await _histories(session, ids, now, config.last_interactions, rules)
    cards = tuple(
        _card(
            customer,
            complaints.get(customer.id, _Complaints()),
            histories.get(customer.id, _History()),
            now,
            rules,
        )
        for customer in customers
    )
    status = PopStatus.KNOWN if len(cards) == 1 else PopStatus.AMBIGUOUS
    return ScreenPop(
        number=number, e164=e164, status=status, matches=cards, looked_up_at=now
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _CustomerRow:
    id: int
    customer: Customer
    manager_name: str
    phones: tuple[str, ...]


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


@functools.cache
def _customers_statement(limit: int) -> sa.Select[Customer, str, str]:
    matched = (
        sa.select(PhoneNumber.customer_id)
        .where(PhoneNumber.e164 == sa.bindparam("e164"))
        .order_by(PhoneNumber.customer_id)
        .limit(limit)
        .subquery()
    )
    other = aliased(PhoneNumber)
    return (
        sa.select(Customer, Agent.name, other.e164)
        .join(matched, matched.c.customer_id == Customer.id)
        .join(other, other.customer_id == Customer.id)
        .outerjoin(Agent, Agent.id == Customer.account_manager_id)
        .order_by(Customer.id, other.id)
    )


async def _customers(
    session: AsyncSession, e164: str, limit: int
) -> list[_CustomerRow]:
    result = await session.execute(_customers_statement(limit), {"e164": e164})
    found: dict[int, _CustomerRow] = {}
    for customer, manager_name, phone in result.all():
        seen = found.get(customer.id)
        phones = (*seen.phones, phone) if seen else (phone,)
        found[customer.id] = _CustomerRow(
            id=customer.id,
            customer=customer,
            manager_name=manager_name or "",
            phones=phones,
        )
    return list(found.values())


@functools.cache
def _complaints_statement(shown: int) -> sa.Select[Any]:
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
        .where(Complaint.customer_id.in_(sa.bindparam("ids", expanding=True)))
        .subquery()
    )  # fmt: skip
    return (
        sa.select(inner)
        .where(inner.c.rank <= shown)
        .order_by(inner.c.customer_id, inner.c.rank)
    )


async def _complaints(
    session: AsyncSession, ids: Sequence[int], now: float, shown: int
) -> dict[int, _Complaints]:
    result = await session.execute(_complaints_statement(shown), {"ids": list(ids)})
    found: dict[int, _Complaints] = {}
    for row in result.all():
        entry = found.setdefault(row.customer_id, _Complaints())
        entry.shown.append(_complaint(row, now))
        entry.latest_opened_at = row.latest
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


@functools.cache
def _history_statement(shown: int) -> sa.Select[Any]:
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
            Interaction.customer_id.in_(sa.bindparam("ids", expanding=True)),
            Interaction.offered_at <= sa.bindparam("now", type_=sa.Float),
        )
        .subquery()
    )  # fmt: skip
    return (
        sa.select(inner)
        .where(inner.c.rank <= shown)
        .order_by(inner.c.customer_id, inner.c.rank)
    )


async def _histories(
    session: AsyncSession,
    ids: Sequence[int],
    now: float,
    shown: int,
    rules: facts.FactRules,
) -> dict[int, _History]:
    recent = now - rules.trend_window
    params = {
        "ids": list(ids), "now": now, "recent": recent,
        "prior": recent - rules.trend_window, "day": now - rules.repeat_window,
        "week": now - rules.week_window,
    }  # fmt: skip
    result = await session.execute(_history_statement(shown), params)
    found: dict[int, _History] = {}
    for row in result.all():
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
    row: _CustomerRow,
    complaints: _Complaints,
    history: _History,
    now: float,
    rules: facts.FactRules,
) -> CustomerCard:
    customer = row.customer
    shown = tuple(complaints.shown)
    flags = facts.ComplaintFlags(
        open_complaint=any(c.state is not ComplaintState.CLOSED for c in shown),
        urgent_complaint=any(
            c.state is not ComplaintState.CLOSED and c.severity is Severity.URGENT
            for c in shown
        ),
        recent_complaint=facts.is_recent_complaint(
            complaints.latest_opened_at, now, rules
        ),
    )
    manager = (
        AgentId(customer.account_manager_id) if customer.account_manager_id else None
    )
    customer_id = CustomerId(str(customer.id))
    return CustomerCard(
        customer_id=customer_id,
        name=customer.name,
        phones=row.phones,
        email=customer.email,
        language=customer.language,
        tier=customer.tier,
        value_class=customer.value_class,
        loyalty_stage=customer.loyalty_stage,
        lifecycle_stage=customer.lifecycle_stage,
        account_manager=manager,
        account_manager_name=row.manager_name,
        notes=customer.notes,
        complaints=shown,
        interactions=tuple(history.shown),
        facts=RoutingFacts(
            customer_id=customer_id,
            tier=customer.tier,
            open_complaint=flags.open_complaint,
            urgent_complaint=flags.urgent_complaint,
            recent_complaint=flags.recent_complaint,
            repeat_caller=facts.is_repeat_caller(history.stats),
            account_manager=manager,
        ),
        contact_stage=facts.contact_stage(history.stats, now, rules),
        satisfaction_trend=facts.satisfaction_trend(history.satisfaction, rules),
        calls_last_24h=history.stats.calls_24h,
        calls_last_7d=history.stats.calls_7d,
    )
