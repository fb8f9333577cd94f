"""Seeded bookings: the fixtures' fixed references, and 1.5 per generated customer."""

import datetime as dt
import random
from typing import Any

import sqlalchemy as sa

from crm_link.bookings import reference_digits, today_of
from crm_link.db import make_engine
from crm_link.enums import BookingKind, BookingStatus
from crm_link.models import Booking, Customer
from crm_link.seed import SeedPlan, seed, seed_demo
from crm_link.seed_bookings import FIXTURE_BOOKINGS, booking_rows, generated_reference
from tests.crm_link.conftest import NOW

TODAY = today_of(NOW)


async def bookings_of(url: str) -> list[sa.Row[*tuple[Any, ...]]]:
    engine = make_engine(url)
    query = sa.select(
        Booking.reference, Booking.reference_digits, Customer.name, Booking.status,
        Booking.customer_id,
    ).join(Customer, Customer.id == Booking.customer_id)  # fmt: skip
    async with engine.connect() as connection:
        rows = list(await connection.execute(query))
    await engine.dispose()
    return rows


async def test_the_demo_has_its_fixtures_bookings_and_generated_ones(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    summary = await seed_demo(engine, now=NOW)
    await engine.dispose()
    rows = await bookings_of(db_url)
    assert summary.bookings == len(rows)
    named = {row.reference: (row.name, row.status) for row in rows}
    assert named["H-1234-5678"] == ("王芳", "confirmed")
    assert named["H-1208-0105"] == ("李强", "confirmed")
    assert named["T-4420-7946"] == ("John Smith", "cancelled")
    fixtures = sum(len(b) for b in FIXTURE_BOOKINGS.values())
    generated = len(rows) - fixtures
    assert 1.2 * 193 < generated < 1.8 * 193
    assert all(row.reference_digits == reference_digits(row.reference) for row in rows)


async def test_seeding_again_adds_bookings_with_new_references(db_url: str) -> None:
    engine = make_engine(db_url)
    await seed(engine, SeedPlan(customers=300, complaints=0, batch=100), now=NOW)
    await seed(engine, SeedPlan(customers=300, complaints=0, seed=8), now=NOW)
    await engine.dispose()
    rows = await bookings_of(db_url)
    assert len({row.reference_digits for row in rows}) == len(rows)
    customers = {row.customer_id for row in rows}
    assert max(customers) > 300  # the second run's customers


def test_generated_references_are_unique_and_never_a_fixtures() -> None:
    fixtures = {reference_digits(b.reference) for v in FIXTURE_BOOKINGS.values()
                for b in v}  # fmt: skip
    digits = {generated_reference(n, BookingKind.TRIP)[1] for n in range(1, 200_001)}
    assert len(digits) == 200_000
    assert all(len(d) == 8 and d >= "50000000" for d in digits)
    assert not digits & fixtures
    assert generated_reference(7, BookingKind.HOTEL_STAY)[0].startswith("H-")


def test_generated_bookings_have_dates_that_fit_their_status() -> None:
    rows = list(
        booking_rows(random.Random(3), first_id=1, customer_ids=range(1, 10_001),
                     per_customer=1.5, now=NOW)
    )  # fmt: skip
    assert 14_000 < len(rows) < 16_000
    assert [row["id"] for row in rows] == list(range(1, len(rows) + 1))
    for row in rows:
        starts, ends = row["starts_on"], row["ends_on"]
        assert isinstance(starts, dt.date)
        assert starts <= ends
        status = BookingStatus(row["status"])
        if ends < TODAY:
            assert status in {BookingStatus.COMPLETED, BookingStatus.CANCELLED}
        elif starts <= TODAY:
            assert status is BookingStatus.CONFIRMED  # staying now
        else:
            assert status is not BookingStatus.COMPLETED
    statuses = {row["status"] for row in rows}
    assert statuses == {s.value for s in BookingStatus}
