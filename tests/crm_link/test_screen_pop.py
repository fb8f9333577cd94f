"""The screen pop: known, unknown and ambiguous callers in at most 3 statements.

A caller is found by their number, or by a booking reference they keyed (the demo
bookings are ``crm_link.seed_bookings.FIXTURE_BOOKINGS``).
"""

import datetime as dt
from collections.abc import AsyncIterator
from typing import TypeAlias

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from callcenter.domain.events import CallOutcome
from callcenter.domain.ids import CallId, CustomerId
from crm_link.bookings import NewBooking
from crm_link.config import DAY, HOUR
from crm_link.db import make_engine, make_session_factory
from crm_link.dto import IdentifiedBy, PopStatus, ScreenPop
from crm_link.enums import BookingKind, BookingStatus, ComplaintState, Severity, Tier
from crm_link.seed import seed_demo
from crm_link.service import CrmService
from tests.crm_link.conftest import NOW


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _conn: Connection, *_args: object) -> None:
        self.count += 1


Demo: TypeAlias = tuple[CrmService, StatementCounter]


@pytest.fixture
async def demo(db_url: str) -> AsyncIterator[Demo]:
    engine = make_engine(db_url)
    await seed_demo(engine, now=NOW)
    counter = StatementCounter()
    sa.event.listen(engine.sync_engine, "before_cursor_execute", counter)
    service = CrmService(make_session_factory(engine), engine=engine)
    yield service, counter
    await service.aclose()


async def _pop(
    demo: Demo, number: str, now: float = NOW, *, reference: str | None = None
) -> tuple[ScreenPop, int]:
    service, counter = demo
    counter.count = 0
    pop = await service.screen_pop(number, now, reference=reference)
    return pop, counter.count


async def test_a_vip_is_recognised_from_a_local_format_in_three_statements(
    demo: Demo,
) -> None:
    pop, statements = await _pop(demo, "138 0013 8000")
    assert statements <= 3
    assert pop.status is PopStatus.KNOWN
    assert pop.e164 == "+8613800138000"
    (card,) = pop.matches
    assert (card.name, card.tier) == ("王芳", Tier.VIP)
    assert pop.routing.tier is Tier.VIP
    assert [i.offered_at for i in card.interactions] == sorted(
        (i.offered_at for i in card.interactions), reverse=True
    )


async def test_a_key_account_names_its_account_manager(demo: Demo) -> None:
    pop, statements = await _pop(demo, "+86 21 5555 0100")
    assert statements <= 3
    (card,) = pop.matches
    assert card.tier is Tier.KEY
    assert card.account_manager == "1001"
    assert card.account_manager_name == "李娜"
    assert set(card.phones) == {"+8613900139000", "+862155550100"}
    assert pop.routing.account_manager == "1001"


async def test_an_open_urgent_complaint_comes_first_and_flags_routing(
    demo: Demo,
) -> None:
    pop, statements = await _pop(demo, "+8613700137000")
    assert statements <= 3
    (card,) = pop.matches
    first = card.complaints[0]
    assert (first.state, first.severity) == (ComplaintState.ANALYSING, Severity.URGENT)
    assert first.deadline_at == first.opened_at + 4 * HOUR
    facts = pop.routing
    assert facts.open_complaint
    assert facts.urgent_complaint
    assert facts.recent_complaint
    assert facts.customer_id == card.customer_id
    later, _ = await _pop(demo, "+8613700137000", now=NOW + 3 * HOUR)
    assert later.matches[0].complaints[0].overdue


async def test_a_recent_closed_complaint_and_repeat_calls(demo: Demo) -> None:
    pop, _ = await _pop(demo, "+8613500135000")
    facts = pop.routing
    assert facts.recent_complaint
    assert not facts.open_complaint
    assert facts.repeat_caller
    assert (pop.matches[0].calls_last_24h, pop.matches[0].calls_last_7d) == (2, 2)
    month_later, _ = await _pop(demo, "+8613500135000", now=NOW + 30 * DAY)
    assert not month_later.routing.recent_complaint
    assert not month_later.routing.repeat_caller


