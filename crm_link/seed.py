"""Seed a CRM database with realistic, deterministic demo data.

``seed_demo`` writes the small embedded data set (about 200 customers including the
named ``seed_data.FIXTURES``: a VIP on +8613800138000, a key account managed by agent
1001, a caller with an open urgent complaint, a shared household line, an English
guest; and their bookings, ``seed_bookings.FIXTURE_BOOKINGS``, such as the VIP's
hotel stay H-1234-5678). Generated customers have 1.5 bookings each on average;
key accounts have an account number (the fixture's 79927398713).
``seed`` scales to millions: rows are built as plain dicts and written with
Core ``executemany`` in batches (no ORM objects), one transaction per batch, with a
``progress(stage, done, total)`` callback for the CLI's progress bar.
"""

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crm_link import seed_bookings
from crm_link import seed_data as data
from crm_link.config import DAY, CrmConfig
from crm_link.models import (
    Agent,
    Booking,
    Complaint,
    ComplaintEvent,
    Customer,
    Interaction,
    PhoneNumber,
    SurveyResponse,
)

Progress = Callable[[str, int, int], None]
_T = TypeVar("_T")
_TABLES_WITH_SERIAL = ("customers", "phone_numbers", "complaints", "complaint_events",
                       "interactions", "survey_responses", "bookings")  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedPlan:
    """How much to generate; ``interactions=None`` means one per customer.

    ``bookings_per_customer`` is the mean number of bookings of a generated
    customer (each has 0 to 4, so at most 4).
    """

    customers: int = 193
    complaints: int = 40
    interactions: int | None = None
    bookings_per_customer: float = 1.5
    survey_share: float = 0.3
    fixtures: bool = True
    seed: int = 7
    batch: int = 10_000


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedSummary:
    """Rows written by one seeding run."""

    customers: int
    complaints: int
    interactions: int
    surveys: int
    bookings: int = 0


@dataclass(slots=True, kw_only=True)
class _Run:
    engine: AsyncEngine
    plan: SeedPlan
    now: float
    config: CrmConfig
    progress: Progress
    rng: random.Random
    pools: data.Pools
    numbers: dict[int, str]
    next_ids: dict[str, int]
    first_random: int = 1


async def seed_demo(
    engine: AsyncEngine, *, now: float, random_seed: int = 7
) -> SeedSummary:
    """Write the small demo data set (fixtures plus ~200 random customers)."""
    return await seed(engine, SeedPlan(seed=random_seed), now=now)


async def is_empty(engine: AsyncEngine) -> bool:
    """Return whether the database has no customer yet."""
    async with engine.connect() as connection:
        found = await connection.scalar(sa.select(Customer.id).limit(1))
    return found is None


async def seed(
    engine: AsyncEngine,
    plan: SeedPlan,
    *,
    now: float,
    config: CrmConfig | None = None,
    progress: Progress | None = None,
) -> SeedSummary:
    """Add ``plan`` worth of generated data to a migrated database."""
    run = _Run(
        engine=engine, plan=plan, now=now, config=config or CrmConfig(),
        progress=progress or _quiet, rng=random.Random(plan.seed),
        pools=data.Pools(plan.seed), numbers={}, next_ids=await _next_ids(engine),
    )  # fmt: skip
    await _agents(run)
    fixtures = plan.fixtures and await is_empty(engine)
    first_booking = run.next_ids["bookings"]
    if fixtures:
        await _fixtures(run)
    await _customers(run)
    await _bookings(run)
    complaints = await _complaints(run)
    interactions, surveys = await _interactions(run)
    await _sync_sequences(engine)
    total_customers = plan.customers + (len(data.FIXTURES) if fixtures else 0)
    return SeedSummary(
        customers=total_customers, complaints=complaints,
        interactions=interactions, surveys=surveys,
        bookings=run.next_ids["bookings"] - first_booking,
    )  # fmt: skip


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return


