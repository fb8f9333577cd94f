"""Fixtures of the console suite: a seeded CRM template and a running CTI server."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.agent_console.harness import NOW, Cti, running_cti
from tests.agent_console.scripted import Desks, record_desks
from tests.demo_crm import demo_crm


@pytest.fixture(scope="session")
def crm_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("console-crm") / "template.db"
    demo_crm(path, now=NOW)
    return path


@pytest.fixture
async def cti(crm_template: Path, tmp_path: Path) -> AsyncIterator[Cti]:
    async with running_cti(crm_template, tmp_path) as server:
        yield server


@pytest.fixture(scope="session")
def desks(crm_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Desks:
    """The ``status`` of agent 1001 at each stage of one real call."""
    return record_desks(crm_template, tmp_path_factory.mktemp("desks"))
