"""A ``crm_lookup`` says what it finds the caller by: number, booking or account."""

from pathlib import Path

import pytest

from ivr.loader import check_flow, load_flow
from ivr.model import LookupNode
from ivr.requests import LookupCustomer
from tests.ivr.helpers import CALL, Call, make_flow, write_flow

LOOKUP = """
start: find
nodes:
  find:
    kind: crm_lookup
{fields}
    next: bye
  bye:
    kind: hangup
"""


def lookup_flow(tmp_path: Path, *fields: str) -> Path:
    body = "\n".join(f"    {field}" for field in fields)
    return write_flow(tmp_path, LOOKUP.format(fields=body))


@pytest.mark.parametrize(
    ("fields", "by", "variable"),
    [
        ((), "caller", None),
        (("by: caller",), "caller", None),
        (("by: digits", "variable: booking_reference"), "digits", "booking_reference"),
        (("by: account", "variable: account_number"), "account", "account_number"),
    ],
)
def test_a_lookup_is_by_caller_booking_digits_or_account(
    tmp_path: Path, fields: tuple[str, ...], by: str, variable: str | None
) -> None:
    node = load_flow(lookup_flow(tmp_path, *fields)).nodes["find"]
    assert isinstance(node, LookupNode)
    assert (node.by, node.variable) == (by, variable)


def test_an_unknown_lookup_kind_is_reported_on_its_line(tmp_path: Path) -> None:
    path = lookup_flow(tmp_path, "by: booking", "variable: booking_reference")
    flow, problems = check_flow(path)
    assert flow is None
    assert [(p.line, p.message) for p in problems] == [
        (
            5,
            "crm_lookup node 'find': 'by' must be one of caller, digits, account, not 'booking'",
        )
    ]


@pytest.mark.parametrize("by", ["digits", "account"])
def test_a_lookup_by_keyed_digits_needs_the_variable_holding_them(
    tmp_path: Path, by: str
) -> None:
    flow, problems = check_flow(lookup_flow(tmp_path, f"by: {by}"))
    assert flow is None
    assert [(p.line, p.message) for p in problems] == [
        (5, f"crm_lookup node 'find': lookup by {by} needs 'variable'")
    ]


def test_a_lookup_by_account_asks_for_the_account_number_keyed(
    tmp_path: Path,
) -> None:
    flow = make_flow(
        tmp_path,
        """
        start: find
        nodes:
          find: {kind: crm_lookup, by: account, variable: account_number, next: bye}
          bye: {kind: hangup}
        """,
    )
    call = Call(flow, variables={"account_number": "79927398713"})
    outputs = call.start()
    assert outputs[-1] == LookupCustomer(
        call_id=CALL, by="account", value="79927398713"
    )
