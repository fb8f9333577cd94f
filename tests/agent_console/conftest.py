"""Fixtures of the console suite: a seeded CRM template and a running CTI server."""

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.agent_console.harness import Cti, build_template, running_cti
from tests.agent_console.scripted import Desks, record_desks


@pytest.fixture(scope="session")
def crm_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("console-crm") / "template.db"
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, build_template(path)).result()
    return path


@pytest.fixture
async def cti(crm_template: Path, tmp_path: Path) -> AsyncIterator[Cti]:
    async with running_cti(crm_template, tmp_path) as server:
        yield server


@pytest.fixture(scope="session")
def desks(crm_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Desks:
    """The ``status`` of agent 1001 at each stage of one real call."""
    return record_desks(crm_template, tmp_path_factory.mktemp("desks"))
