"""Deterministic demo bookings: the named fixtures' and generated ones.

The fixtures' bookings have fixed references that docs and tests use (their digits
start with 1 to 4). Generated bookings get references whose digits are an affine
map of the booking id into 50000000-99999999: unique by construction (for fewer
than 50 million bookings), never a fixture's, and scattered like real references
rather than counting up, so that one reference does not tell the next. Dates are
drawn around ``now`` (mostly past stays and trips, some current, some ahead), and
the status follows them: past bookings are completed (or were cancelled), current
ones confirmed, future ones mostly confirmed.
"""

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from crm_link.bookings import reference_digits, today_of
from crm_link.config import DAY
from crm_link.enums import BookingKind, BookingStatus

Row = dict[str, Any]

_FIRST_GENERATED = 50_000_000
_GENERATED_SPAN = 50_000_000
_SCRAMBLE = 48_271  # coprime to the span: the map is one-to-one
_PREFIX = {
    BookingKind.HOTEL_STAY: "H",
    BookingKind.TRIP: "T",
    BookingKind.FLIGHT: "F",
    BookingKind.TRANSFER: "X",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoBooking:
    """A fixture's booking: ``starts``/``ends`` are days from today."""

    reference: str
    kind: BookingKind
    status: BookingStatus
    starts: int
    ends: int
    place: str


FIXTURE_BOOKINGS: dict[str, tuple[DemoBooking, ...]] = {
    "vip": (
        DemoBooking(reference="H-1234-5678", kind=BookingKind.HOTEL_STAY,
                    status=BookingStatus.CONFIRMED, starts=10, ends=13,
                    place="锦江饭店 · 上海 (Jin Jiang Hotel, Shanghai)"),
        DemoBooking(reference="H-2025-0611", kind=BookingKind.HOTEL_STAY,
                    status=BookingStatus.COMPLETED, starts=-200, ends=-197,
                    place="和平饭店 · 上海 (Fairmont Peace Hotel, Shanghai)"),
    ),
    "key_account": (
        DemoBooking(reference="T-3900-1390", kind=BookingKind.TRIP,
                    status=BookingStatus.CONFIRMED, starts=-2, ends=3,
                    place="Frankfurt · Messe (trade fair, 3 travellers)"),
        DemoBooking(reference="F-3900-2155", kind=BookingKind.FLIGHT,
                    status=BookingStatus.CONFIRMED, starts=20, ends=20,
                    place="PVG → FRA, LH 729"),
    ),
    "urgent_complaint": (
        DemoBooking(reference="H-1208-0105", kind=BookingKind.HOTEL_STAY,
                    status=BookingStatus.CONFIRMED, starts=-2, ends=2,
                    place="锦江饭店 · 上海, room 1208"),
    ),
    "shared_a": (
        DemoBooking(reference="T-3600-1360", kind=BookingKind.TRIP,
                    status=BookingStatus.CONFIRMED, starts=30, ends=35,
                    place="桂林 · 阳朔 5日游 (Guilin and Yangshuo, 5 days)"),
    ),
    "english": (
        DemoBooking(reference="T-4420-7946", kind=BookingKind.TRIP,
                    status=BookingStatus.CANCELLED, starts=15, ends=22,
                    place="Tokyo and Kyoto, 7 days"),
        DemoBooking(reference="H-4420-7947", kind=BookingKind.HOTEL_STAY,
                    status=BookingStatus.PENDING, starts=40, ends=42,
                    place="The Peninsula · Hong Kong"),
    ),
    "recent_complaint": (
        DemoBooking(reference="H-3500-1350", kind=BookingKind.HOTEL_STAY,
                    status=BookingStatus.COMPLETED, starts=-12, ends=-10,
                    place="三亚 · 海景房 (sea-view room, Sanya)"),
    ),
}  # fmt: skip
"""Bookings of the named fixtures, by ``seed_data.Fixture.key``."""

_PLACES = {
    BookingKind.HOTEL_STAY: (
        "锦江饭店 · 上海", "和平饭店 · 上海", "北京饭店 · 北京", "白天鹅宾馆 · 广州",
        "西湖国宾馆 · 杭州", "三亚 · 海景房", "The Peninsula · Hong Kong",
        "Marina Bay Sands · Singapore",
    ),
    BookingKind.TRIP: (
        "桂林 · 阳朔 5日游", "西安 · 兵马俑 3日游", "云南 · 丽江大理 7日游",
        "Tokyo and Kyoto, 7 days", "Paris and Provence, 10 days", "Bali, 6 days",
    ),
    BookingKind.FLIGHT: (
        "PEK → SHA", "PVG → CAN", "PVG → NRT", "PEK → LHR", "CAN → SIN",
    ),
    BookingKind.TRANSFER: ("Airport → hotel", "Hotel → station", "Day car and driver"),
}  # fmt: skip
_KIND_TABLE = (  # a kind per percent: 55 % hotel stays, 25 % trips ...
    (BookingKind.HOTEL_STAY,) * 55 + (BookingKind.TRIP,) * 25
    + (BookingKind.FLIGHT,) * 15 + (BookingKind.TRANSFER,) * 5
)  # fmt: skip
_LENGTH = {  # (shortest, longest) in days
    BookingKind.HOTEL_STAY: (1, 7),
    BookingKind.TRIP: (3, 14),
    BookingKind.FLIGHT: (0, 0),
    BookingKind.TRANSFER: (0, 0),
}
_FIRST_DAY, _LAST_DAY = -720, 180  # bookings start within these days from today


def fixture_rows(
    bookings: tuple[DemoBooking, ...], *, first_id: int, customer_id: int, now: float
) -> list[Row]:
    """Return the rows of a fixture's bookings."""
    today = today_of(now)
    return [
        {
            "id": first_id + n, "reference": b.reference,
            "reference_digits": reference_digits(b.reference),
            "customer_id": customer_id, "kind": b.kind.value,
            "status": b.status.value,
            "starts_on": today + dt.timedelta(days=b.starts),
            "ends_on": today + dt.timedelta(days=b.ends), "place": b.place,
            "created_at": now + (min(b.starts, 0) - 30) * DAY,
        }
        for n, b in enumerate(bookings)
    ]  # fmt: skip


def generated_reference(booking_id: int, kind: BookingKind) -> tuple[str, str]:
    """Return the printed reference and its digits for a generated booking."""
    scrambled = (booking_id * _SCRAMBLE) % _GENERATED_SPAN
    digits = str(_FIRST_GENERATED + scrambled)
    return f"{_PREFIX[kind]}-{digits[:4]}-{digits[4:]}", digits


def booking_rows(
    rng: random.Random,
    *,
    first_id: int,
    customer_ids: range,
    per_customer: float,
    now: float,
) -> Iterator[Row]:
    """Yield random bookings: each customer gets 0 to 4, ``per_customer`` on average.

    Written for speed (a million customers get one and a half million bookings):
    every draw is one ``rng.random()`` scaled by hand, the count of a customer's
    bookings a binomial(4, per_customer / 4) read from its cumulative table.
    """
    today = today_of(now).toordinal()
    cumulative = _binomial_table(per_customer / 4)
    booking_id = first_id
    for customer_id in customer_ids:
        draw = rng.random()
        for _ in range(sum(draw >= bound for bound in cumulative)):
            yield _booking(rng, booking_id, customer_id, today, now)
            booking_id += 1


def _binomial_table(chance: float) -> tuple[float, ...]:
    """Return P(count <= k) for k = 0..3 of a binomial(4, chance)."""
    total, bounds = 0.0, []
    for k in range(4):
        total += math.comb(4, k) * chance**k * (1 - chance) ** (4 - k)
        bounds.append(total)
    return tuple(bounds)


def _booking(
    rng: random.Random, booking_id: int, customer_id: int, today: int, now: float
) -> Row:
    draw = rng.random
    kind = _KIND_TABLE[int(draw() * 100)]
    shortest, longest = _LENGTH[kind]
    starts = _FIRST_DAY + int(draw() * (_LAST_DAY - _FIRST_DAY + 1))
    ends = starts + shortest + int(draw() * (longest - shortest + 1))
    reference, digits = generated_reference(booking_id, kind)
    places = _PLACES[kind]
    return {
        "id": booking_id, "reference": reference, "reference_digits": digits,
        "customer_id": customer_id, "kind": kind.value,
        "status": _status(draw(), starts, ends).value,
        "starts_on": dt.date.fromordinal(today + starts),
        "ends_on": dt.date.fromordinal(today + ends),
        "place": places[int(draw() * len(places))],
        "created_at": now + (min(starts, 0) - 1 - draw() * 89) * DAY,
    }  # fmt: skip


def _status(draw: float, starts: int, ends: int) -> BookingStatus:
    if ends < 0:
        return BookingStatus.CANCELLED if draw < 0.1 else BookingStatus.COMPLETED  # noqa: PLR2004
    if starts <= 0:
        return BookingStatus.CONFIRMED
    if draw < 0.08:  # noqa: PLR2004
        return BookingStatus.CANCELLED
    return BookingStatus.PENDING if draw < 0.15 else BookingStatus.CONFIRMED  # noqa: PLR2004
