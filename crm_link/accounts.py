"""Account numbers: how a corporate client keys who they are.

A key account (a company) has an account number printed on its contract and
invoices. It is keyed on a phone keypad, so it is stored as its digits only
(``account_digits`` drops the spaces, dashes and dots it is printed with and reads
full-width digits) and is unique among customers: a keyed account number names at
most one customer.

An account number is not a booking reference: each is looked up in its own column
(``customers.account_number``, ``bookings.reference_digits``), so an 8-digit account
number that happens to equal a booking's digits still finds the account holder,
never the traveller of that booking. Like a reference it identifies the caller; it
does not prove who they are.
"""

import re
import unicodedata

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_link.errors import InvalidAccountNumberError
from crm_link.models import Customer

MAX_DIGITS = 32
"""The width of ``customers.account_number``."""

_SEPARATORS = re.compile(r"[\s\-./]")
_DIGITS = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")


def account_digits(printed: str) -> str | None:
    """Return the digits of an account number as printed, or None if it is not one.

    >>> account_digits("7992 7398-713")
    '79927398713'
    >>> account_digits("ACME-12") is None
    True
    """
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", printed))
    return text if _DIGITS.fullmatch(text) else None


def with_check_digit(payload: str) -> str:
    """Return ``payload`` followed by its Luhn check digit.

    The IVR's ``account_number`` validator accepts only numbers whose last digit
    is this check digit, so a mistyped digit is caught before any lookup.

    >>> with_check_digit("7992739871")
    '79927398713'
    """
    total = 0
    for index, char in enumerate(reversed(payload)):
        value = int(char)
        if index % 2 == 0:  # doubled: these are every second digit from the check
            value = value * 2 - 9 if value > 4 else value * 2  # noqa: PLR2004
        total += value
    return payload + str(-total % 10)


async def assign_account_number(
    session: AsyncSession, customer: Customer, printed: str | None
) -> str | None:
    """Give ``customer`` the account number ``printed`` (None takes it away).

    Returns the digits stored. The caller commits.

    Raises:
        InvalidAccountNumberError: ``printed`` is not digits (with separators), or
            another customer has the same digits.
    """
    if printed is None:
        customer.account_number = None
        return None
    digits = account_digits(printed)
    if digits is None:
        msg = f"account number {printed!r} is not 1 to {MAX_DIGITS} digits"
        raise InvalidAccountNumberError(msg)
    holder = await session.scalar(
        sa.select(Customer.id).where(
            Customer.account_number == digits, Customer.id != customer.id
        )
    )
    if holder is not None:
        msg = f"customer {holder} already has the account number {digits}"
        raise InvalidAccountNumberError(msg)
    customer.account_number = digits
    await session.flush()
    return digits
