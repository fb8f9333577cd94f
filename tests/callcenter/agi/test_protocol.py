"""AGI core: environment, result lines, quoting and the session state machine."""

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.agi.environment import AgiEnvironment
from callcenter.agi.errors import (
    AgiCommandError,
    AgiDeadChannel,
    AgiHangup,
    AgiInvalidCommand,
    AgiLocalProtocolError,
    AgiRemoteProtocolError,
    AgiUsageError,
)
from callcenter.agi.protocol import (
    AgiMessage,
    AgiResult,
    AgiSession,
    AgiState,
    HangupRequested,
    ProtocolViolation,
    SessionClosed,
    format_command,
    parse_result,
)
from tests.callcenter.agi.transcripts import RAW_FILES, SESSION_FILES, load
from tests.callcenter.ami.transcripts import SHARED, rx

ENV = b"agi_network: yes\nagi_network_script: ivr/main\nagi_arg_1: a\n\n"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("200 result=0", AgiResult(code=200, result="0", raw="200 result=0")),
        (
            "200 result=0 endpos=11360",
            AgiResult(
                code=200,
                result="0",
                endpos=11360,
                extra=(("endpos", "11360"),),
                raw="200 result=0 endpos=11360",
            ),
        ),
        (
            "200 result= (timeout)",
            AgiResult(code=200, result="", data="timeout", raw="200 result= (timeout)"),
        ),
        (
            "200 result=12 (timeout)",
            AgiResult(
                code=200, result="12", data="timeout", raw="200 result=12 (timeout)"
            ),
        ),
        (
            "200 result=1 (Local/100@from-caller-00000000;2)",
            AgiResult(
                code=200,
                result="1",
                data="Local/100@from-caller-00000000;2",
                raw="200 result=1 (Local/100@from-caller-00000000;2)",
            ),
        ),
        (
            "200 result=1 (a (b) c)",
            AgiResult(
                code=200, result="1", data="a (b) c", raw="200 result=1 (a (b) c)"
            ),
        ),
        ("200 result=-2", AgiResult(code=200, result="-2", raw="200 result=-2")),
        (
            "510 Invalid or unknown command",
            AgiResult(
                code=510,
                message="Invalid or unknown command",
                raw="510 Invalid or unknown command",
            ),
        ),
    ],
)
def test_parse_result(line: str, expected: AgiResult) -> None:
    assert parse_result(line) == expected


def test_result_values_and_flags() -> None:
    assert parse_result("200 result=35 endpos=17760").value == 35
    assert parse_result("200 result= (timeout)").value is None
    assert parse_result("200 result= (timeout)").timed_out
    assert parse_result("200 result=-1 endpos=0").endpos == 0


def test_520_block_keeps_the_usage_text() -> None:
    text = (
        "520-Invalid command syntax.  Proper usage follows:\n"
        "Say a given number.\n"
        "Returns 0.\n"
        "520 End of proper usage."
    )
    result = parse_result(text)
    assert result.code == 520
    assert result.usage == "Say a given number.\nReturns 0."
    with pytest.raises(AgiUsageError) as info:
        result.raise_for_status("SAY NUMBER")
    assert info.value.usage == result.usage
    assert info.value.command == "SAY NUMBER"


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("510 Invalid or unknown command", AgiInvalidCommand),
        (
            "511 Command Not Permitted on a dead channel or intercept routine",
            AgiDeadChannel,
        ),
        ("520 Invalid command syntax.  Proper usage not available.", AgiUsageError),
        ("503 Something new", AgiCommandError),
    ],
)
def test_error_codes_map_to_errors(line: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_result(line).raise_for_status()


def test_dead_channel_is_a_hangup() -> None:
    assert issubclass(AgiDeadChannel, AgiHangup)


@pytest.mark.parametrize("line", ["HELLO", "", "result=1", "20 result=1"])
def test_garbage_is_a_remote_protocol_error(line: str) -> None:
    with pytest.raises(AgiRemoteProtocolError):
        parse_result(line)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("STREAM FILE", "hello-world", ""), 'STREAM FILE hello-world ""'),
        (("STREAM FILE", "demo-congrats", "#"), 'STREAM FILE demo-congrats "#"'),
        (
            ("SET VARIABLE", "IVR_CHOICE", "none yet"),
            'SET VARIABLE IVR_CHOICE "none yet"',
        ),
        (("GET DATA", "beep", 2000, 2), "GET DATA beep 2000 2"),
        (("EXEC", "MusicOnHold", "default,2"), "EXEC MusicOnHold default,2"),
        (("VERBOSE", 'say "hi" \\o/', 1), 'VERBOSE "say \\"hi\\" \\\\o/" 1'),
        (("GET VARIABLE", "CALLERID(num)"), "GET VARIABLE CALLERID(num)"),
    ],
)
def test_format_command_quotes_where_needed(args: tuple[str, ...], line: str) -> None:
    assert format_command(*args) == line


