"""A caller who keys an account number is looked up by it, not by their phone.

travel.yaml lets an unknown caller key their account number (menu 5); the
switchboard asks the CRM port for that reference (``reference_facts``), and a key
account goes to the key accounts team.
"""

from callcenter.core.services import Facts
from callcenter.domain import events as ev
from tests.integration.harness import Line

ACCOUNT = "79927398713"  # passes the Luhn check of the account_number validator
KEY_ACCOUNT: Facts = {"known": True, "customer_id": "42", "name": "Acme", "tier": "key"}
SURVEY = ("5", "5", "5")


async def test_a_known_account_number_finds_the_customer() -> None:
    line = Line(main_flow="travel", references={ACCOUNT: KEY_ACCOUNT})
    line.log_in("1001")
    call = line.call("+8613500000001", ("5", ACCOUNT, *SURVEY))
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
    call = line.call("+8613500000001", ("5", ACCOUNT, *SURVEY))
    await line.run(3600)
    path = line.path(call)
    assert path[path.index("find_account") + 2] == "reservations_queue"
    assert line.completed(call).outcome is ev.CallOutcome.ANSWERED
