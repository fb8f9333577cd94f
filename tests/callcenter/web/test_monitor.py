"""Supervisors listen to, whisper to and barge into an agent's call from the web API.

End to end on the embedded center: a caller goes straight to agent 1001, who is
played by a console (so the call lasts), and the simulated PBX bridges the
supervisor's phone (``sim/2001``) into the call. Every request is audited.
"""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from pytest_aiohttp import AiohttpClient

from callcenter.center import CallCenter
from callcenter.clock import SystemClock
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.supervision import (
    MonitorEnded,
    MonitorEndReason,
    MonitorEvent,
    MonitorMode,
    MonitorModeChanged,
    MonitorStarted,
)
from callcenter.pbx.simulated import SimulatedPbx
from callcenter.pbx.traffic import TrafficModel
from callcenter.settings import Settings
from callcenter.web import monitoring
from callcenter.web.app import create_app
from tests.callcenter.web.conftest import SUP, WebClient, log_in
from tests.callcenter.web.talking import (
    AGENT,
    console,
    running,
    talking,
    talking_settings,
    until,
)

MONITOR = "/api/v1/agents/1001/monitor"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return talking_settings(tmp_path)


class Recorder:
    def __init__(self, center: CallCenter) -> None:
        self.center = center
        self.events: list[ev.DomainEvent] = []
        center.bus.add_listener(self.events.append)

    def of(self, kind: type[MonitorEvent]) -> list[MonitorEvent]:
        return [e for e in self.events if isinstance(e, kind)]

    def acted(self) -> list[tuple[str, bool, str]]:
        return [
            (e.action, e.ok, e.code)
            for e in self.events
            if isinstance(e, ev.SupervisorActed)
        ]


@pytest.fixture
async def center(settings: Settings) -> AsyncIterator[CallCenter]:
    async with running(settings) as center:
        yield center


@pytest.fixture
def recorder(center: CallCenter) -> Recorder:
    return Recorder(center)


async def ok(response: ClientResponse, status: int = 200) -> Any:
    body = await response.json()
    assert response.status == status, body
    return body


@pytest.mark.parametrize("mode", list(MonitorMode))
async def test_each_mode_end_to_end_audited(
    client: WebClient, center: CallCenter, recorder: Recorder, mode: MonitorMode
) -> None:
    call = await talking(center)
    body = await ok(
        await client.post(MONITOR, json={"mode": mode.value, "extension": "2001"},
                          headers=SUP)
    )  # fmt: skip
    assert {k: body[k] for k in ("status", "mode", "endpoint", "call_id")} == {
        "status": "started", "mode": mode.value, "endpoint": "sim/2001", "call_id": call,
    }  # fmt: skip
    assert body["message"] == f"{monitoring.DOING[mode]} agent 1001 on sim/2001"
    (started,) = recorder.of(MonitorStarted)
    assert (started.supervisor, started.agent_id, started.mode) == (
        "prometheus", AGENT, mode,
    )  # fmt: skip
    sessions = await ok(await client.get("/api/v1/monitors", headers=SUP))
    assert [(s["agent_id"], s["mode"], s["started"]) for s in sessions] == [
        ("1001", mode.value, True)
    ]
    body = await ok(await client.delete(MONITOR, headers=SUP))
    assert (body["status"], body["endpoint"]) == ("stopped", "sim/2001")
    (ended,) = recorder.of(MonitorEnded)
    assert isinstance(ended, MonitorEnded)
    assert ended.reason is MonitorEndReason.STOPPED
    assert await ok(await client.get("/api/v1/monitors", headers=SUP)) == []
    assert recorder.acted() == [("monitor", True, "ok"), ("stop_monitor", True, "ok")]
    audit = await ok(await client.get("/api/v1/audit", headers=SUP))
    assert [(a["action"], a["args"]) for a in audit[:2]] == [
        ("stop_monitor", {"endpoint": "sim/2001"}),
        ("monitor", {"mode": mode.value, "endpoint": "sim/2001"}),
    ]
    lines = (center.settings.general.data_dir / "audit.jsonl").read_text().splitlines()
    assert len(lines) == 2
    assert center.switchboard.acd.agent_state(AGENT) is ev.AgentState.ON_CALL


