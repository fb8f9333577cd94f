"""Caller ids in every usual shape become one E.164 form."""

import pytest

from crm_link.errors import InvalidPhoneNumberError
from crm_link.phones import normalize, try_normalize


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "+86 138-0013-8000",
        "+8613800138000",
        "008613800138000",
        "0086 138 0013 8000",
        " (+86) 138.0013.8000 ",
    ],
)
def test_chinese_mobile_in_every_shape(raw: str) -> None:
    assert normalize(raw) == "+8613800138000"


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+44 20 7946 0958", "CN", "+442079460958"),
        ("0044 20 7946 0958", "CN", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("010-12345678", "CN", "+861012345678"),
        ("021 5555 0100", "CN", "+862155550100"),
        ("(212) 555-0100", "US", "+12125550100"),
    ],
)
def test_local_and_international_formats(raw: str, region: str, expected: str) -> None:
    assert normalize(raw, region=region) == expected


def test_default_region_decides_national_numbers() -> None:
    assert normalize("020 7946 0958", region="CN") == "+862079460958"
    assert normalize("020 7946 0958", region="GB") == "+442079460958"


@pytest.mark.parametrize("raw", ["", "anonymous", "12", "abc", "+"])
def test_unusable_numbers_are_refused_with_a_clear_error(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumberError, match="phone number"):
        normalize(raw)
    assert try_normalize(raw) is None
