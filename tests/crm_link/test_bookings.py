"""Bookings are found by the digits of their reference, which are unique."""

import datetime as dt

import pytest

from callcenter.domain.ids import CustomerId
from crm_link.bookings import NewBooking, reference_digits, today_of
from crm_link.dto import IdentifiedBy
from crm_link.enums import BookingKind, BookingStatus
from crm_link.errors import InvalidBookingError, NotFoundError
from crm_link.service import CrmService
from tests.crm_link.conftest import NOW

TODAY = dt.date(2026, 1, 5)  # the day of NOW
FULL_WIDTH = "".join(chr(0xFF10 + int(d)) for d in "12345678")  # typed in Chinese


@pytest.mark.parametrize(
    ("printed", "keyed"),
    [
        ("H-1234-5678", "12345678"),
        ("1234 5678", "12345678"),
        (" 12.34/56-78 ", "12345678"),
        (FULL_WIDTH, "12345678"),
        ("Hotel", ""),
    ],
)
def test_a_reference_is_keyed_as_its_digits(printed: str, keyed: str) -> None:
    assert reference_digits(printed) == keyed


def test_today_is_the_utc_calendar_day_of_now() -> None:
    assert today_of(NOW) == TODAY
    assert today_of(NOW + 15 * 3600 + 59 * 60) == TODAY  # 23:59 UTC
    assert today_of(NOW + 16 * 3600) == TODAY + dt.timedelta(days=1)


def stay(customer_id: CustomerId, reference: str = "H-7000-0001") -> NewBooking:
    return NewBooking(
        customer_id=customer_id,
        reference=reference,
        kind=BookingKind.HOTEL_STAY,
        starts_on=TODAY + dt.timedelta(days=3),
        ends_on=TODAY + dt.timedelta(days=5),
        place="锦江饭店 · 上海",
    )


async def test_a_stored_booking_names_its_customer(crm: CrmService) -> None:
    guest = await crm.create_customer_from_number("+8613312345678", NOW)
    stored = await crm.add_booking(stay(guest.customer_id), NOW)
    assert (stored.customer_id, stored.reference) == (guest.customer_id, "H-7000-0001")
    assert stored.status is BookingStatus.CONFIRMED
    pop = await crm.screen_pop("", NOW, reference="70000001")
    assert pop.identified_by is IdentifiedBy.BOOKING
    assert pop.booking == stored
    assert pop.matches[0].bookings == (stored,)


async def test_references_must_differ_in_their_digits(crm: CrmService) -> None:
    guest = await crm.create_customer_from_number("+8613312345678", NOW)
    await crm.add_booking(stay(guest.customer_id, "H-7000-0001"), NOW)
    with pytest.raises(InvalidBookingError, match="'H-7000-0001' already has"):
        await crm.add_booking(stay(guest.customer_id, "T 7000 0001"), NOW)
    with pytest.raises(InvalidBookingError, match="no digits"):
        await crm.add_booking(stay(guest.customer_id, "SUMMER"), NOW)


async def test_a_booking_cannot_end_before_it_starts(crm: CrmService) -> None:
    guest = await crm.create_customer_from_number("+8613312345678", NOW)
    backwards = NewBooking(
        customer_id=guest.customer_id, reference="H-7000-0002",
        kind=BookingKind.HOTEL_STAY, starts_on=TODAY, ends_on=TODAY - dt.timedelta(1),
    )  # fmt: skip
    with pytest.raises(InvalidBookingError, match="ends before it starts"):
        await crm.add_booking(backwards, NOW)


@pytest.mark.parametrize("customer", ["999999", "c-7"])
async def test_a_booking_needs_an_existing_customer(
    crm: CrmService, customer: str
) -> None:
    with pytest.raises(NotFoundError):
        await crm.add_booking(stay(CustomerId(customer)), NOW)
