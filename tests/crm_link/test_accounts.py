"""A corporate client keys their account number and is found by it, on both databases.

An account number is looked up among account numbers only: an 8-digit one equal to
some booking's reference digits names the account holder, never that booking's
traveller; one nobody holds leaves the caller to their phone number.
"""

import datetime as dt

import pytest
import sqlalchemy as sa

from callcenter.domain.ids import CustomerId
from crm_link.accounts import account_digits
from crm_link.bookings import NewBooking
from crm_link.db import make_engine
from crm_link.dto import IdentifiedBy, PopStatus
from crm_link.enums import BookingKind
from crm_link.errors import InvalidAccountNumberError, NotFoundError
from crm_link.service import CrmService
from tests.crm_link.conftest import NOW

STRANGER = "+8613311112222"
ACME = "+8621555501000"  # the key account's switchboard
TRAVELLER = "+8613312345678"


@pytest.mark.parametrize(
    ("printed", "stored"),
    [
        ("79927398713", "79927398713"),
        ("7992 7398-713", "79927398713"),
        ("".join(chr(0xFF10 + int(d)) for d in "12345678"), "12345678"),
        ("ACME-12", None),
        ("", None),
        ("1" * 33, None),
    ],
)
def test_an_account_number_is_stored_as_its_digits(
    printed: str, stored: str | None
) -> None:
    assert account_digits(printed) == stored


async def account_holder(crm: CrmService, account: str) -> CustomerId:
    acme = await crm.create_customer_from_number(ACME, NOW, name="Acme Travel")
    assert await crm.set_account_number(acme.customer_id, account) == account
    return acme.customer_id


async def test_a_keyed_account_number_finds_its_holder_from_any_number(
    crm: CrmService,
) -> None:
    acme = await account_holder(crm, "79927398713")
    pop = await crm.screen_pop(STRANGER, NOW, account="79927398713")
    assert (pop.status, pop.identified_by) == (PopStatus.KNOWN, IdentifiedBy.ACCOUNT)
    assert (pop.account, pop.reference, pop.booking) == ("79927398713", None, None)
    (card,) = pop.matches
    assert (card.customer_id, card.name) == (acme, "Acme Travel")
    assert card.account_number == "79927398713"
    withheld = await crm.screen_pop("", NOW, account="79927398713")
    assert [c.customer_id for c in withheld.matches] == [acme]


async def book_stay(crm: CrmService, customer_id: CustomerId, reference: str) -> None:
    """Give the customer a hotel stay under ``reference`` (its digits are unique)."""
    await crm.add_booking(
        NewBooking(
            customer_id=customer_id, reference=reference,
            kind=BookingKind.HOTEL_STAY, starts_on=dt.date(2026, 1, 10),
            ends_on=dt.date(2026, 1, 12),
        ),
        NOW,
    )  # fmt: skip


async def test_an_account_number_equal_to_a_booking_finds_the_account_holder(
    crm: CrmService,
) -> None:
    traveller = await crm.create_customer_from_number(TRAVELLER, NOW, name="Li Na")
    await book_stay(crm, traveller.customer_id, "H-1234-5674")
    acme = await account_holder(crm, "12345674")  # the booking's digits, and Luhn
    by_account = await crm.screen_pop(STRANGER, NOW, account="12345674")
    assert [c.customer_id for c in by_account.matches] == [acme]
    assert (by_account.identified_by, by_account.booking) == (
        IdentifiedBy.ACCOUNT, None,
    )  # fmt: skip
    by_booking = await crm.screen_pop(STRANGER, NOW, reference="12345674")
    assert [c.customer_id for c in by_booking.matches] == [traveller.customer_id]
    assert by_booking.identified_by is IdentifiedBy.BOOKING


async def test_an_unknown_account_number_leaves_the_number_to_decide(
    crm: CrmService,
) -> None:
    await account_holder(crm, "79927398713")
    stranger = await crm.screen_pop(STRANGER, NOW, account="12345674")
    assert (stranger.status, stranger.identified_by) == (PopStatus.UNKNOWN, None)
    assert (stranger.account, stranger.matches) == ("12345674", ())
    caller = await crm.screen_pop(ACME, NOW, account="12345674")
    assert (caller.status, caller.identified_by) == (
        PopStatus.KNOWN, IdentifiedBy.NUMBER,
    )  # fmt: skip
    assert caller.matches[0].name == "Acme Travel"
    assert caller.account == "12345674"


async def test_a_traveller_with_a_booking_is_not_found_by_its_digits_as_account(
    crm: CrmService,
) -> None:
    traveller = await crm.create_customer_from_number(TRAVELLER, NOW)
    await book_stay(crm, traveller.customer_id, "H-1234-5674")
    pop = await crm.screen_pop(STRANGER, NOW, account="12345674")
    assert (pop.status, pop.matches) == (PopStatus.UNKNOWN, ())


async def test_account_numbers_are_unique_among_customers(crm: CrmService) -> None:
    acme = await account_holder(crm, "79927398713")
    other = await crm.create_customer_from_number(STRANGER, NOW)
    with pytest.raises(InvalidAccountNumberError, match="already has"):
        await crm.set_account_number(other.customer_id, "7992 7398 713")
    with pytest.raises(InvalidAccountNumberError, match="not 1 to 32 digits"):
        await crm.set_account_number(other.customer_id, "ACME-1")
    assert await crm.set_account_number(acme, "79927398713") == "79927398713"
    assert await crm.set_account_number(acme, None) is None
    assert await crm.set_account_number(other.customer_id, "79927398713")
    pop = await crm.screen_pop("", NOW, account="79927398713")
    assert [c.customer_id for c in pop.matches] == [other.customer_id]


@pytest.mark.parametrize("customer", ["999999", "c-7"])
async def test_an_account_number_needs_an_existing_customer(
    crm: CrmService, customer: str
) -> None:
    with pytest.raises(NotFoundError):
        await crm.set_account_number(CustomerId(customer), "79927398713")


async def test_the_database_itself_refuses_a_second_holder(db_url: str) -> None:
    engine = make_engine(db_url)
    insert = sa.text(
        "INSERT INTO customers (name, email, language, tier, value_class,"
        " loyalty_stage, lifecycle_stage, notes, created_at, account_number)"
        " VALUES (:name, '', 'en', 'key', 'a', 'regular', 'stability', '', 0,"
        " '79927398713')"
    )
    async with engine.begin() as connection:
        await connection.execute(insert, {"name": "Acme"})
    with pytest.raises(sa.exc.IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(insert, {"name": "Imposter"})
    await engine.dispose()


async def test_a_pop_cannot_take_a_reference_and_an_account_at_once(
    crm: CrmService,
) -> None:
    with pytest.raises(ValueError, match="not both"):
        await crm.screen_pop(STRANGER, NOW, reference="12345674", account="12345674")
