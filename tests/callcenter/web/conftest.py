"""A real call center (simulated PBX, system clock, quiet traffic) behind the web app."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TypeAlias

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from pytest_aiohttp import AiohttpClient

from callcenter.center import CallCenter, make_call_center
from callcenter.settings import Settings
from callcenter.web.app import create_app
from callcenter.web.auth import hash_password, token_digest
from crm_link.reporting import (
    AgentIntervalFact,
    ComplaintFact,
    InteractionFact,
    SurveyFact,
)

PASSWORD = "correct horse battery"
HASH = hash_password(PASSWORD)
SUPERVISOR_TOKEN = "tok-supervisor-0123456789"
AGENT_TOKEN = "tok-agent-0123456789"
SUP = {"Authorization": f"Bearer {SUPERVISOR_TOKEN}"}
AGENT = {"Authorization": f"Bearer {AGENT_TOKEN}"}

WebClient: TypeAlias = TestClient[web.Request, web.Application]


class MemoryReports:
    """Facts held in lists: the report source of the tests."""

    def __init__(self) -> None:
        self.calls: list[InteractionFact] = []
        self.complaint_facts: list[ComplaintFact] = []
        self.survey_facts: list[SurveyFact] = []
        self.stretches: list[AgentIntervalFact] = []

    async def interactions(self, start: float, end: float) -> list[InteractionFact]:
        return [f for f in self.calls if start <= f.offered_at < end]

    async def complaints(
        self, start: float | None = None, end: float | None = None
    ) -> list[ComplaintFact]:
        if start is None or end is None:
            return [f for f in self.complaint_facts if f.state != "closed"]
        return [f for f in self.complaint_facts if start <= f.opened_at < end]

    async def surveys(self, start: float, end: float) -> list[SurveyFact]:
        return [f for f in self.survey_facts if start <= f.at < end]

    async def agent_intervals(
        self, start: float, end: float
    ) -> list[AgentIntervalFact]:
        return [f for f in self.stretches if f.started_at < end and f.ended_at > start]


def web_settings(data_dir: Path, **web: object) -> Settings:
    # Built-in defaults (8 agents in 4 queues), not the shared sample file.
    return Settings.model_validate(
        {
            "general": {"data_dir": str(data_dir)},
            "simulation": {"calls_per_hour": 1, "seed": 5},
            "web": {
                "secure_cookies": False,
                "complaints_refresh_seconds": 0.2,
                "users": [
                    {"name": "sam", "password_hash": HASH},
                    {"name": "ann", "role": "agent", "password_hash": HASH},
                ],
                "api_tokens": [
                    {"name": "prometheus", "sha256": token_digest(SUPERVISOR_TOKEN)},
                    {
                        "name": "kiosk",
                        "role": "agent",
                        "sha256": token_digest(AGENT_TOKEN),
                    },
                ],
                **web,
            },
        }
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return web_settings(tmp_path)


@pytest.fixture
async def center(settings: Settings) -> AsyncIterator[CallCenter]:
    center = make_call_center(settings)
    await center.pbx.start()
    center.log_in_simulated_agents()
    task = asyncio.create_task(center.runtime.run())
    yield center
    center.runtime.stop()
    await task
    await center.pbx.close()


@pytest.fixture
def reports() -> MemoryReports:
    return MemoryReports()


@pytest.fixture
async def client(
    aiohttp_client: AiohttpClient, center: CallCenter, reports: MemoryReports
) -> WebClient:
    return await aiohttp_client(create_app(center, reports=reports))


async def log_in(client: WebClient, name: str = "sam") -> str:
    response = await client.post(
        "/api/v1/session", json={"username": name, "password": PASSWORD}
    )
    assert response.status == 200
    return str((await response.json())["csrf_token"])
