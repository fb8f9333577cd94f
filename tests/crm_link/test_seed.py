"""The demo's key accounts have account numbers the IVR accepts (menu 5 of travel)."""

import sqlalchemy as sa

from crm_link.db import make_engine
from crm_link.dto import IdentifiedBy
from crm_link.enums import Tier
from crm_link.models import Customer
from crm_link.seed import SeedPlan, seed, seed_demo
from crm_link.seed_data import KEY_ACCOUNT_NUMBER, account_number_for
from crm_link.service import CrmService
from ivr.validators import account_number
from tests.crm_link.conftest import NOW


async def accounts_of(url: str) -> list[tuple[str, Tier, str | None]]:
    engine = make_engine(url)
    query = sa.select(Customer.name, Customer.tier, Customer.account_number)
    async with engine.connect() as connection:
        rows = [
            (row.name, row.tier, row.account_number)
            for row in await connection.execute(query)
        ]
    await engine.dispose()
    return rows


async def test_every_key_account_and_only_they_have_a_valid_account_number(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    await seed_demo(engine, now=NOW)
    await engine.dispose()
    rows = await accounts_of(db_url)
    keys = [number for _, tier, number in rows if tier is Tier.KEY]
    assert len(keys) > 5
    assert all(number is not None and account_number(number) for number in keys)
    assert all(number is None for _, tier, number in rows if tier is not Tier.KEY)
    assert ("张伟 (锦江商旅)", Tier.KEY, KEY_ACCOUNT_NUMBER) in rows


async def test_the_demo_key_account_is_found_by_its_account_number(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    await seed_demo(engine, now=NOW)
    await engine.dispose()
    async with CrmService.from_url(db_url) as crm:
        pop = await crm.screen_pop("", NOW, account=KEY_ACCOUNT_NUMBER)
    assert pop.identified_by is IdentifiedBy.ACCOUNT
    (card,) = pop.matches
    assert (card.name, card.tier, card.account_manager) == (
        "张伟 (锦江商旅)", Tier.KEY, "1001",
    )  # fmt: skip
    assert card.account_number == KEY_ACCOUNT_NUMBER


async def test_generated_account_numbers_are_unique_across_seeding_runs(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    await seed(engine, SeedPlan(customers=300, complaints=0, seed=1), now=NOW)
    await seed(engine, SeedPlan(customers=300, complaints=0, seed=2), now=NOW)
    await engine.dispose()
    numbers = [n for _, _, n in await accounts_of(db_url) if n is not None]
    assert len(numbers) == len(set(numbers)) > 20
    assert all(account_number(n) for n in numbers)


def test_a_generated_account_number_is_its_customer_id_with_a_check_digit() -> None:
    assert account_number_for(42) == "8000000425"
    assert account_number_for(123_456_789) == "81234567899"  # 11 digits
    assert all(account_number(account_number_for(i)) for i in range(1, 2000))
