"""Named validators for collected digits."""

import pytest

from ivr.validators import VALIDATORS


@pytest.mark.parametrize(
    ("name", "digits", "ok"),
    [
        ("booking_reference", "12345678", True),
        ("booking_reference", "1234567", False),
        ("booking_reference", "123456789", False),
        ("booking_reference", "1234-5678", False),
        ("account_number", "49927398716", True),
        ("account_number", "49927398717", False),
        ("account_number", "1234", False),
        ("phone_number", "8613800138000", True),
        ("phone_number", "12", False),
        ("digits", "0", True),
        ("digits", "1*2", False),
    ],
)
def test_validators(name: str, digits: str, ok: bool) -> None:
    assert VALIDATORS[name](digits) is ok