async def _next_ids(engine: AsyncEngine) -> dict[str, int]:
    tables = (Customer, Complaint, ComplaintEvent, Interaction, Booking)
    found: dict[str, int] = {}
    async with engine.connect() as connection:
        for model in tables:
            top = await connection.scalar(sa.select(sa.func.max(model.id)))
            found[model.__tablename__] = (top or 0) + 1
    return found


def _take(run: _Run, table: str, count: int = 1) -> int:
    first = run.next_ids[table]
    run.next_ids[table] = first + count
    return first


async def _insert(connection: AsyncConnection, model: Any, rows: list[Any]) -> None:
    if rows:
        await connection.execute(sa.insert(model), rows)


async def _agents(run: _Run) -> None:
    async with run.engine.begin() as connection:
        existing = set((await connection.scalars(sa.select(Agent.id))).all())
        rows = [
            {"id": aid, "name": name, "extension": ext, "skills": list(skills)}
            for aid, name, ext, skills in data.AGENTS
            if aid not in existing
        ]
        await _insert(connection, Agent, rows)


async def _fixtures(run: _Run) -> None:
    async with run.engine.begin() as connection:
        for fixture in data.FIXTURES:
            cid = _take(run, "customers")
            run.numbers[cid] = fixture.phones[0]
            await _insert(connection, Customer, [_fixture_row(fixture, cid, run.now)])
            await _insert(connection, PhoneNumber, [
                {"customer_id": cid, "e164": phone, "label": "mobile"}
                for phone in fixture.phones
            ])  # fmt: skip
            await _insert(connection, Booking, _fixture_bookings(run, fixture, cid))
            for spec in fixture.complaints:
                await _write_complaint(run, connection, spec, cid)
            calls = [_call(run, cid, ago, answered=True) for ago in fixture.calls_ago]
            await _insert(connection, Interaction, calls)


def _fixture_bookings(
    run: _Run, fixture: data.Fixture, cid: int
) -> list[dict[str, Any]]:
    demo = seed_bookings.FIXTURE_BOOKINGS.get(fixture.key, ())
    return seed_bookings.fixture_rows(
        demo, first_id=_take(run, "bookings", len(demo)), customer_id=cid, now=run.now
    )


def _fixture_row(fixture: data.Fixture, cid: int, now: float) -> dict[str, Any]:
    return {
        "id": cid, "name": fixture.name, "email": fixture.email,
        "language": fixture.language, "tier": fixture.tier.value,
        "value_class": fixture.value_class.value,
        "loyalty_stage": fixture.loyalty.value,
        "lifecycle_stage": fixture.lifecycle.value,
        "account_manager_id": fixture.account_manager, "notes": fixture.notes,
        "account_number": fixture.account_number, "created_at": now - 700 * DAY,
    }  # fmt: skip


def _call(run: _Run, cid: int, ago: float, *, answered: bool) -> dict[str, Any]:
    row = data.interaction_row(
        run.rng, row_id=_take(run, "interactions"), customer_id=cid,
        number=run.numbers.get(cid, ""), ago=ago, now=run.now,
    )  # fmt: skip
    if answered and row["outcome"] != "answered":
        row.update(outcome="answered", agent_id="1002", talk_seconds=120.0)
    return row


async def _write_complaint(
    run: _Run, connection: AsyncConnection, spec: dict[str, Any], cid: int
) -> None:
    row, events = data.complaint_rows(
        spec, complaint_id=_take(run, "complaints"), customer_id=cid, now=run.now,
        deadlines=run.config.deadlines,
        first_event_id=_take(run, "complaint_events", 7),
    )  # fmt: skip
    await _insert(connection, Complaint, [row])
    await _insert(connection, ComplaintEvent, events)


