"""Schemathesis fuzzes every operation of the OpenAPI document: no server error.

The server runs in a thread with its own event loop (schemathesis calls it over a
real socket, synchronously), backed by a real call center with quiet traffic.
"""

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.schemas import OpenApiSchema

from callcenter.center import make_call_center
from callcenter.web.app import create_app
from tests.callcenter.web.conftest import SUP, MemoryReports, web_settings
from tests.services import free_port


def _serve(
    data_dir: Path, port: int, ready: threading.Event, stop: threading.Event
) -> None:
    async def main() -> None:
        center = make_call_center(web_settings(data_dir))
        await center.pbx.start()
        center.log_in_simulated_agents()
        task = asyncio.create_task(center.runtime.run())
        runner = web.AppRunner(create_app(center, reports=MemoryReports()))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.to_thread(stop.wait)
        await runner.cleanup()
        center.runtime.stop()
        await task
        await center.pbx.close()

    asyncio.run(main())


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port, ready, stop = free_port(), threading.Event(), threading.Event()
    thread = threading.Thread(
        target=_serve,
        args=(tmp_path_factory.mktemp("st"), port, ready, stop),
        daemon=True,
    )
    thread.start()
    assert ready.wait(20)
    yield f"http://127.0.0.1:{port}"
    stop.set()
    thread.join(10)


@pytest.fixture
def api_schema(base_url: str) -> OpenApiSchema:
    return schemathesis.openapi.from_url(f"{base_url}/api/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.filter_too_much],
)  # fmt: skip
def test_no_request_makes_the_server_fail(
    case: schemathesis.Case[Any], base_url: str
) -> None:
    if case.path == "/api/v1/session" and case.method == "DELETE":
        return  # logging the fuzzer's own token out proves nothing
    response = case.call(base_url=base_url, headers=SUP)
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message"}
