"""FastAgiServer against a loopback client playing Asterisk from real transcripts."""

import asyncio
import logging
import shlex
import time
from pathlib import Path

import pytest

from callcenter.agi.channel import AgiChannel
from callcenter.agi.errors import AgiInvalidCommand, AgiUsageError
from callcenter.agi.server import FastAgiServer
from tests.callcenter.agi.transcripts import (
    FIXTURES,
    SESSION_FILES,
    AgiTranscript,
    load,
)


def transcript(name: str) -> AgiTranscript:
    return load(FIXTURES / name)


async def play_asterisk(port: int, script: AgiTranscript) -> tuple[list[str], float]:
    """Act as Asterisk: send the env, answer each command from the recording.

    Returns the commands received and how long the server took to close after the
    last reply.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(script.env_bytes())
    received: list[str] = []
    for exchange in script.exchanges:
        line = await asyncio.wait_for(reader.readline(), 5)
        if not line:
            break
        command = line.decode().rstrip("\n")
        received.append(command)
        assert shlex.split(command) == shlex.split(exchange.command)
        writer.write("".join(f"{r}\n" for r in exchange.replies).encode())
    started = time.monotonic()
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()
    return received, time.monotonic() - started


async def ivr_main_03(channel: AgiChannel) -> None:
    """The script recorded in 03-fastagi-session, written with typed methods."""
    await channel.answer()
    assert await channel.stream_file("hello-world") == (None, 11360)
    assert await channel.get_data("beep", 2000, 2) == ("", True)
    assert await channel.wait_for_digit(500) is None
    assert await channel.say_number(3) is None
    assert await channel.say_digits("4711") is None
    await channel.set_variable("QUEUE_POS", 3)
    assert await channel.get_variable("CALLERID(num)") == "+8613800138000"
    assert await channel.get_full_variable("${CHANNEL}") == channel.env.channel
    assert await channel.exec("Playback", "beep") == 0
    assert await channel.exec("MusicOnHold", "default,2") == 0
    with pytest.raises(AgiInvalidCommand):
        await channel.command("NO SUCH COMMAND")
    with pytest.raises(AgiUsageError) as usage:
        await channel.command("SAY NUMBER")
    assert "Say a given number" in usage.value.usage
    await channel.verbose("stub done", 1)
    await channel.hangup()
    await channel.stream_file("hello-world")  # HANGUP line, then 511: AgiHangup
    raise AssertionError("unreachable: 511 raises")


async def ivr_05(channel: AgiChannel) -> None:
    """The script of 05-ivr-fastagi: DTMF, a missing prompt, -2 for a missing app."""
    await channel.verbose("fastagi stub says hello", 1)
    assert await channel.get_variable("CHANNEL") == channel.env.channel
    assert (
        await channel.get_full_variable("${CALLERID(num)}-${EXTEN}") == "5551230002-100"
    )
    await channel.set_variable("IVR_CHOICE", "none yet")
    assert await channel.channel_status() == 6
    await channel.answer()
    assert await channel.stream_file("hello-world") == (None, 11360)
    assert await channel.stream_file("no-such-prompt") == (None, 0)
    assert await channel.stream_file("demo-congrats", "#") == ("#", 17760)
    assert await channel.wait_for_digit(1000) is None
    assert await channel.wait_for_digit(5000) == "5"
    await channel.say_number(3)
    assert await channel.exec("Playback", "beep") == 0
    assert await channel.exec("NoSuchApplication", "foo") == -2
    await channel.run("DATABASE PUT", "ceolab", "lastcall", "${UNIQUEID}")
    assert (
        await channel.run("DATABASE GET", "ceolab", "lastcall")
    ).data == "${UNIQUEID}"
    with pytest.raises(AgiInvalidCommand):
        await channel.command("NOT A COMMAND")
    with pytest.raises(AgiUsageError):
        await channel.command("STREAM FILE")
    await channel.hangup()
    assert await channel.get_variable("CHANNEL") == channel.env.channel
    assert channel.hung_up


async def test_session_03_runs_typed_handler_to_the_511_hangup(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="callcenter.agi.server")
    async with FastAgiServer(port=0, routes={"ivr/main": ivr_main_03}) as server:
        received, close_delay = await play_asterisk(
            server.port, transcript("03-fastagi-session.txt")
        )
    assert len(received) == len(transcript("03-fastagi-session.txt").exchanges) == 16
    assert close_delay < 0.5
    assert "caller hung up" in caplog.text
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_session_05_typed_handler_ends_normally_and_closes_at_once() -> None:
    async with FastAgiServer(port=0, routes={"ivr": ivr_05}) as server:
        received, close_delay = await play_asterisk(
            server.port, transcript("05-ivr-fastagi.fastagi.log")
        )
    assert len(received) == len(transcript("05-ivr-fastagi.fastagi.log").exchanges)
    assert close_delay < 0.5


async def test_hangup_mid_prompt_raises_agihangup_in_the_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="callcenter.agi.server")
    seen: list[str] = []

    async def ivr(channel: AgiChannel) -> None:
        await channel.verbose("fastagi stub says hello", 1)
        await channel.get_variable("CHANNEL")
        await channel.get_full_variable("${CALLERID(num)}-${EXTEN}")
        await channel.set_variable("IVR_CHOICE", "none yet")
        await channel.channel_status()
        await channel.answer()
        await channel.stream_file("hello-world")
        await channel.stream_file("no-such-prompt")
        digit, endpos = await channel.stream_file(
            "demo-congrats", "#"
        )  # caller hangs up
        seen.append(f"{digit} {endpos}")
        try:
            await channel.wait_for_digit(1000)
        finally:
            seen.append(f"hung_up={channel.hung_up}")

    async with FastAgiServer(port=0, routes={"ivr": ivr}) as server:
        received, _ = await play_asterisk(
            server.port, transcript("06-basic-originate.fastagi.log")
        )
    assert received[-1] == "WAIT FOR DIGIT 1000"
    assert seen == ["None 232640", "hung_up=True"]
    assert "caller hung up" in caplog.text
    assert "Traceback" not in caplog.text


async def test_redirect_out_of_hold_gives_minus_one_then_511() -> None:
    async def hold(channel: AgiChannel) -> None:
        await channel.answer()
        await channel.say_number(2)
        assert await channel.exec("MusicOnHold", "default,20") == -1
        await channel.stream_file("queue-thankyou")

    async with FastAgiServer(port=0, routes={"ivr/main": hold}) as server:
        received, _ = await play_asterisk(
            server.port, transcript("09-fastagi-hold-redirected.agi.txt")
        )
    assert received[-1] == 'STREAM FILE queue-thankyou ""'


@pytest.mark.parametrize("path", SESSION_FILES, ids=lambda p: p.name)
async def test_every_session_replays_through_raw_commands(path: Path) -> None:
    script = load(path)
    results = []

    async def replay(channel: AgiChannel) -> None:
        for exchange in script.exchanges:
            results.append(await channel.command(exchange.command, check=False))  # noqa: PERF401 - sequential awaits

    async with FastAgiServer(port=0, routes={channel_route(script): replay}) as server:
        await play_asterisk(server.port, script)
    assert len(results) == len(script.exchanges)
    assert results[-1].code in {200, 511}


def channel_route(script: AgiTranscript) -> str:
    return next(
        line.split(": ", 1)[1]
        for line in script.env
        if line.startswith("agi_network_script")
    )


async def test_unknown_script_is_logged_and_closed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with FastAgiServer(port=0, routes={}) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(transcript("03-fastagi-session.txt").env_bytes())
        assert await asyncio.wait_for(reader.read(), 2) == b""
        writer.close()
    assert "no handler for script 'ivr/main'" in caplog.text


async def test_stalled_sessions_time_out(caplog: pytest.LogCaptureFixture) -> None:
    async def slow(channel: AgiChannel) -> None:
        await channel.answer()

    async with FastAgiServer(
        port=0, routes={"ivr/main": slow}, env_timeout=0.2, command_timeout=0.2
    ) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        assert await asyncio.wait_for(reader.read(), 2) == b""  # no env at all
        writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(transcript("03-fastagi-session.txt").env_bytes())
        assert await asyncio.wait_for(reader.readline(), 2) == b"ANSWER\n"
        assert await asyncio.wait_for(reader.read(), 2) == b""  # never answered
        writer.close()
    assert caplog.text.count("stalled") == 2


async def test_handler_bug_is_logged_with_traceback_and_socket_closed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def buggy(channel: AgiChannel) -> None:
        raise ZeroDivisionError

    async with FastAgiServer(port=0, routes={"ivr/main": buggy}) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(transcript("03-fastagi-session.txt").env_bytes())
        assert await asyncio.wait_for(reader.read(), 2) == b""
        writer.close()
    assert "ZeroDivisionError" in caplog.text


async def test_200_concurrent_sessions() -> None:
    script = transcript("09-fastagi-hold-redirected.agi.txt")
    done = 0

    async def hold(channel: AgiChannel) -> None:
        nonlocal done
        await channel.answer()
        await channel.say_number(2)
        await asyncio.sleep(0.05)  # all sessions are open at the same time
        await channel.exec("MusicOnHold", "default,20")
        done += 1
        await channel.stream_file("queue-thankyou")

    async with FastAgiServer(port=0, routes={"ivr/main": hold}) as server:
        peak = 0

        async def watch() -> None:
            nonlocal peak
            while True:
                peak = max(peak, server.active_sessions)
                await asyncio.sleep(0.01)

        watcher = asyncio.create_task(watch())
        await asyncio.gather(*(play_asterisk(server.port, script) for _ in range(200)))
        watcher.cancel()
    assert done == 200
    assert peak >= 150


async def test_close_ends_running_sessions() -> None:
    started = asyncio.Event()

    async def forever(channel: AgiChannel) -> None:
        started.set()
        await asyncio.sleep(3600)

    server = FastAgiServer(port=0, routes={"ivr/main": forever})
    await server.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(transcript("03-fastagi-session.txt").env_bytes())
    await asyncio.wait_for(started.wait(), 2)
    await server.close()
    assert await asyncio.wait_for(reader.read(), 2) == b""
    assert server.active_sessions == 0
    writer.close()


async def test_close_while_a_session_waits_on_asterisk_is_quiet(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    async def answer(channel: AgiChannel) -> None:
        await channel.answer()  # Asterisk never replies

    server = FastAgiServer(port=0, routes={"ivr/main": answer})
    await server.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(transcript("03-fastagi-session.txt").env_bytes())
    assert await asyncio.wait_for(reader.readline(), 2) == b"ANSWER\n"
    await server.close()
    assert await asyncio.wait_for(reader.read(), 2) == b""
    writer.close()
    await asyncio.sleep(0.05)  # the stream server's done-callbacks run now
    noisy = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING
        or (r.exc_info and isinstance(r.exc_info[1], asyncio.CancelledError))
        or "CancelledError" in r.getMessage()
    ]
    assert noisy == []
    assert server.active_sessions == 0