async def _customers(run: _Run) -> None:
    total = run.plan.customers
    first = _take(run, "customers", total)
    run.first_random = first
    rows = data.customer_rows(run.rng, run.pools, first, total, run.now)
    done = 0
    for chunk in _chunks(rows, run.plan.batch):
        customers = [customer for customer, _ in chunk]
        phones = [phone for _, numbers in chunk for phone in numbers]
        for phone in phones:
            run.numbers.setdefault(phone["customer_id"], phone["e164"])
        async with run.engine.begin() as connection:
            await _insert(connection, Customer, customers)
            await _insert(connection, PhoneNumber, phones)
        done += len(chunk)
        run.progress("customers", done, total)


async def _bookings(run: _Run) -> None:
    """Write the generated customers' bookings, a batch of customers at a time.

    Bookings draw from a random stream of their own, so that adding them left the
    customers, complaints and calls of a seed exactly as they were.
    """
    rng = random.Random(f"bookings-{run.plan.seed}")
    total = run.plan.customers
    done = 0
    while done < total:
        size = min(run.plan.batch, total - done)
        first = run.first_random + done
        rows = list(seed_bookings.booking_rows(
            rng, first_id=run.next_ids["bookings"],
            customer_ids=range(first, first + size),
            per_customer=run.plan.bookings_per_customer, now=run.now,
        ))  # fmt: skip
        _take(run, "bookings", len(rows))
        async with run.engine.begin() as connection:
            await _insert(connection, Booking, rows)
        done += size
        run.progress("bookings", done, total)


def _chunks(items: Iterable[_T], size: int) -> Iterable[list[_T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


async def _complaints(run: _Run) -> int:
    total = run.plan.complaints
    top = run.next_ids["customers"] - 1
    done = 0
    while done < total:
        size = min(run.plan.batch, total - done)
        complaints: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for _ in range(size):
            spec = data.random_complaint(run.rng, run.pools)
            row, trail = data.complaint_rows(
                spec, complaint_id=_take(run, "complaints"),
                customer_id=run.rng.randint(run.first_random, top), now=run.now,
                deadlines=run.config.deadlines,
                first_event_id=_take(run, "complaint_events", 7),
            )  # fmt: skip
            complaints.append(row)
            events.extend(trail)
        async with run.engine.begin() as connection:
            await _insert(connection, Complaint, complaints)
            await _insert(connection, ComplaintEvent, events)
        done += size
        run.progress("complaints", done, total)
    return total


async def _interactions(run: _Run) -> tuple[int, int]:
    total = run.plan.interactions
    if total is None:
        total = run.plan.customers
    top = run.next_ids["customers"] - 1
    done = surveys = 0
    while done < total:
        size = min(run.plan.batch, total - done)
        calls = [
            _call(
                run,
                run.rng.randint(run.first_random, top),
                _ago(run.rng),
                answered=False,
            )
            for _ in range(size)
        ]
        scores = [_survey(run.rng, call) for call in calls if _surveyed(run, call)]
        async with run.engine.begin() as connection:
            await _insert(connection, Interaction, calls)
            await _insert(connection, SurveyResponse, scores)
        done += size
        surveys += len(scores)
        run.progress("interactions", done, total)
    return total, surveys


def _ago(rng: random.Random) -> float:
    return min(rng.expovariate(1 / (60 * DAY)), 700 * DAY)


def _surveyed(run: _Run, call: dict[str, Any]) -> bool:
    return call["outcome"] == "answered" and run.rng.random() < run.plan.survey_share


def _survey(rng: random.Random, call: dict[str, Any]) -> dict[str, Any]:
    return {
        "call_id": call["call_id"], "customer_id": call["customer_id"],
        "agent_id": call["agent_id"],
        "score": rng.choices((1, 2, 3, 4, 5), weights=(5, 5, 15, 35, 40))[0],
        "comment": "", "at": call["offered_at"] + call["talk_seconds"] + 60,
    }  # fmt: skip


async def _sync_sequences(engine: AsyncEngine) -> None:
    """Move PostgreSQL serials past the explicit ids the seed wrote."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.begin() as connection:
        for table in _TABLES_WITH_SERIAL:
            await connection.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
            ))  # fmt: skip