async def test_an_unknown_number_is_an_unknown_caller_in_one_statement(
    demo: Demo,
) -> None:
    pop, statements = await _pop(demo, "+86 131 1111 1111")
    assert statements == 1
    assert (pop.status, pop.matches) == (PopStatus.UNKNOWN, ())
    assert pop.routing.customer_id is None
    assert pop.routing.tier is Tier.ORDINARY


@pytest.mark.parametrize("number", ["", "anonymous", "unknown", "12"])
async def test_withheld_or_garbage_numbers_never_raise(demo: Demo, number: str) -> None:
    pop, statements = await _pop(demo, number)
    assert (pop.status, pop.e164, statements) == (PopStatus.UNKNOWN, None, 0)


async def test_a_shared_number_returns_every_match(demo: Demo) -> None:
    pop, statements = await _pop(demo, "0086 136 0013 6000")
    assert statements <= 3
    assert pop.status is PopStatus.AMBIGUOUS
    assert {card.name for card in pop.matches} == {"刘洋", "刘敏"}
    assert pop.routing.customer_id is None


async def test_an_international_caller(demo: Demo) -> None:
    pop, _ = await _pop(demo, "+44 20 7946 0958")
    assert pop.matches[0].language == "en"


async def test_the_pop_shows_the_last_calls_with_their_survey_score(demo: Demo) -> None:
    service, _ = demo
    ref = await service.create_customer_from_number("+8613312345678", NOW - 10 * DAY)
    for n in range(7):
        await service.record_call(
            call_id=CallId(f"c{n}"), outcome=CallOutcome.ANSWERED,
            caller_number="133 1234 5678", queue=None, agent_id=None,
            customer_id=CustomerId(ref.customer_id), offered_at=NOW - n * DAY,
            wait_seconds=1, talk_seconds=60, at=NOW - n * DAY + 70,
        )  # fmt: skip
    await service.record_survey(call_id=CallId("c0"), score=2, at=NOW)
    pop, statements = await _pop(demo, "+8613312345678", now=NOW + 60)
    assert statements <= 3
    (card,) = pop.matches
    assert [i.call_id for i in card.interactions] == ["c0", "c1", "c2", "c3", "c4"]
    assert card.interactions[0].satisfaction == 2
    assert card.interactions[1].satisfaction is None
    assert card.calls_last_7d == 7


STRANGER = "+86 131 1111 1111"
TODAY = dt.date(2026, 1, 5)  # the day of NOW


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


async def test_a_keyed_booking_reference_names_its_customer_from_any_number(
    demo: Demo,
) -> None:
    pop, statements = await _pop(demo, STRANGER, reference="12345678")
    assert statements <= 3
    assert (pop.status, pop.identified_by) == (PopStatus.KNOWN, IdentifiedBy.BOOKING)
    assert (pop.e164, pop.reference) == ("+8613111111111", "12345678")
    (card,) = pop.matches
    assert (card.name, pop.routing.tier) == ("王芳", Tier.VIP)
    booking = pop.booking
    assert booking is not None
    assert booking.customer_id == card.customer_id
    assert (booking.reference, booking.kind, booking.status) == (
        "H-1234-5678", BookingKind.HOTEL_STAY, BookingStatus.CONFIRMED,
    )  # fmt: skip
    assert (booking.starts_on, booking.ends_on) == (days(10), days(13))
    assert booking.place.startswith("锦江饭店")


async def test_a_booking_brings_the_same_facts_as_the_number(demo: Demo) -> None:
    by_booking, _ = await _pop(demo, STRANGER, reference="12080105")
    by_number, _ = await _pop(demo, "+8613700137000")
    assert by_booking.matches == by_number.matches  # the same card: 李强's
    assert by_booking.routing.urgent_complaint
    assert by_booking.routing == by_number.routing
    assert by_number.identified_by is IdentifiedBy.NUMBER
    assert (by_number.reference, by_number.booking) == (None, None)


