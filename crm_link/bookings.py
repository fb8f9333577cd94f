"""Bookings: what a caller keys to be recognised, and how a booking is stored.

A booking reference is printed for people (``H-1234-5678``) and keyed on a phone
keypad, which has digits only, so a booking is found by the *digits* of its
reference (``12345678``): ``reference_digits`` drops everything else (spaces,
dashes, letters of a prefix) and turns full-width digits into ASCII ones. Those
digits are unique among bookings, so a keyed reference names at most one booking.

A reference identifies a caller; it does not prove who they are (references are
printed on confirmations, and anyone holding one can key it). The agent sees which
booking identified the caller in the screen pop.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.domain.ids import CustomerId
from crm_link.dto import BookingSummary
from crm_link.enums import BookingKind, BookingStatus
from crm_link.errors import InvalidBookingError
from crm_link.models import Booking

_NOT_A_DIGIT = re.compile(r"[^0-9]")


def reference_digits(reference: str) -> str:
    """Return the digits of ``reference`` in order (``""`` when it has none).

    >>> reference_digits("H-1234 5678")
    '12345678'
    """
    return _NOT_A_DIGIT.sub("", unicodedata.normalize("NFKC", reference))


def today_of(now: float) -> dt.date:
    """Return the calendar day (UTC) that ``now`` falls on."""
    return dt.datetime.fromtimestamp(now, dt.UTC).date()


@dataclass(frozen=True, slots=True, kw_only=True)
class NewBooking:
    """A booking to store (``CrmService.add_booking``)."""

    customer_id: CustomerId
    reference: str
    kind: BookingKind
    starts_on: dt.date
    ends_on: dt.date
    place: str = ""
    status: BookingStatus = BookingStatus.CONFIRMED


async def insert_booking(
    session: AsyncSession, booking: NewBooking, *, customer_key: int, now: float
) -> BookingSummary:
    """Store ``booking`` of the customer row ``customer_key`` (the caller commits).

    Raises:
        InvalidBookingError: the reference has no digits, another booking has the
            same digits, or the booking ends before it starts.
    """
    digits = reference_digits(booking.reference)
    if not digits:
        msg = f"booking reference {booking.reference!r} has no digits to key"
        raise InvalidBookingError(msg)
    if booking.ends_on < booking.starts_on:
        msg = f"booking {booking.reference!r} ends before it starts"
        raise InvalidBookingError(msg)
    taken = await session.scalar(
        sa.select(Booking.reference).where(Booking.reference_digits == digits)
    )
    if taken is not None:
        msg = f"booking {taken!r} already has the reference digits {digits}"
        raise InvalidBookingError(msg)
    row = Booking(
        reference=booking.reference.strip(), reference_digits=digits,
        customer_id=customer_key, kind=booking.kind, status=booking.status,
        starts_on=booking.starts_on, ends_on=booking.ends_on, place=booking.place,
        created_at=now,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return BookingSummary(
        booking_id=row.id, customer_id=CustomerId(str(row.customer_id)),
        reference=row.reference, kind=row.kind, status=row.status,
        starts_on=row.starts_on, ends_on=row.ends_on, place=row.place,
    )  # fmt: skip


BOOKING_COLUMNS = ("id", "customer_id", "reference", "kind", "status", "starts_on",
                   "ends_on", "place")  # fmt: skip
"""The columns a ``BookingSummary`` is read from (``prefix`` + name in a row)."""


def labelled(source: Any, prefix: str) -> list[sa.Label[Any]]:
    """Return ``source``'s booking columns labelled ``prefix`` + name."""
    return [getattr(source, name).label(prefix + name) for name in BOOKING_COLUMNS]


def summary_of(row: sa.Row[Any], prefix: str) -> BookingSummary | None:
    """Return the booking in ``row``'s ``prefix`` columns (None when they are NULL)."""
    values = row._mapping  # noqa: SLF001  (the documented way to read by name)
    booking_id = values[prefix + "id"]
    if booking_id is None:
        return None
    return BookingSummary(
        booking_id=booking_id,
        customer_id=CustomerId(str(values[prefix + "customer_id"])),
        reference=values[prefix + "reference"],
        kind=values[prefix + "kind"],
        status=values[prefix + "status"],
        starts_on=values[prefix + "starts_on"],
        ends_on=values[prefix + "ends_on"],
        place=values[prefix + "place"],
    )
