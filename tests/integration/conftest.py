"""Fixtures shared by the integration tests: the real CRM, seeded with the demo."""

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from callcenter.core.crm_services import CrmServices
from crm_link.db import make_engine
from crm_link.migrate import upgrade
from crm_link.seed import seed_demo
from crm_link.service import CrmService

SEEDED_AT = 1_767_600_000.0  # the harness's clock: Monday 2026-01-05 08:00 UTC


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a SQLite file with the demo data, built once per module."""
    path = tmp_path_factory.mktemp("crm") / "demo.db"

    async def build() -> None:
        url = f"sqlite+aiosqlite:///{path}"
        await upgrade(url)
        engine = make_engine(url)
        await seed_demo(engine, now=SEEDED_AT)
        await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, build()).result()
    return path


@pytest.fixture
async def crm(demo_db: Path) -> AsyncIterator[CrmServices]:
    """Return the call path's CRM services over the demo database."""
    async with CrmService.from_url(f"sqlite+aiosqlite:///{demo_db}") as service:
        yield CrmServices(service)
