"""Fixtures shared by the integration tests: the real CRM, seeded with the demo."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from callcenter.core.crm_services import CrmServices
from crm_link.service import CrmService
from tests.demo_crm import demo_crm


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a SQLite file with the demo data, built once per module."""
    path = tmp_path_factory.mktemp("crm") / "demo.db"
    demo_crm(path)
    return path


@pytest.fixture
async def crm(demo_db: Path) -> AsyncIterator[CrmServices]:
    """Return the call path's CRM services over the demo database."""
    async with CrmService.from_url(f"sqlite+aiosqlite:///{demo_db}") as service:
        yield CrmServices(service)
