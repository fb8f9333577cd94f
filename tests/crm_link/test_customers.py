"""A customer id names a CRM row only when it is one this CRM issued."""

import pytest

from callcenter.domain.ids import CustomerId
from crm_link.customers import customer_key


@pytest.mark.parametrize(
    ("customer_id", "key"),
    [
        (CustomerId("42"), 42),
        ("007", 7),
        (CustomerId("c-7"), None),
        ("", None),
        ("-3", None),
        (None, None),
    ],
)
def test_only_an_all_digit_id_is_a_row_key(
    customer_id: CustomerId | str | None, key: int | None
) -> None:
    assert customer_key(customer_id) == key
