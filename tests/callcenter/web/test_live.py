"""Live updates: exact SSE frames, WebSocket patches, slow clients and shutdown."""

import asyncio
import json
from typing import Any

from aiohttp import ClientSession, StreamReader
from pytest_aiohttp import AiohttpServer

from callcenter.center import CallCenter
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId
from callcenter.web.app import create_app
from callcenter.web.hub import CLOSED, Hub
from tests.callcenter.web.conftest import SUP, WebClient


async def read_event(stream: StreamReader) -> tuple[str, dict[str, Any]]:
    lines: list[bytes] = []
    while True:
        line = await asyncio.wait_for(stream.readline(), 5)
        if line == b"\n":
            if (
                lines
                and not lines[0].startswith(b":")
                and not lines[0].startswith(b"retry")
            ):
                break
            lines = []
            continue
        lines.append(line)
    assert lines[0].startswith(b"event: ")
    assert lines[1].startswith(b"data: ")
    return lines[0][7:].strip().decode(), json.loads(lines[1][6:])


async def test_sse_sends_a_snapshot_then_patches_within_a_second(
    client: WebClient,
) -> None:
    response = await client.get("/api/v1/live", headers=SUP)
    assert response.headers["Content-Type"] == "text/event-stream"
    assert await response.content.readline() == b"retry: 1000\n"
    assert await response.content.readline() == b"\n"
    kind, snapshot = await read_event(response.content)
    assert kind == "snapshot"
    assert snapshot["agents"]["1002"]["state"] == "available"
    assert {q["name"] for q in snapshot["queues"]} >= {"bookings"}
    loop = asyncio.get_running_loop()
    started = loop.time()
    await client.post(
        "/api/v1/agents/1002/pause", json={"reason": "lunch"}, headers=SUP
    )
    while True:
        kind, patch = await read_event(response.content)
        assert kind == "patch"
        if "1002" in patch.get("agents", {}):
            break
    assert loop.time() - started < 1.0
    assert patch["agents"]["1002"]["state"] == "paused"
    assert patch["agents"]["1002"]["reason"] == "lunch"
    assert set(patch["agents"]) == {"1002"}  # only what changed
    assert patch["version"] > snapshot["version"]
    response.close()


async def test_websocket_gets_snapshot_and_patches(
    client: WebClient, center: CallCenter
) -> None:
    async with client.ws_connect("/ws", headers=SUP) as ws:
        snapshot = json.loads((await ws.receive(timeout=5)).data)
        assert snapshot["type"] == "snapshot"
        assert snapshot["thresholds"]["service_level_amber"] == 0.8
        await client.post("/api/v1/agents/1006/logout", headers=SUP)
        while True:
            patch = json.loads((await ws.receive(timeout=5)).data)
            if "1006" in patch.get("agents", {}):
                break
        assert patch["agents"]["1006"]["state"] == "logged_out"
        assert patch["changed_at"] > 0
        assert (
            center.switchboard.acd.agent_state(AgentId("1006"))
            == ev.AgentState.LOGGED_OUT
        )


async def test_websocket_needs_authentication(client: WebClient) -> None:
    response = await client.get("/ws")
    assert response.status == 401


async def test_a_slow_client_is_resynced_with_a_snapshot_not_blocked() -> None:
    made = iter([b"full-0", b"full-1", b"full-2", b"full-3"])
    hub = Hub(made.__next__, limit=3)
    slow, quick = hub.subscribe(), hub.subscribe()
    assert await quick.next_frame() == b"full-1"
    for n in range(5):
        hub.publish(f"patch-{n}".encode())
        assert await quick.next_frame() == f"patch-{n}".encode()
    frames = [slow.frames.get_nowait() for _ in range(slow.frames.qsize())]
    assert frames == [b"full-2", b"patch-3", b"patch-4"]
    assert slow.resyncs == 1


async def test_closing_the_hub_wakes_every_client() -> None:
    hub = Hub(lambda: b"full", limit=3)
    subscriber = hub.subscribe()
    await subscriber.next_frame()
    waiter = asyncio.create_task(subscriber.next_frame())
    await asyncio.sleep(0)
    hub.close()
    assert await asyncio.wait_for(waiter, 1) == CLOSED


async def test_shutdown_does_not_wait_for_open_streams(
    aiohttp_server: AiohttpServer, center: CallCenter
) -> None:
    server = await aiohttp_server(create_app(center))
    async with ClientSession() as session:
        response = await session.get(server.make_url("/api/v1/live"), headers=SUP)
        await response.content.readline()
        loop = asyncio.get_running_loop()
        started = loop.time()
        await server.close()
        assert loop.time() - started < 2.0