@pytest.mark.parametrize("args", [("VERBOSE", "a\nHANGUP"), ("ANSWER\r",), ("",)])
def test_format_command_refuses_line_breaks(args: tuple[str, ...]) -> None:
    with pytest.raises(AgiLocalProtocolError):
        format_command(*args)


def test_environment_from_a_real_session() -> None:
    transcript = load(
        next(p for p in SESSION_FILES if p.name == "03-fastagi-session.txt")
    )
    (env,) = AgiSession().receive_data(transcript.env_bytes())
    assert isinstance(env, AgiEnvironment)
    assert env.route == "ivr/main"
    assert env.request == "agi://127.0.0.1:4573/ivr/main"
    assert env.args == ("arg1", "arg2")
    assert env.callerid == "+8613800138000"
    assert env.calleridname == "Li Wei"
    assert env.channel == "Local/100@from-caller-00000000;2"
    assert env.uniqueid == "1795342741.1"
    assert (env.context, env.extension, env.priority) == ("from-caller", "100", "2")
    assert env.get("accountcode") == ""


def test_route_and_query_from_the_request_uri() -> None:
    env = AgiEnvironment.from_lines(
        [
            "agi_network: yes",
            "agi_network_script: /ivr/main/?lang=fr&vip=1",
            "agi_arg_10: ten",
            "agi_arg_2: two",
        ]
    )
    assert env.route == "ivr/main"
    assert env.query == (("lang", "fr"), ("vip", "1"))
    assert env.args == ("two", "ten")
    process = AgiEnvironment.from_lines(
        ["agi_request: /var/lib/asterisk/agi-bin/survey"]
    )
    assert process.route == "survey"


def test_environment_from_async_agi_event() -> None:
    data = rx("07-async-agi").decode()
    encoded = data.split("\r\nEnv: ", 1)[1].split("\r\n", 1)[0]
    env = AgiEnvironment.from_async_agi(encoded)
    assert env.request == "async"
    assert env.channel == "Local/400@from-caller-00000010;2"
    assert env.calleridname == "Async Caller"


def _replay(path: Path, chunk: int | None) -> list[AgiMessage]:
    transcript = load(path)
    session = AgiSession()
    out: list[AgiMessage] = []

    def push(data: bytes) -> None:
        step = chunk or len(data) or 1
        for i in range(0, len(data), step):
            out.extend(session.receive_data(data[i : i + step]))

    push(transcript.env_bytes())
    for exchange in transcript.exchanges:
        session.send_command(exchange.command)
        push("".join(f"{line}\n" for line in exchange.replies).encode())
    return out + session.receive_data(b"")


@pytest.mark.parametrize("path", SESSION_FILES, ids=lambda p: p.name)
def test_every_session_replays_identically_whole_and_bytewise(path: Path) -> None:
    whole = _replay(path, None)
    assert not [m for m in whole if isinstance(m, ProtocolViolation)]
    assert isinstance(whole[0], AgiEnvironment)
    assert _replay(path, 1) == whole
    assert _replay(path, 7) == whole
    results = [m for m in whole if isinstance(m, AgiResult)]
    assert len(results) == len(load(path).exchanges)


def test_session_03_has_510_520_hangup_line_then_511() -> None:
    path = next(p for p in SESSION_FILES if p.name == "03-fastagi-session.txt")
    messages = _replay(path, None)
    codes = [m.code for m in messages if isinstance(m, AgiResult)]
    assert codes[-5:] == [510, 520, 200, 200, 511]
    assert isinstance(messages[-3], HangupRequested)
    usage = next(m for m in messages if isinstance(m, AgiResult) and m.code == 520)
    assert usage.usage.startswith("Say a given number")


