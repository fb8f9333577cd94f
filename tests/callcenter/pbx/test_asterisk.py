"""The whole call center on a fake Asterisk: AMI server + FastAGI calls on loopback.

The fake plays Asterisk's part of the design recorded in transcript 09: the caller
runs our AGI, waits on hold inside it, is moved out by a ``Redirect`` to the dialplan
that dials the agent, and comes back to the AGI after the agent hangs up.
"""

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TypeVar

import pytest
from pydantic import SecretStr

from acd import inputs as acd_in
from callcenter.center import CallCenter, make_call_center
from callcenter.core.services import InMemoryServices
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId
from callcenter.pbx.asterisk import AsteriskPbx, PbxUnavailableError
from callcenter.settings import (
    AgentSettings,
    IvrSettings,
    PbxSettings,
    QueueSettings,
    Settings,
)
from tests.callcenter.pbx.fake_asterisk import AgiCall, FakeAmi, eventually, free_port

REPO = Path(__file__).parents[3]
FLOW = """\
description: Test line - a prompt, then the support queue, then the survey
start: welcome
nodes:
  welcome:
    kind: play
    prompts: [custom/welcome]
    next: support
  support:
    kind: enqueue
    queue: support
    hold: {moh: default, announce_every: 0}
    after_call: survey
"""
CALLER = "1795342860.36"
CALL = "1795342860.35"


def settings_for(ami: FakeAmi, flows: Path, secret: str = "s3cret") -> Settings:  # noqa: S107
    return Settings(
        pbx=PbxSettings(
            kind="asterisk",
            port=ami.port,
            username="callcenter",
            secret=SecretStr(secret),
            agi_port=free_port(),
            connect_timeout=2.0,
        ),
        ivr=IvrSettings(flows_dir=flows, main_flow="test"),
        queues=(QueueSettings(name="support", ring_timeout=15, wrap_up=0),),
        agents=(
            AgentSettings(
                id="1001", name="Ann", queues={"support": 0}, simulated=False
            ),
        ),
    )


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    (tmp_path / "test.yaml").write_text(FLOW)
    shutil.copy(REPO / "config" / "ivr" / "survey.yaml", tmp_path / "survey.yaml")
    return tmp_path


@pytest.fixture
async def ami() -> AsyncIterator[FakeAmi]:
    server = FakeAmi()
    await server.start()
    yield server
    await server.stop()


E = TypeVar("E", bound=ev.DomainEvent)


class Running:
    def __init__(self, center: CallCenter, services: InMemoryServices) -> None:
        self.center = center
        self.services = services
        self.events: list[ev.DomainEvent] = []
        center.bus.add_listener(self.events.append)

    @property
    def pbx(self) -> AsteriskPbx:
        assert isinstance(self.center.pbx, AsteriskPbx)
        return self.center.pbx

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    async def until(self, kind: type[E]) -> E:
        await eventually(lambda: bool(self.of(kind)))
        return self.of(kind)[-1]


@pytest.fixture
async def running(ami: FakeAmi, flows: Path) -> AsyncIterator[Running]:
    services = InMemoryServices()
    center = make_call_center(settings_for(ami, flows), services=services)
    assert isinstance(center.pbx, AsteriskPbx)
    center.pbx._hold_poll_ms = 50
    run = Running(center, services)
    await center.pbx.start()
    for output in center.switchboard.acd.handle(
        acd_in.LogIn(agent_id=AgentId("1001")), 0.0
    ):
        if isinstance(output, ev.DomainEvent):
            center.bus.publish(output)
    task = asyncio.create_task(center.runtime.run())
    yield run
    center.runtime.stop()
    await task
    await center.runtime.shut_down()
    await center.pbx.close()


def caller_event(ami: FakeAmi, name: str, **headers: str) -> None:
    ami.event(
        name, Channel="PJSIP/sipp-00000001", Uniqueid=CALLER, Linkedid=CALL, **headers
    )


