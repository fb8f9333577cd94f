"""The migrations build exactly the schema the models describe."""

import sqlalchemy as sa

from crm_link.db import make_engine
from crm_link.migrate import autogenerate_diff, downgrade, upgrade


async def test_autogenerate_finds_no_drift_after_upgrade(own_db_url: str) -> None:
    assert await autogenerate_diff(own_db_url) == []


async def test_downgrade_to_base_and_upgrade_again(own_db_url: str) -> None:
    await downgrade(own_db_url, "base")
    engine = make_engine(own_db_url)
    async with engine.connect() as connection:
        tables = await connection.run_sync(
            lambda sync: sa.inspect(sync).get_table_names()
        )
    await engine.dispose()
    assert set(tables) <= {"alembic_version"}
    await upgrade(own_db_url)
    assert await autogenerate_diff(own_db_url) == []


async def test_0003_adds_bookings_and_takes_only_them_away(own_db_url: str) -> None:
    async def tables() -> set[str]:
        engine = make_engine(own_db_url)
        async with engine.connect() as connection:
            names = await connection.run_sync(
                lambda sync: sa.inspect(sync).get_table_names()
            )
        await engine.dispose()
        return set(names)

    with_bookings = await tables()
    assert "bookings" in with_bookings
    await downgrade(own_db_url, "0002")
    assert await tables() == with_bookings - {"bookings"}
    await upgrade(own_db_url)
    assert await tables() == with_bookings
    assert await autogenerate_diff(own_db_url) == []


async def test_0005_adds_account_numbers_and_takes_only_them_away(
    own_db_url: str,
) -> None:
    engine = make_engine(own_db_url)

    async def customers() -> tuple[set[str], list[tuple[str, str]]]:
        async with engine.connect() as connection:
            columns = await connection.run_sync(
                lambda sync: sa.inspect(sync).get_columns("customers")
            )
            phones = await connection.execute(
                sa.text(
                    "SELECT c.name, p.e164 FROM customers c"
                    " JOIN phone_numbers p ON p.customer_id = c.id"
                )
            )
            return {c["name"] for c in columns}, [tuple(row) for row in phones]

    async with engine.begin() as connection:
        await connection.execute(
            sa.text(
                "INSERT INTO customers (id, name, email, language, tier, value_class,"
                " loyalty_stage, lifecycle_stage, notes, created_at, account_number)"
                " VALUES (1, 'Acme', '', 'en', 'key', 'a', 'regular', 'stability',"
                " '', 0, '79927398713')"
            )
        )
        await connection.execute(
            sa.text(
                "INSERT INTO phone_numbers (customer_id, e164, label)"
                " VALUES (1, '+862155550100', 'office')"
            )
        )
    columns, phones = await customers()
    assert "account_number" in columns
    await downgrade(own_db_url, "0004")
    without, kept = await customers()
    assert without == columns - {"account_number"}
    assert kept == phones == [("Acme", "+862155550100")]  # no table copy cascaded
    await upgrade(own_db_url)
    assert await customers() == (columns, phones)
    assert await autogenerate_diff(own_db_url) == []
    await engine.dispose()