def test_hangup_line_just_ahead_of_a_reply() -> None:
    session = AgiSession()
    session.receive_data(ENV)
    session.send_command("GET VARIABLE CHANNEL")
    messages = session.receive_data(b"HANGUP\n200 result=1 (SIP/x)\n")
    assert messages == [HangupRequested(), parse_result("200 result=1 (SIP/x)")]
    assert session.hung_up
    assert session.state is AgiState.IDLE


def test_one_command_at_a_time() -> None:
    session = AgiSession()
    with pytest.raises(AgiLocalProtocolError):
        session.send_command("ANSWER")  # environment not read yet
    session = AgiSession()
    session.receive_data(ENV)
    session.send_command("ANSWER")
    with pytest.raises(AgiLocalProtocolError):
        session.send_command("HANGUP")


def test_reply_without_command_is_a_violation_and_ends_the_session() -> None:
    session = AgiSession()
    session.receive_data(ENV)
    (violation,) = session.receive_data(b"200 result=0\n")
    assert isinstance(violation, ProtocolViolation)
    assert session.receive_data(b"200 result=0\n") == []
    assert session.receive_data(b"") == [SessionClosed()]


def test_eof_while_awaiting_reply() -> None:
    session = AgiSession()
    session.receive_data(ENV)
    session.send_command('STREAM FILE x ""')
    assert session.receive_data(b"") == [SessionClosed(awaiting_reply=True)]


def test_over_long_line_is_a_violation_with_bounded_buffer() -> None:
    session = AgiSession(max_line_size=100)
    out = session.receive_data(b"agi_x: " + b"y" * 500)
    assert isinstance(out[0], ProtocolViolation)
    assert session.buffered_bytes == 0


def _drive(data: bytes) -> list[AgiMessage]:
    """Feed a raw rx stream, sending a NOOP whenever a reply is due."""
    session = AgiSession()
    out: list[AgiMessage] = []
    for line in data.splitlines(keepends=True):
        if session.state is AgiState.IDLE and line.strip() != b"HANGUP":
            session.send_command("NOOP")
        out += session.receive_data(line)
    return out + session.receive_data(b"")


@pytest.mark.parametrize("path", RAW_FILES, ids=lambda p: p.name)
def test_raw_fastagi_streams_parse(path: Path) -> None:
    messages = _drive(path.read_bytes())
    assert not [m for m in messages if isinstance(m, ProtocolViolation)]
    assert isinstance(messages[0], AgiEnvironment)
    assert messages[0].args == ("arg1", "arg two")


SHARED_AGI = sorted(
    [
        *SHARED.glob("**/*-session.txt"),
        *SHARED.glob("**/*.agi.txt"),
        *SHARED.glob("**/*.fastagi.log"),
        *SHARED.glob("**/*.fastagi.rx.raw"),
    ]
)


@pytest.mark.skipif(not SHARED.exists(), reason="shared transcripts not mounted")
@pytest.mark.parametrize("path", SHARED_AGI, ids=lambda p: p.name)
def test_every_shared_agi_transcript_parses(path: Path) -> None:
    messages = _drive(path.read_bytes()) if path.suffix == ".raw" else _replay(path, 3)
    assert not [m for m in messages if isinstance(m, ProtocolViolation)]
    assert any(isinstance(m, AgiResult) for m in messages)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.integers(1, 64), st.booleans())
def test_random_bytes_never_raise_and_buffer_stays_bounded(
    data: bytes, step: int, after_env: bool
) -> None:
    session = AgiSession(max_line_size=256)
    if after_env:
        session.receive_data(ENV)
        session.send_command("NOOP")
    for i in range(0, len(data), step):
        session.receive_data(data[i : i + step])
        assert session.buffered_bytes <= 256 + step
    assert isinstance(session.receive_data(b"")[-1], SessionClosed)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_parse_result_raises_only_the_documented_error(line: str) -> None:
    with contextlib.suppress(AgiRemoteProtocolError):
        parse_result(line)
