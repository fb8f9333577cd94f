"""AmiClient against a loopback fake Asterisk replaying recorded transcripts."""

import asyncio
import logging
import random
import re
import socket
from collections.abc import AsyncIterator

import pytest

from callcenter.ami.client import AmiClient, ConnectionState, backoff_delay
from callcenter.ami.errors import ActionFailed, AmiTimeout, ConnectionLost, LoginFailed
from callcenter.ami.messages import Action, Event
from tests.callcenter.ami.fake_server import FakeAmi
from tests.callcenter.ami.transcripts import event_frames, rx


def channel_frames(name: str) -> list[bytes]:
    body = rx(name).split(b"\r\n", 1)[1]
    return [
        f + b"\r\n\r\n"
        for f in body.split(b"\r\n\r\n")
        if f.startswith(b"Event: CoreShowChannel\r\n")
    ]


HOLD_CHANNELS = channel_frames("07-redirect-dial-bridge")
AGI_CHANNELS = channel_frames("09-fastagi-hold-redirected")


def names(frames: list[bytes]) -> list[str]:
    return [f.split(b"\r\n", 1)[0].decode().removeprefix("Event: ") for f in frames]


@pytest.fixture
async def server() -> AsyncIterator[FakeAmi]:
    fake = FakeAmi(channels=HOLD_CHANNELS, events=event_frames(rx("04-queue-answered")))
    await fake.start()
    yield fake
    await fake.stop()


def client_for(fake: FakeAmi, **options: object) -> AmiClient:
    settings: dict[str, object] = {
        "port": fake.port,
        "username": "cti",
        "secret": "cti-secret",
        "ping_interval": None,
        "backoff_initial": 0.05,
        "backoff_max": 0.2,
        "rng": random.Random(4),
    }
    settings.update(options)
    return AmiClient(**settings)  # type: ignore[arg-type]


async def test_actions_lists_and_errors(
    server: FakeAmi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with client_for(server) as ami:
        assert ami.state is ConnectionState.CONNECTED
        assert ami.banner is not None
        assert ami.banner.version == "11.0.0"
        pong = await ami.action(Action(name="Ping"))
        assert pong.response.get("Ping") == "Pong"
        channels = await ami.action(Action(name="CoreShowChannels"))
        assert [e.get("Channel") for e in channels] == [
            "Local/hold@from-caller-00000008;1",
            "Local/hold@from-caller-00000008;2",
        ]
        assert channels.complete is not None
        unknown = await ami.action(Action(name="NoSuchAction"))
        assert not unknown.ok
        with pytest.raises(ActionFailed, match="Invalid/unknown command"):
            await ami.action(Action(name="NoSuchAction"), check=True)
        assert "cti-secret" not in repr(ami)
        sock = ami._session.transport.get_extra_info("socket")  # type: ignore[union-attr]
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    assert server.actions[0]["Secret"] == "cti-secret"
    assert server.actions[-1]["Action"] == "Logoff"
    assert ami.state.value == "closed"
    assert "cti-secret" not in caplog.text


async def test_wrong_secret_fails_fast(server: FakeAmi) -> None:
    with pytest.raises(LoginFailed, match="Authentication failed"):
        async with client_for(server, secret="nope"):
            pass


async def test_events_are_delivered_in_order_to_each_subscriber(
    server: FakeAmi,
) -> None:
    ami = client_for(server)
    everything = ami.subscribe()
    hangups = ami.subscribe("hangup")
    small = ami.subscribe(maxsize=5)
    expected = names(event_frames(rx("04-queue-answered")))
    async with ami:
        got = [(await anext(everything)).name for _ in expected]
    assert got == expected
    assert [e.name for e in hangups.get_nowait()] == [
        n for n in expected if n == "Hangup"
    ]
    assert len(small.get_nowait()) == 5
    assert small.dropped == len(expected) - 5
    assert [e async for e in everything] == []  # closed with the client


async def test_action_timeout_then_late_answer_is_ignored(server: FakeAmi) -> None:
    async with client_for(server) as ami:
        server.silent = True
        with pytest.raises(AmiTimeout):
            await ami.action(Action(name="Ping"), timeout=0.1)
        server.silent = False
        assert (await ami.action(Action(name="Ping"))).ok


async def test_pending_action_fails_when_the_connection_drops(server: FakeAmi) -> None:
    async with client_for(server, backoff_initial=5.0) as ami:
        server.silent = True
        pending = asyncio.create_task(ami.action(Action(name="Ping"), timeout=5))
        await asyncio.sleep(0.05)
        await server.stop()
        with pytest.raises(ConnectionLost):
            await pending
        await server.start()


async def test_keepalive_detects_a_dead_peer(server: FakeAmi) -> None:
    states: list[ConnectionState] = []
    async with client_for(server, ping_interval=0.1, on_state=states.append):
        server.silent = True
        for _ in range(100):
            if ConnectionState.DISCONNECTED in states:
                break
            await asyncio.sleep(0.02)
        server.silent = False
    assert ConnectionState.DISCONNECTED in states


async def test_reconnect_with_backoff_and_resync(
    server: FakeAmi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="callcenter.ami.client")
    resyncs: list[list[str | None]] = []

    async def resync(ami: AmiClient) -> None:
        result = await ami.action(Action(name="CoreShowChannels"))
        resyncs.append([e.get("Channel") for e in result])

    ami = client_for(server, on_connected=resync)
    events = ami.subscribe()
    async with ami:
        states = ami.states()
        assert await anext(states) is ConnectionState.CONNECTED
        await server.stop()  # Asterisk crashes: the socket just closes
        assert await anext(states) is ConnectionState.DISCONNECTED
        await asyncio.sleep(0.4)  # a few refused attempts with growing delays
        restarted = FakeAmi(
            port=server.port,
            channels=AGI_CHANNELS,
            events=event_frames(rx("05-queue-abandon")),
        )
        await restarted.start()
        async with asyncio.timeout(5):
            async for state in states:
                if state is ConnectionState.CONNECTED:
                    break
        assert (await ami.action(Action(name="Ping"))).ok
        await restarted.stop()
        server.port = restarted.port
        await server.start()  # for the fixture's teardown
    assert resyncs == [
        ["Local/hold@from-caller-00000008;1", "Local/hold@from-caller-00000008;2"],
        ["Local/100@from-caller-0000000a;2", "Local/100@from-caller-0000000a;1"],
    ]
    delays = [
        float(d)
        for d in re.findall(r"reconnect attempt \d+ in ([\d.]+) s", caplog.text)
    ]
    failures = caplog.text.count("failed")
    assert failures >= 2
    assert len(delays) >= 3
    assert delays[2] > delays[0]
    assert all(d <= 0.2 for d in delays)
    received = [e.name for e in events.get_nowait() if isinstance(e, Event)]
    expected = names(event_frames(rx("04-queue-answered"))) + names(
        event_frames(rx("05-queue-abandon"))
    )
    assert received == expected


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    rng = random.Random(0)
    for attempt in range(12):
        delay = backoff_delay(attempt, initial=0.5, maximum=30.0, rng=rng)
        ceiling = min(30.0, 0.5 * 2**attempt)
        assert ceiling / 2 <= delay <= ceiling
    assert backoff_delay(10_000, initial=0.5, maximum=30.0, rng=rng) <= 30.0