async def test_a_call_goes_through_ivr_queue_agent_and_survey(
    running: Running, ami: FakeAmi
) -> None:
    call = AgiCall(uniqueid=CALLER, linkedid=CALL)
    await call.connect(running.pbx.agi.port)
    await call.expect("ANSWER")
    offered = await running.until(ev.CallOffered)
    assert (offered.call_id, offered.caller_number) == (CALL, "+8613800138000")
    assert call.variables["CC_CALL_ID"] == CALL
    await call.expect("STREAM FILE custom/welcome", "200 result=0 endpos=8000")
    # queued: the ACD assigns agent 1001 at once, the caller is redirected to ring it
    redirect = await _redirect(ami)
    assert redirect["Context"] == "callcenter-connect"
    assert redirect["Channel"] == "PJSIP/sipp-00000001"
    setvars = {a["Variable"]: a["Value"] for a in ami.named("Setvar")}
    assert setvars == {
        "CC_ENDPOINT": "PJSIP/1001",
        "CC_RING_TIMEOUT": "15",
        "CC_AGENT": "1001",
    }
    # Asterisk bumps the AGI out of its hold: -1, HANGUP, then 511s until we close
    call.send("200 result=-1")
    assert await call.closed_by_server()
    caller_event(
        ami,
        "DialBegin",
        DestChannel="PJSIP/1001-00000002",
        DestUniqueid="1795342866.37",
    )
    ringing = await running.until(ev.AgentRinging)
    assert ringing.agent_id == "1001"
    await running.until(ev.ScreenPopReady)
    caller_event(
        ami,
        "DialEnd",
        DestChannel="PJSIP/1001-00000002",
        DestUniqueid="1795342866.37",
        DialStatus="ANSWER",
    )
    await running.until(ev.CallAnswered)
    # the agent hangs up; Dial(g) returns the caller to our AGI for the survey
    ami.event(
        "Hangup", Channel="PJSIP/1001-00000002", Uniqueid="1795342866.37", Linkedid=CALL
    )
    await running.until(ev.AgentLegEnded)
    again = AgiCall(uniqueid=CALLER, linkedid=CALL)
    await again.connect(running.pbx.agi.port)
    await again.expect("STREAM FILE custom/survey-intro", "200 result=0 endpos=100")
    for _ in range(3):
        await again.expect("GET DATA", "200 result=5")
    await again.expect("STREAM FILE custom/survey-thanks", "200 result=0 endpos=100")
    await again.expect("HANGUP", "200 result=1")
    completed = await running.until(ev.CallCompleted)
    assert completed.outcome is ev.CallOutcome.ANSWERED
    assert completed.agent_id == "1001"
    assert running.services.surveys[CallId(CALL)] == {
        "satisfaction": 5,
        "resolved": 5,
        "agent": 5,
    }
    assert running.center.switchboard.calls_in_progress() == 0
    again.close()
    call.close()


async def _redirect(ami: FakeAmi) -> dict[str, str]:
    await eventually(lambda: bool(ami.named("Redirect")))
    return ami.named("Redirect")[0]


async def test_a_missed_ring_returns_the_caller_to_hold(
    running: Running, ami: FakeAmi
) -> None:
    call = AgiCall(uniqueid=CALLER, linkedid=CALL)
    await call.connect(running.pbx.agi.port)
    await call.expect("ANSWER")
    await call.expect("STREAM FILE", "200 result=0 endpos=8000")
    await _redirect(ami)
    call.send("200 result=-1")
    assert await call.closed_by_server()
    caller_event(
        ami,
        "DialBegin",
        DestChannel="PJSIP/1001-00000002",
        DestUniqueid="1795342866.37",
    )
    await running.until(ev.AgentRinging)
    caller_event(
        ami,
        "DialEnd",
        DestChannel="PJSIP/1001-00000002",
        DestUniqueid="1795342866.37",
        DialStatus="NOANSWER",
    )
    await running.until(ev.AgentNoAnswer)
    back = AgiCall(uniqueid=CALLER, linkedid=CALL)
    await back.connect(running.pbx.agi.port)
    # the hold resumes at once, with no new IVR command
    assert (await back.command()).startswith("SET MUSIC ON default")
    back.send("200 result=0")
    assert (await back.command()).startswith("WAIT FOR DIGIT")
    back.send("200 result=0")
    back.close()
    call.close()


async def test_a_hang_up_mid_prompt_ends_the_call_cleanly(running: Running) -> None:
    call = AgiCall(uniqueid=CALLER, linkedid=CALL)
    await call.connect(running.pbx.agi.port)
    await call.expect("ANSWER")
    assert (await call.command()).startswith("STREAM FILE")
    call.send(
        "HANGUP", "511 Command Not Permitted on a dead channel or intercept routine"
    )
    assert await call.closed_by_server()
    ended = await running.until(ev.CallEnded)
    assert ended.by is ev.Party.CALLER
    completed = await running.until(ev.CallCompleted)
    assert completed.outcome in {ev.CallOutcome.IVR_ONLY, ev.CallOutcome.ABANDONED}
    assert running.center.switchboard.calls_in_progress() == 0
    assert running.pbx._lines == {}
    call.close()


async def test_the_ami_reporting_the_hang_up_closes_an_idle_agi_session(
    running: Running, ami: FakeAmi
) -> None:
    call = AgiCall(uniqueid=CALLER, linkedid=CALL)
    await call.connect(running.pbx.agi.port)
    await call.expect("ANSWER")
    assert (await call.command()).startswith("STREAM FILE")
    caller_event(ami, "HangupRequest", Cause="16")
    call.send("200 result=-1 endpos=10")  # the prompt stops: the caller left
    assert await call.closed_by_server()
    caller_event(ami, "Hangup", Cause="16")
    ended = await running.until(ev.CallEnded)
    assert ended.by is ev.Party.CALLER
    call.close()


async def test_start_reports_bad_credentials_in_one_line(
    ami: FakeAmi, flows: Path
) -> None:
    center = make_call_center(settings_for(ami, flows, secret="wrong"))
    with pytest.raises(PbxUnavailableError, match="Authentication failed"):
        await center.pbx.start()
    await center.pbx.close()
