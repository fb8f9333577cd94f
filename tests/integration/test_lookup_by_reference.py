"""A caller who keys an account number is looked up by it, not by their phone.

travel.yaml lets an unknown caller key their account number (menu 5); the IVR
looks it up as an account number (``crm_lookup by: account``), the switchboard asks
the CRM port for the account holder (``account_facts``), and a key account goes to
the key accounts team. The digits are never taken for a booking reference: a
booking with the same digits identifies nobody here. First with the in-memory CRM,
then with the real, seeded one (on SQLite), whose key account 张伟 (锦江商旅) has
the account number 79927398713.
"""

from typing import Any

from callcenter.core.crm_services import CrmServices
from callcenter.core.services import Facts
from callcenter.domain import events as ev
from crm_link.seed_data import KEY_ACCOUNT_NUMBER
from tests.integration.harness import Line

ACCOUNT = "79927398713"  # passes the Luhn check of the account_number validator
KEY_ACCOUNT: Facts = {"known": True, "customer_id": "42", "name": "Acme", "tier": "key"}
TRAVELLER: Facts = {"known": True, "customer_id": "7", "name": "Li", "tier": "key"}
STRANGER = "+8613500000001"
SURVEY = ("5", "5", "5")


async def test_a_known_account_number_finds_the_customer() -> None:
    line = Line(main_flow="travel", accounts={ACCOUNT: KEY_ACCOUNT})
    line.log_in("1001")
    call = line.call(STRANGER, ("5", ACCOUNT, *SURVEY))
    await line.run(3600)
    path = line.path(call)
    assert path[path.index("find_account") + 2] == "key_accounts_queue"
    identified = line.of(ev.CustomerIdentified, call)
    assert [(i.customer_id, i.tier) for i in identified] == [
        (None, "ordinary"),  # by caller id: a stranger
        ("42", "key"),  # by account number
    ]
    record = line.completed(call)
    assert (record.queue, record.customer_id) == ("key_accounts", "42")


async def test_an_unknown_account_number_is_simply_not_found() -> None:
    line = Line(main_flow="travel", customers={ACCOUNT: KEY_ACCOUNT})
    line.log_in("1001")
    call = line.call(STRANGER, ("5", ACCOUNT, *SURVEY))
    await line.run(3600)
    path = line.path(call)
    assert path[path.index("find_account") + 2] == "reservations_queue"
    assert line.completed(call).outcome is ev.CallOutcome.ANSWERED


async def test_a_booking_with_the_account_numbers_digits_identifies_nobody() -> None:
    # 8 digits, Luhn-valid: an account number, and some traveller's booking too
    line = Line(main_flow="travel", references={"12345674": TRAVELLER})
    line.log_in("1001")
    call = line.call(STRANGER, ("5", "12345674", *SURVEY))
    await line.run(3600)
    path = line.path(call)
    assert path[path.index("find_account") + 2] == "reservations_queue"
    identified = line.of(ev.CustomerIdentified, call)
    assert [i.customer_id for i in identified] == [None, None]
    assert line.completed(call).customer_id is None


async def test_the_demo_key_account_keys_its_number_and_reaches_its_team(
    crm: CrmServices,
) -> None:
    line = Line(main_flow="travel", services=crm)
    line.log_in("1001", "1002")
    call = line.call(STRANGER, ("5", KEY_ACCOUNT_NUMBER, *SURVEY))
    await line.run(3600)
    path = line.path(call)
    assert path[path.index("find_account") + 2] == "key_accounts_queue"
    identified = line.of(ev.CustomerIdentified, call)
    assert [(i.name, i.tier) for i in identified] == [
        ("", "ordinary"),  # by caller id: a stranger
        ("张伟 (锦江商旅)", "key"),  # by the account number
    ]
    (pop,) = line.of(ev.ScreenPopReady, call)
    record: dict[str, Any] = pop.record
    assert (record["identified_by"], record["account"]) == ("account", ACCOUNT)
    assert (record["reference"], record["booking"]) == (None, None)
    assert record["matches"][0]["account_number"] == ACCOUNT
    assert record["routing"]["account_found"] is True
    assert record["routing"]["account_manager"] == "1001"
