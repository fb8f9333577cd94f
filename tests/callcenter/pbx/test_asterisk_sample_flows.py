"""The shipped sample flows run over FastAGI with the commands a real Asterisk expects.

A fake Asterisk (AMI server + a FastAGI client on loopback) answers every AGI command
the way Asterisk does, and checks each against the AGI command syntax. The caller keys
1 at every prompt until the flow puts them on hold in a queue, then hangs up.
"""

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from callcenter.center import make_call_center
from callcenter.core.services import InMemoryServices
from callcenter.domain import events as ev
from callcenter.pbx.asterisk import AsteriskPbx
from callcenter.settings import AgentSettings, IvrSettings, PbxSettings, Settings
from tests.callcenter.pbx.fake_asterisk import AgiCall, FakeAmi, eventually, free_port

REPO = Path(__file__).parents[3]
CALLER, CALL = "1795342860.36", "1795342860.35"

# The AGI commands of Asterisk's res_agi with their argument syntax, and the reply
# Asterisk sends when the caller keys "1" (ASCII 49) or simply listens.
AGI_SYNTAX: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^ANSWER$"), "200 result=0"),
    (re.compile(r'^STREAM FILE \S+ "[0-9*#]*"( -?\d+)?$'), "200 result=0 endpos=8000"),
    (re.compile(r"^GET DATA \S+( \d+( \d+)?)?$"), "200 result=1"),
    (re.compile(r'^SAY (NUMBER|DIGITS) -?\d+ "[0-9*#]*"$'), "200 result=0"),
    (re.compile(r'^SAY DATE \d+ "[0-9*#]*"$'), "200 result=0"),
    (re.compile(r"^WAIT FOR DIGIT -?\d+$"), "200 result=0"),
    (re.compile(r"^SET MUSIC (ON|OFF)( \S+)?$"), "200 result=0"),
    (re.compile(r"^EXEC \S+( .*)?$"), "200 result=0"),
    (re.compile(r"^SET (CONTEXT|EXTENSION|PRIORITY) \S+$"), "200 result=0"),
    (re.compile(r'^VERBOSE ".*"( \d)?$'), "200 result=1"),
    (re.compile(r"^HANGUP( \S+)?$"), "200 result=1"),
)


def reply_for(line: str) -> str:
    for pattern, reply in AGI_SYNTAX:
        if pattern.match(line):
            return reply
    pytest.fail(f"not an AGI command Asterisk accepts: {line!r}")


def settings_for(ami: FakeAmi, flow: str) -> Settings:
    return Settings(
        pbx=PbxSettings(
            kind="asterisk",
            port=ami.port,
            username="callcenter",
            secret=SecretStr("s3cret"),
            agi_port=free_port(),
            connect_timeout=2.0,
        ),
        ivr=IvrSettings(flows_dir=REPO / "config" / "ivr", main_flow=flow),
        agents=(
            AgentSettings(
                id="1001", name="Ann", queues={"reservations": 0}, simulated=False
            ),
        ),
    )


@pytest.fixture
async def ami() -> AsyncIterator[FakeAmi]:
    server = FakeAmi()
    await server.start()
    yield server
    await server.stop()


async def drive_until_hold(call: AgiCall) -> list[str]:
    """Answer every command like Asterisk until the caller is on music on hold."""
    seen: list[str] = []
    for _ in range(200):
        line = await call.command()
        seen.append(line)
        call.send(reply_for(line))
        if line.startswith("SET MUSIC ON"):
            return seen
        if line.startswith("HANGUP"):
            pytest.fail(f"the flow hung up before queueing: {seen}")
    pytest.fail(f"no hold after 200 commands: {seen}")


@pytest.mark.parametrize("flow", ["main", "hotel", "travel"])
async def test_a_sample_flow_runs_over_fastagi_into_a_queue(
    ami: FakeAmi, flow: str
) -> None:
    services = InMemoryServices()
    center = make_call_center(settings_for(ami, flow), services=services)
    pbx = center.pbx
    assert isinstance(pbx, AsteriskPbx)
    events: list[ev.DomainEvent] = []
    center.bus.add_listener(events.append)
    await pbx.start()
    task = asyncio.create_task(center.runtime.run())
    try:
        call = AgiCall(uniqueid=CALLER, linkedid=CALL)
        await call.connect(pbx.agi.port)
        seen = await drive_until_hold(call)
        assert seen[0] == "ANSWER" or any(line == "ANSWER" for line in seen)
        assert any(line.startswith(("STREAM FILE", "GET DATA")) for line in seen)
        assert any(isinstance(e, ev.CallQueued) for e in events)
        # The caller hangs up on hold: Asterisk sends HANGUP, then 511 to everything.
        call.send("HANGUP")
        ami.event(
            "Hangup", Channel=call.name, Uniqueid=CALLER, Linkedid=CALL, Cause="16"
        )
        await call.closed_by_server()
        await eventually(lambda: any(isinstance(e, ev.CallCompleted) for e in events))
        (completed,) = [e for e in events if isinstance(e, ev.CallCompleted)]
        assert completed.outcome is ev.CallOutcome.ABANDONED
        call.close()
    finally:
        center.runtime.stop()
        await task
        await center.runtime.shut_down()
        await pbx.close()
