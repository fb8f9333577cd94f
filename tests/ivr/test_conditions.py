"""The branch condition language: parsed once, evaluated safely."""

import pytest

from ivr.conditions import ConditionSyntaxError, parse_condition

VARIABLES: dict[str, str | int | bool] = {
    "tier": "key",
    "open_complaint": True,
    "score": 3,
    "language": "zh",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("open_complaint", True),
        ("not open_complaint", False),
        ('tier == "key"', True),
        ("tier == 'vip'", False),
        ('tier != "vip"', True),
        ("score >= 3 and score < 4", True),
        ('score > 3 or tier == "key"', True),
        ('language in ["en", "zh"]', True),
        ('language not in ["en", "zh"]', False),
        ("missing", False),
        ("missing == false", False),
        ("not missing", True),
        ("missing > 1", False),
        ('(tier == "vip" or tier == "key") and not (score < 1)', True),
        ("true and not false", True),
        ("score == -3", False),
    ],
)
def test_conditions_evaluate(text: str, expected: bool) -> None:
    assert parse_condition(text)(VARIABLES) is expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tier ==",
        "tier == == 1",
        "(tier",
        "tier = 1",
        "tier and",
        "__import__('os')",
        "a b",
    ],
)
def test_syntax_errors_are_reported(text: str) -> None:
    with pytest.raises(ConditionSyntaxError):
        parse_condition(text)


def test_condition_keeps_its_text() -> None:
    assert parse_condition("tier == 'key'").text == "tier == 'key'"