async def test_listen_then_whisper_then_barge_switches_on_the_same_phone(
    client: WebClient, center: CallCenter, recorder: Recorder
) -> None:
    await talking(center)
    statuses = []
    for mode in ("listen", "whisper", "whisper", "barge"):
        body = await ok(
            await client.post(MONITOR, json={"mode": mode, "extension": "2001"},
                              headers=SUP)
        )  # fmt: skip
        statuses.append(body["status"])
    assert statuses == ["started", "changed", "unchanged", "changed"]
    changes = [
        (e.previous, e.mode)
        for e in recorder.of(MonitorModeChanged)
        if isinstance(e, MonitorModeChanged)
    ]
    assert changes == [
        (MonitorMode.LISTEN, MonitorMode.WHISPER),
        (MonitorMode.WHISPER, MonitorMode.BARGE),
    ]


async def test_a_logged_in_supervisor_is_called_on_their_configured_phone(
    client: WebClient, center: CallCenter
) -> None:
    await talking(center)
    csrf = await log_in(client)
    body = await ok(
        await client.post(MONITOR, json={"mode": "whisper"},
                          headers={"X-CSRF-Token": csrf})
    )  # fmt: skip
    assert (body["status"], body["endpoint"]) == ("started", "sim/2001")
    (session,) = center.switchboard.monitors.sessions
    assert session.supervisor == "sam"


async def test_the_end_of_the_agents_talk_ends_the_monitor(
    client: WebClient, center: CallCenter, recorder: Recorder
) -> None:
    call = await talking(center)
    await client.post(MONITOR, json={"extension": "PJSIP/2009"}, headers=SUP)
    await console(center, "hangup", call_id=call)
    await until(lambda: bool(recorder.of(MonitorEnded)))
    (ended,) = recorder.of(MonitorEnded)
    assert isinstance(ended, MonitorEnded)
    assert (ended.reason, ended.endpoint) == (MonitorEndReason.CALL_ENDED, "PJSIP/2009")
    assert await ok(await client.get("/api/v1/monitors", headers=SUP)) == []
    assert recorder.acted() == [("monitor", True, "ok"),
                                ("monitor_ended", True, "call_ended")]  # fmt: skip
    audit = await ok(await client.get("/api/v1/audit", headers=SUP))
    assert (audit[0]["supervisor"], audit[0]["agent_id"], audit[0]["args"]) == (
        "prometheus",
        "1001",
        {"call_id": call, "endpoint": "PJSIP/2009", "mode": "listen"},
    )
    lines = (center.settings.general.data_dir / "audit.jsonl").read_text().splitlines()
    assert [json.loads(line)["action"] for line in lines] == [
        "monitor",
        "monitor_ended",
    ]


async def error(response: ClientResponse, status: int) -> str:
    body = await response.json()
    assert response.status == status, body
    assert body["error"]["message"]
    return str(body["error"]["code"])


async def test_an_agent_not_on_a_call_is_a_clear_refusal_and_audited(
    client: WebClient, recorder: Recorder
) -> None:
    response = await client.post(MONITOR, json={"extension": "2001"}, headers=SUP)
    assert await error(response, 409) == "no_call"
    assert recorder.acted() == [("monitor", False, "no_call")]
    assert await error(await client.delete(MONITOR, headers=SUP), 409) == (
        "not_monitoring"
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"mode": "listen"}, 422, "no_phone"),  # the token's user has no phone
        ({"mode": "shout", "extension": "2001"}, 422, "invalid"),
        ({"extension": "20 01"}, 422, "invalid"),
    ],
)
async def test_bad_monitor_requests(
    client: WebClient, body: dict[str, str], status: int, code: str
) -> None:
    response = await client.post(MONITOR, json=body, headers=SUP)
    assert await error(response, status) == code


class SilentPhones(SimulatedPbx):
    """A PBX whose supervisors' phones ring and ring (nobody picks up)."""

    async def execute(self, command: cmd.PbxCommand) -> None:
        if not isinstance(command, cmd.MonitorCall):
            await super().execute(command)


async def test_a_phone_that_still_rings_answers_202(
    aiohttp_client: AiohttpClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(monitoring, "WAIT", 0.2)
    clock = SystemClock()
    phones = SilentPhones(TrafficModel(settings.simulation), clock)
    async with running(settings, phones, clock) as center:
        client = await aiohttp_client(create_app(center))
        await talking(center)
        response = await client.post(MONITOR, json={"extension": "2001"}, headers=SUP)
        body = await ok(response, 202)
        assert body["status"] == "ringing"
        assert body["message"] == "calling sim/2001: pick up to start listening to 1001"
        (session,) = center.switchboard.monitors.sessions
        assert not session.started
        response = await client.post(
            MONITOR, json={"mode": "barge", "extension": "2001"}, headers=SUP
        )
        assert await error(response, 409) == "monitor_pending"
