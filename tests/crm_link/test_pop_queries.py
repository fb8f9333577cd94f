"""Every screen-pop statement reaches every table through an index, on both databases.

The statements a pop really executes are captured and explained: SQLite's
``EXPLAIN QUERY PLAN`` must show a ``SEARCH`` (never a ``SCAN``) of each table, and
PostgreSQL, with sequential scans switched off, must still find an index path for
every table (it would fall back to a ``Seq Scan`` if there were none; with the few
demo rows it prefers one anyway, hence the switch). The keyed reference is looked
up in the unique index of ``bookings.reference_digits``, the keyed account number
in the unique index of ``customers.account_number``.
"""

import re
from typing import Any

import pytest
import sqlalchemy as sa

from crm_link.db import make_engine, make_session_factory
from crm_link.seed import seed_demo
from crm_link.seed_data import KEY_ACCOUNT_NUMBER
from crm_link.service import CrmService
from tests.crm_link.conftest import NOW

TABLES = ("customers", "phone_numbers", "agents", "bookings", "complaints",
          "interactions", "survey_responses")  # fmt: skip
Executed = list[tuple[str, Any]]


@pytest.fixture
async def executed(db_url: str) -> Executed:
    """The statements of pops by reference, by account and by number, as executed."""
    engine = make_engine(db_url)
    await seed_demo(engine, now=NOW)
    seen: Executed = []

    def capture(*args: Any) -> None:
        seen.append((args[2], args[3]))

    sa.event.listen(engine.sync_engine, "before_cursor_execute", capture)
    crm = CrmService(make_session_factory(engine), engine=engine)
    await crm.screen_pop("+8613311112222", NOW, reference="H-1208-0105")  # 李强
    await crm.screen_pop("+8613800138000", NOW, reference="99999999")  # 王芳
    await crm.screen_pop("+8613800138000", NOW)
    await crm.screen_pop("+8613311112222", NOW, account=KEY_ACCOUNT_NUMBER)  # 张伟
    await crm.aclose()
    sa.event.remove(engine.sync_engine, "before_cursor_execute", capture)
    await engine.dispose()
    return seen


async def plans(db_url: str, statements: Executed) -> list[list[str]]:
    engine = make_engine(db_url)
    sqlite = engine.dialect.name == "sqlite"
    explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    found = []
    async with engine.connect() as connection:
        if not sqlite:
            await connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            rows = await connection.exec_driver_sql(explain + statement, parameters)
            found.append([str(row[-1]) for row in rows])
    await engine.dispose()
    return found


async def test_a_pop_by_reference_account_or_number_searches_tables_by_index(
    db_url: str, executed: Executed
) -> None:
    assert len(executed) == 12  # four pops of three statements
    explained = await plans(db_url, executed)
    sqlite = db_url.startswith("sqlite")
    for plan in explained:
        for line in plan:
            for table in TABLES:
                if sqlite:
                    assert not re.match(rf"SCAN {table}\b", line), plan
                else:
                    assert f"Seq Scan on {table}" not in line, plan
    reference_lookups = [
        line
        for plan in explained
        for line in plan
        if "reference_digits" in line and "bookings" in line
    ]
    if sqlite:  # SQLite names the index of a UNIQUE constraint itself
        pattern = (
            r"SEARCH bookings_\d+ USING (COVERING )?INDEX \S+ \(reference_digits=\?\)"
        )
    else:
        pattern = r"Index (Only )?Scan using uq_bookings_reference_digits on bookings"
    assert reference_lookups
    assert all(re.search(pattern, line) for line in reference_lookups), (
        reference_lookups
    )
    account_lookups = [
        line
        for plan in explained
        for line in plan
        if "account_number" in line and "customers" in line
    ]
    if sqlite:
        pattern = (
            r"SEARCH customers_\d+ USING (COVERING )?INDEX ix_customers_account_number"
            r" \(account_number=\?\)"
        )
    else:
        pattern = r"Index (Only )?Scan using ix_customers_account_number on customers"
    assert account_lookups
    assert all(re.search(pattern, line) for line in account_lookups), account_lookups
