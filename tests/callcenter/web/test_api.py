"""The REST API: every endpoint, unauthenticated and malformed requests included."""

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from pytest_aiohttp import AiohttpClient

from callcenter.center import CallCenter
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, QueueName
from callcenter.web.app import create_app
from tests.callcenter.web.conftest import (
    AGENT,
    PASSWORD,
    SUP,
    WebClient,
    log_in,
    web_settings,
)

READS = [
    "/api/v1/queues",
    "/api/v1/queues/bookings",
    "/api/v1/agents",
    "/api/v1/agents/1001",
    "/api/v1/calls",
    "/api/v1/stats",
    "/api/v1/complaints",
    "/api/v1/alerts",
    "/api/v1/audit",
    "/api/v1/session",
    "/api/v1/reports/calls?from=2026-01-05&to=2026-01-05",
    "/api/v1/reports/complaints?from=2026-01-05&to=2026-01-05",
    "/metrics",
]


async def error_of(response: ClientResponse, status: int) -> str:
    assert response.status == status
    body = await response.json()
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    return str(body["error"]["code"])


@pytest.mark.parametrize("path", READS)
async def test_every_read_needs_authentication(client: WebClient, path: str) -> None:
    assert await error_of(await client.get(path), 401) == "unauthenticated"


@pytest.mark.parametrize("path", READS)
async def test_every_read_answers_a_supervisor_token(
    client: WebClient, path: str
) -> None:
    response = await client.get(path, headers=SUP)
    assert response.status == 200


async def test_a_wrong_token_is_refused(client: WebClient) -> None:
    response = await client.get(
        "/api/v1/queues", headers={"Authorization": "Bearer no"}
    )
    assert await error_of(response, 401) == "unauthenticated"


