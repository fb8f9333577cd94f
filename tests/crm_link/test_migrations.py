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
