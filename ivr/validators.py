"""Named validators for collected digits.

A ``collect`` node names one of these (or gives its own regular expression). Each
takes the keyed digits (without the terminating ``#``) and says whether they are
acceptable, so the caller is asked again before any back-end sees bad input.
"""

import re
from collections.abc import Callable

Validator = Callable[[str], bool]


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2  # noqa: PLR2004
        total += value
    return total % 10 == 0


def booking_reference(digits: str) -> bool:
    """A booking reference is keyed as its eight digits (``H-1234-5678``: 12345678).

    Eight digits give the CRM room for tens of millions of unique references.
    """
    return re.fullmatch(r"\d{8}", digits) is not None


def account_number(digits: str) -> bool:
    """An account number is 8 to 12 digits whose last one is a Luhn check digit."""
    return re.fullmatch(r"\d{8,12}", digits) is not None and _luhn(digits)


def phone_number(digits: str) -> bool:
    """A callback number: 6 to 15 digits (international numbers start with 00)."""
    return re.fullmatch(r"\d{6,15}", digits) is not None


def digits_only(digits: str) -> bool:
    """Any non-empty run of digits."""
    return re.fullmatch(r"\d+", digits) is not None


VALIDATORS: dict[str, Validator] = {
    "booking_reference": booking_reference,
    "account_number": account_number,
    "phone_number": phone_number,
    "digits": digits_only,
}
"""Validators by the name a flow uses."""