async def test_pages_send_strangers_to_the_login_page(client: WebClient) -> None:
    response = await client.get("/", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/login"
    login = await client.get("/login")
    assert login.status == 200
    assert "Supervisor log-in" in await login.text()


async def test_queues_show_live_figures_and_colours(client: WebClient) -> None:
    queues = await (await client.get("/api/v1/queues", headers=SUP)).json()
    assert [q["name"] for q in queues] == [
        "reservations", "bookings", "complaints", "key_accounts",
    ]  # fmt: skip
    first = queues[0]
    assert first["waiting"] == 0
    assert first["agents"] == {"available": 8}
    assert set(first["levels"]) == {
        "service_level",
        "longest_wait",
        "waiting",
        "abandon_rate",
    }
    one = await (await client.get("/api/v1/queues/bookings", headers=SUP)).json()
    assert one["calls"] == []


@pytest.mark.parametrize(
    "path", ["/api/v1/queues/nowhere", "/api/v1/agents/9999", "/api/v1/nothing-here"]
)
async def test_unknown_things_are_404_json(client: WebClient, path: str) -> None:
    assert await error_of(await client.get(path, headers=SUP), 404) == "not_found"


async def test_wrong_method_is_405_json(client: WebClient) -> None:
    response = await client.delete("/api/v1/queues", headers=SUP)
    assert await error_of(response, 405) == "method_not_allowed"


async def test_an_agent_view_has_times_by_state(client: WebClient) -> None:
    agent = await (await client.get("/api/v1/agents/1001", headers=SUP)).json()
    assert agent["state"] == "available"
    assert agent["name"] == "Anna"
    assert "available" in agent["seconds_by_state"]


async def test_log_in_sets_a_strict_http_only_cookie(client: WebClient) -> None:
    response = await client.post(
        "/api/v1/session", json={"username": "sam", "password": "correct horse battery"}
    )
    assert response.status == 200
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    me = await (await client.get("/api/v1/session")).json()
    assert me["name"] == "sam"
    assert me["role"] == "supervisor"
    assert len(me["csrf_token"]) > 20


async def test_secure_cookies_by_default(
    aiohttp_client: AiohttpClient, center: CallCenter, tmp_path: Path
) -> None:
    client = await aiohttp_client(
        create_app(center, web_settings(tmp_path, secure_cookies=True))
    )
    response = await client.post(
        "/api/v1/session", json={"username": "sam", "password": PASSWORD}
    )
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (b'{"username": "sam", "password": "nope"}', {}, 401, "bad_credentials"),
        (b'{"username": "eve", "password": "x"}', {}, 401, "bad_credentials"),
        (b"{not json", {}, 400, "invalid_json"),
        (b'{"username": "sam"}', {}, 422, "invalid"),
        (b'{"username": "sam", "password": "x", "admin": true}', {}, 422, "invalid"),
        (b"[1, 2]", {}, 422, "invalid"),
        (b"username=sam", {"Content-Type": "application/x-www-form-urlencoded"}, 415,
         "unsupported_media_type"),
        (b"x" * 20000, {}, 413, "too_large"),
    ],
)  # fmt: skip
async def test_bad_log_ins_get_clear_json_errors(
    client: WebClient, body: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    response = await client.post(
        "/api/v1/session",
        data=body,
        headers={"Content-Type": "application/json", **headers},
    )
    assert await error_of(response, status) == code


async def test_a_session_action_needs_the_csrf_token(
    client: WebClient, center: CallCenter
) -> None:
    csrf = await log_in(client)
    response = await client.post(
        "/api/v1/agents/1002/pause", json={"reason": "coaching"}
    )
    assert await error_of(response, 403) == "csrf"
    response = await client.post(
        "/api/v1/agents/1002/pause",
        json={"reason": "coaching"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status == 200
    assert center.switchboard.acd.agent_state(AgentId("1002")) == ev.AgentState.PAUSED


async def test_log_out_ends_the_session(client: WebClient) -> None:
    csrf = await log_in(client)
    response = await client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
    assert response.status == 204
    assert (await client.get("/api/v1/session")).status == 401


async def test_agents_cannot_act(client: WebClient) -> None:
    response = await client.post("/api/v1/agents/1001/logout", headers=AGENT)
    assert await error_of(response, 403) == "forbidden"
    csrf = await log_in(client, "ann")
    response = await client.post(
        "/api/v1/agents/1001/unpause", headers={"X-CSRF-Token": csrf}
    )
    assert await error_of(response, 403) == "forbidden"
    assert (
        await error_of(await client.get("/api/v1/audit", headers=AGENT), 403)
        == "forbidden"
    )
    assert (await client.get("/api/v1/queues", headers=AGENT)).status == 200


async def test_pause_unpause_and_log_out_are_audited(
    client: WebClient, center: CallCenter
) -> None:
    acted: list[ev.SupervisorActed] = []
    center.bus.add_listener(
        lambda e: acted.append(e) if isinstance(e, ev.SupervisorActed) else None
    )
    agent = AgentId("1003")
    acd = center.switchboard.acd
    response = await client.post(
        "/api/v1/agents/1003/pause", json={"reason": "training"}, headers=SUP
    )
    body = await response.json()
    assert body["ok"] is True
    assert acd.agent_view(agent, center.clock.now()).reason == "training"
    assert (await client.post("/api/v1/agents/1003/unpause", headers=SUP)).status == 200
    assert acd.agent_state(agent) == ev.AgentState.AVAILABLE
    assert (await client.post("/api/v1/agents/1003/logout", headers=SUP)).status == 200
    assert acd.agent_state(agent) == ev.AgentState.LOGGED_OUT
    assert [(a.action, a.supervisor, a.ok) for a in acted] == [
        ("pause", "prometheus", True), ("unpause", "prometheus", True),
        ("logout", "prometheus", True),
    ]  # fmt: skip
    audit = await (await client.get("/api/v1/audit", headers=SUP)).json()
    assert [a["action"] for a in audit] == ["logout", "unpause", "pause"]
    lines = (center.settings.general.data_dir / "audit.jsonl").read_text().splitlines()
    assert len(lines) == 3


async def public_queues(
    client: WebClient, until: Callable[[dict[str, Any]], bool] = bool
) -> dict[str, dict[str, Any]]:
    """Poll ``/api/stats`` until its queues part satisfies ``until`` (5 s at most)."""
    async with asyncio.timeout(5):
        while True:
            body = await (await client.get("/api/stats")).json()
            queues: dict[str, dict[str, Any]] = body["queues"]
            if until(queues):
                return queues
            await asyncio.sleep(0.05)


async def test_public_counts_show_every_queues_live_figures(
    client: WebClient, center: CallCenter
) -> None:
    acd = center.switchboard.acd
    queues = await public_queues(client)
    assert list(queues) == acd.queue_names()
    for name, shown in queues.items():
        stats = acd.queue_stats(QueueName(name), center.clock.now())
        assert shown["agents_available"] == stats.agents_available > 0
        assert (shown["waiting"], shown["offered"]) == (stats.waiting, stats.offered)


async def test_public_queue_figures_follow_an_agent_within_about_a_second(
    client: WebClient, center: CallCenter
) -> None:
    served = center.switchboard.acd.agent_queues(AgentId("1001"))
    before = await public_queues(client)
    response = await client.post("/api/v1/agents/1001/pause", headers=SUP)
    assert (await response.json())["ok"] is True
    paused_at = time.monotonic()
    expected = {q: before[q]["agents_available"] - 1 for q in served}
    await public_queues(
        client,
        lambda queues: {q: queues[q]["agents_available"] for q in served} == expected,
    )
    assert time.monotonic() - paused_at < 2.0


async def test_a_refused_action_says_why(client: WebClient) -> None:
    await client.post("/api/v1/agents/1004/logout", headers=SUP)
    response = await client.post("/api/v1/agents/1004/unpause", headers=SUP)
    assert await error_of(response, 409) == "illegal-transition"


async def test_queue_membership_and_penalty(
    client: WebClient, center: CallCenter
) -> None:
    acd, agent = center.switchboard.acd, AgentId("1005")
    bookings = QueueName("bookings")
    path = "/api/v1/agents/1005/queues/bookings"
    assert (await client.put(path, json={"penalty": 4}, headers=SUP)).status == 200
    assert acd.agent_view(agent, 0.0).queues[bookings] == 4
    assert (await client.delete(path, headers=SUP)).status == 200
    assert bookings not in acd.agent_view(agent, 0.0).queues
    assert (await client.put(path, json={"penalty": 1}, headers=SUP)).status == 200
    assert acd.agent_view(agent, 0.0).queues[bookings] == 1


@pytest.mark.parametrize(
    ("call", "status", "code"),
    [
        (("put", "/api/v1/agents/1005/queues/nowhere", {}), 404, "not_found"),
        (("put", "/api/v1/agents/1005/queues/bookings", {"penalty": -1}), 422, "invalid"),
        (("put", "/api/v1/agents/1005/queues/bookings", {"penalty": "x"}), 422, "invalid"),
        (("post", "/api/v1/agents/1005/pause", {"reason": ""}), 422, "invalid"),
        (("post", "/api/v1/agents/1005/pause", {"reason": "<script>"}), 422, "invalid"),
        (("post", "/api/v1/agents/9999/pause", {}), 404, "not_found"),
        (("post", "/api/v1/agents/1005/monitor", {"extension": "2001"}), 409, "no_call"),
        (("post", "/api/v1/agents/1005/monitor", {"mode": "shout", "extension": "1"}), 422,
         "invalid"),
        (("delete", "/api/v1/agents/1005/monitor", {}), 409, "not_monitoring"),
    ],
)  # fmt: skip
async def test_bad_actions_get_clear_json_errors(
    client: WebClient, call: tuple[str, str, dict[str, object]], status: int, code: str
) -> None:
    method, path, body = call
    response = await getattr(client, method)(path, json=body, headers=SUP)
    assert await error_of(response, status) == code


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 422),
        ("from=2026-01-05", 422),
        ("from=yesterday&to=2026-01-05", 422),
        ("from=2026-01-06&to=2026-01-05", 422),
        ("from=2026-01-05&to=2026-01-05&by=planet", 422),
        ("from=2026-01-05&to=2026-01-05&interval=week", 422),
        ("from=2020-01-01&to=2026-01-05", 422),
        ("from=2026-01-05&to=2026-01-05&by=agent&interval=hour", 200),
    ],
)
async def test_report_parameters_are_checked(
    client: WebClient, query: str, status: int
) -> None:
    response = await client.get(f"/api/v1/reports/calls?{query}", headers=SUP)
    assert response.status == status
    if status != 200:
        assert (await response.json())["error"]["code"] == "invalid"


async def test_openapi_document_lists_every_endpoint(client: WebClient) -> None:
    document = await (await client.get("/api/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    assert {
        "/api/v1/queues", "/api/v1/agents/{agent_id}/pause", "/api/v1/reports/calls",
        "/api/v1/calls", "/api/v1/complaints", "/api/v1/stats",
    } <= set(document["paths"])  # fmt: skip


async def test_metrics_expose_queue_and_agent_gauges_and_counters(
    client: WebClient,
) -> None:
    response = await client.get("/metrics", headers=SUP)
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = await response.text()
    assert 'callcenter_queue_waiting{queue="bookings"} 0' in text
    assert "# TYPE callcenter_queue_calls_offered_total counter" in text
    assert 'callcenter_agent_state{agent="1001",state="available"} 1' in text
    assert 'callcenter_queue_agents{queue="bookings",state="available"} 8' in text
    assert 'callcenter_complaints_open{severity="urgent"} 0' in text