@pytest.mark.parametrize(
    "keyed", ["12345678", "1234 5678", "H-1234-5678", "h1234.5678"]
)
async def test_only_the_digits_of_a_reference_count(demo: Demo, keyed: str) -> None:
    pop, _ = await _pop(demo, "", reference=keyed)
    assert pop.booking is not None
    assert pop.booking.reference == "H-1234-5678"


async def test_a_cancelled_booking_still_identifies_its_customer(demo: Demo) -> None:
    pop, _ = await _pop(demo, STRANGER, reference="T-4420-7946")
    assert pop.booking is not None
    assert pop.booking.status is BookingStatus.CANCELLED
    (card,) = pop.matches
    assert card.name == "John Smith"
    # the card lists what is still ahead: not the cancelled trip
    assert [b.reference for b in card.bookings] == ["H-4420-7947"]


async def test_a_reference_nobody_has_leaves_the_number_to_decide(demo: Demo) -> None:
    stranger, statements = await _pop(demo, STRANGER, reference="99999999")
    assert statements == 1
    assert (stranger.status, stranger.identified_by) == (PopStatus.UNKNOWN, None)
    assert (stranger.reference, stranger.booking) == ("99999999", None)
    vip, statements = await _pop(demo, "+8613800138000", reference="99999999")
    assert statements <= 3
    assert (vip.status, vip.identified_by) == (PopStatus.KNOWN, IdentifiedBy.NUMBER)
    assert (vip.matches[0].name, vip.booking) == ("王芳", None)


async def test_a_booking_tells_apart_the_people_of_a_shared_line(demo: Demo) -> None:
    pop, _ = await _pop(demo, "+8613600136000", reference="36001360")
    assert pop.status is PopStatus.KNOWN
    assert [card.name for card in pop.matches] == ["刘洋"]


@pytest.mark.parametrize("number", ["", "anonymous"])
async def test_a_withheld_number_with_a_reference(demo: Demo, number: str) -> None:
    pop, statements = await _pop(demo, number, reference="39001390")
    assert (statements <= 3, pop.e164) == (True, None)
    assert pop.matches[0].name == "张伟 (锦江商旅)"
    assert pop.routing.account_manager == "1001"
    nothing, statements = await _pop(demo, number, reference="no digits")
    assert (nothing.status, nothing.reference, statements) == (
        PopStatus.UNKNOWN, None, 0,
    )  # fmt: skip


async def test_the_card_shows_the_bookings_ahead_nearest_first(demo: Demo) -> None:
    service, _ = demo
    guest = await service.create_customer_from_number("+8613312345678", NOW)
    plan = [  # (reference, status, starts, ends)
        ("H-7100-0001", BookingStatus.COMPLETED, -30, -28),
        ("H-7100-0002", BookingStatus.CONFIRMED, 40, 42),
        ("H-7100-0003", BookingStatus.CANCELLED, 2, 4),
        ("H-7100-0004", BookingStatus.CONFIRMED, -1, 1),  # staying now
        ("H-7100-0005", BookingStatus.PENDING, 9, 10),
        ("H-7100-0006", BookingStatus.CONFIRMED, 20, 25),
        ("H-7100-0007", BookingStatus.CONFIRMED, -3, 0),  # leaves today
    ]
    for reference, status, starts, ends in plan:
        await service.add_booking(
            NewBooking(
                customer_id=guest.customer_id, reference=reference,
                kind=BookingKind.HOTEL_STAY, status=status,
                starts_on=days(starts), ends_on=days(ends),
            ),
            NOW,
        )  # fmt: skip
    pop, statements = await _pop(demo, "+8613312345678")
    assert statements <= 3
    assert [b.reference for b in pop.matches[0].bookings] == [
        "H-7100-0007", "H-7100-0004", "H-7100-0005",
    ]  # fmt: skip
