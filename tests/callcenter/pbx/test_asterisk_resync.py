"""After an AMI outage the adapter re-reads the channels and settles what it missed.

The fake AMI server answers ``CoreShowChannels`` from a list the test edits; it drops
the connection, stays down for a while (the client backs off), and comes back with
different channels.
"""

import asyncio
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from callcenter.ami.client import ConnectionState
from callcenter.clock import SystemClock
from callcenter.domain import events as ev
from callcenter.domain.ids import CallId
from callcenter.pbx.asterisk import AsteriskPbx
from callcenter.settings import PbxSettings
from tests.callcenter.pbx.fake_asterisk import FakeAmi, channel, eventually, free_port

AGI = "agi://127.0.0.1:4573/callcenter"


@pytest.fixture
async def ami() -> AsyncIterator[FakeAmi]:
    server = FakeAmi()
    server.channels = [
        channel("100.1", "PJSIP/alice-00000001", app="AGI", data=AGI, number="+861"),
        channel("100.2", "PJSIP/bob-00000002", app="AGI", data=AGI, number="+862"),
    ]
    await server.start()
    yield server
    await server.stop()


async def test_reconnect_backs_off_and_resyncs_the_registry(ami: FakeAmi) -> None:
    settings = PbxSettings(
        kind="asterisk",
        port=ami.port,
        secret=SecretStr("s3cret"),
        agi_port=free_port(),
    )
    pbx = AsteriskPbx(settings, SystemClock())
    pbx.ami.backoff_initial, pbx.ami.ping_interval = 0.05, None
    seen: list[ev.DomainEvent] = []
    states: list[ConnectionState] = []
    pbx.attach(seen.append)
    await pbx.start()
    pbx.ami._on_state = states.append
    try:
        # the first resync adopts the callers already in our AGI
        assert {e.call_id for e in seen if isinstance(e, ev.CallOffered)} == {
            "100.1",
            "100.2",
        }
        seen.clear()
        # Asterisk goes away; meanwhile Alice hangs up, Bob's agent answers, Carol calls
        port = ami.port
        await ami.stop()
        await eventually(lambda: ConnectionState.DISCONNECTED in states)
        ami.channels = [
            channel("100.2", "PJSIP/bob-00000002", app="Dial", number="+862"),
            channel("100.5", "PJSIP/1001-00000005", linkedid="100.2", app="AppDial"),
            channel(
                "100.7", "PJSIP/carol-00000007", app="AGI", data=AGI, number="+863"
            ),
        ]
        await asyncio.sleep(0.3)  # a few failed attempts with growing delays
        await ami.start(port)
        await eventually(lambda: states[-1] is ConnectionState.CONNECTED)
        assert ami.logins == 2
        assert sorted(map(_summary, seen)) == [
            ("CallAnswered", "100.2", "1001"),
            ("CallEnded", "100.1", "system"),
            ("CallOffered", "100.7", ""),
        ]
        assert {c.call_id for c in pbx.registry.calls} == {"100.2", "100.7"}
        agent = pbx.registry.agent_leg(CallId("100.2"))
        assert agent is not None
        assert agent.answered
        # a later event about an adopted leg is understood
        ami.event(
            "Hangup", Channel="PJSIP/1001-00000005", Uniqueid="100.5", Linkedid="100.2"
        )
        await eventually(lambda: any(isinstance(e, ev.AgentLegEnded) for e in seen))
    finally:
        await pbx.close()


def _summary(event: ev.DomainEvent) -> tuple[str, str, str]:
    call_id = str(getattr(event, "call_id", ""))
    detail = getattr(event, "agent_id", None) or getattr(event, "by", "")
    return (type(event).__name__, call_id, str(detail))
