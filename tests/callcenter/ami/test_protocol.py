"""AmiConnection: what real Asterisk bytes turn into, however they are chunked."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.ami.errors import LocalProtocolError
from callcenter.ami.messages import (
    Action,
    ActionResult,
    Banner,
    ConnectionClosed,
    Event,
    ProtocolViolation,
    Response,
)
from callcenter.ami.protocol import AmiConnection, State
from tests.callcenter.ami.transcripts import (
    FIXTURES,
    RX_FILES,
    SHARED,
    TX_FILES,
    byte_at_a_time,
    feed,
    random_chunks,
    rx,
    tx_actions,
)

BANNER = b"Asterisk Call Manager/11.0.0\r\n"


def replay(name: str) -> list[object]:
    """Send the recorded actions of ``name`` and feed the recorded answer."""
    conn = AmiConnection()
    tx = next(p for p in TX_FILES if p.name.startswith(name))
    for action in tx_actions(tx):
        conn.send(action)
    return [*conn.receive_data(rx(name)), *conn.receive_data(b"")]


@pytest.mark.parametrize("path", RX_FILES, ids=lambda p: p.name)
def test_every_transcript_parses_identically_whole_bytewise_and_chunked(
    path: Path,
) -> None:
    data = path.read_bytes()
    whole = feed(data)
    assert isinstance(whole[0], Banner)
    assert whole[0].text == "Asterisk Call Manager/11.0.0"
    assert not [m for m in whole if isinstance(m, ProtocolViolation)]
    assert whole[-1] == ConnectionClosed()
    assert feed(data, byte_at_a_time()) == whole
    for seed in range(3):
        assert feed(data, random_chunks(seed)) == whole


@pytest.mark.parametrize("path", RX_FILES, ids=lambda p: p.name)
def test_bare_lf_framing_gives_the_same_messages(path: Path) -> None:
    data = path.read_bytes()
    assert feed(data.replace(b"\r\n", b"\n"), random_chunks(1)) == feed(data)


def test_actions_idle_correlates_every_answer_by_action_id() -> None:
    results = {
        m.action_id: m for m in replay("01-actions-idle") if isinstance(m, ActionResult)
    }
    assert sorted(results) == [
        "a1",
        "a2",
        "a3",
        "a4",
        "a5",
        "a6",
        "a7",
        "a8",
        "a9",
        "login-1",
    ]
    assert results["login-1"].ok
    assert results["a1"].response.get("asteriskversion") == "22.7.0"
    assert results["a3"].response.output == (results["a3"].response.get_all("Output"))
    assert results["a3"].response.output[1:] == (
        "0 active channels",
        "0 active calls",
        "0 calls processed",
    )
    queue_status = results["a5"]
    assert [e.name for e in queue_status] == [
        "QueueParams",
        "QueueMember",
        "QueueMember",
        "QueueParams",
        "QueueMember",
    ]
    assert queue_status.complete is not None
    assert queue_status.complete.get("ListItems") == "5"
    assert len(results["a6"]) == 0
    assert results["a6"].complete is not None
    assert results["a7"].response.get("Ping") == "Pong"
    assert not results["a8"].ok
    assert "Invalid/unknown command" in results["a8"].response.message
    assert results["a9"].response.status == "Goodbye"


def test_list_items_are_not_also_delivered_as_events() -> None:
    messages = replay("01-actions-idle")
    names = [m.name for m in messages if isinstance(m, Event)]
    assert names == ["FullyBooted", "SuccessfulAuth", "RequestBadFormat"]


def test_list_with_action_id_last_still_collects() -> None:
    results = [m for m in replay("04-actions") if isinstance(m, ActionResult)]
    by_id = {r.action_id: r for r in results}
    members = [e for r in results for e in r.events if e.name == "QueueMember"]
    assert members
    assert all(e.headers[-1][0] == "ActionID" for e in members)
    assert not [
        r
        for r in by_id.values()
        if r.response.get("EventList") == "start" and r.complete is None
    ]


def test_login_failure_is_a_failed_result() -> None:
    messages = replay("02-login-failed")
    (result,) = [m for m in messages if isinstance(m, ActionResult)]
    assert not result.ok
    assert result.response.message == "Authentication failed"


def test_events_from_interleaved_calls_keep_their_ids() -> None:
    events = [m for m in feed(rx("04-queue-answered")) if isinstance(m, Event)]
    joins = [e for e in events if e.name == "QueueCallerJoin"]
    assert joins
    assert joins[0].uniqueid
    assert joins[0].linkedid
    local = [e for e in events if e.name == "LocalBridge"]
    assert local


def test_originate_response_event_carrying_a_response_header_is_an_event() -> None:
    events = [m for m in feed(rx("04-actions")) if isinstance(m, Event)]
    failed = [
        e
        for e in events
        if e.name == "OriginateResponse" and e.get("Response") == "Failure"
    ]
    assert failed
    assert failed[0].get("Uniqueid") == "<unknown>"


def test_async_agi_env_header_is_kept_verbatim() -> None:
    (start,) = [
        m
        for m in feed(rx("07-async-agi"))
        if isinstance(m, Event) and m.name == "AsyncAGIStart"
    ]
    assert (start.get("Env") or "").startswith("agi_request%3A%20async%0A")


def test_repeated_headers_case_insensitive_access_and_variables() -> None:
    data = BANNER + (
        b"Event: Newchannel\r\nChannel: PJSIP/1001-1\r\nactionid: x\r\n"
        b"ChanVariable: CUSTOMER=42\r\nChanVariable: LANG=fr\r\n"
        b"ChanVariable(QUEUE): support\r\n\r\n"
    )
    event = feed(data)[1]
    assert isinstance(event, Event)
    assert event.get_all("chanvariable") == ("CUSTOMER=42", "LANG=fr")
    assert event.variables() == {"CUSTOMER": "42", "LANG": "fr", "QUEUE": "support"}
    assert event.action_id == "x"
    assert "CHANNEL" in event
    assert event.get("missing") is None
    assert event.as_dict()["ChanVariable"] == "CUSTOMER=42"


def test_utf8_character_split_across_reads_is_kept() -> None:
    data = BANNER + "Event: Newchannel\r\nCallerIDName: 李伟 José\r\n\r\n".encode()
    split = data.index("伟".encode()) + 1
    conn = AmiConnection()
    messages = conn.receive_data(data[:split]) + conn.receive_data(data[split:])
    assert isinstance(messages[1], Event)
    assert messages[1].get("CallerIDName") == "李伟 José"


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    data = BANNER + b"Event: X\r\nName: caf\xe9\xff\r\n\r\nEvent: Y\r\n\r\n"
    messages = feed(data)
    assert [type(m) for m in messages] == [Banner, Event, Event, ConnectionClosed]
    assert isinstance(messages[1], Event)
    assert messages[1].get("Name") == "caf\ufffd\ufffd"


def test_oversized_message_is_reported_once_and_skipped_with_bounded_memory() -> None:
    big = b"Event: Huge\r\n" + b"Output: " + b"x" * 5000 + b"\r\n\r\n"
    data = BANNER + big + b"Event: After\r\n\r\n"
    for chunks in (None, byte_at_a_time(), random_chunks(7)):
        conn = AmiConnection(max_message_size=1000)
        out = []
        peak = 0
        pos = 0
        sizes = chunks
        while pos < len(data):
            size = next(sizes) if sizes is not None else len(data)
            out += conn.receive_data(data[pos : pos + size])
            peak = max(peak, conn.buffered_bytes)
            pos += size
        violations = [m for m in out if isinstance(m, ProtocolViolation)]
        assert len(violations) == 1
        assert violations[0].excerpt.startswith("Event: Huge")
        assert isinstance(out[-1], Event)
        assert out[-1].name == "After"
        if chunks is not None:
            assert peak <= 1000 + 700 + 4


def test_message_that_is_neither_response_nor_event_is_a_violation() -> None:
    messages = feed(BANNER + b"Foo: bar\r\n\r\nEvent: Ok\r\n\r\n")
    assert isinstance(messages[1], ProtocolViolation)
    assert isinstance(messages[2], Event)


def test_old_response_follows_body_lines_are_kept_as_output() -> None:
    data = BANNER + (
        b"Response: Follows\r\nPrivilege: Command\r\nActionID: c1\r\n"
        b"line one\r\nline two\r\n--END COMMAND--\r\n\r\n"
    )
    conn = AmiConnection()
    conn.send(Action(name="Command", headers=(("Command", "x"),), action_id="c1"))
    (_, result) = conn.receive_data(data)
    assert isinstance(result, ActionResult)
    assert result.response.output == ("line one", "line two")


def test_stream_without_banner_is_parsed_from_the_first_message() -> None:
    messages = feed(b"Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n")
    assert messages[0] == Banner(text="")
    assert isinstance(messages[1], Event)


def test_stray_blank_lines_between_messages_are_ignored() -> None:
    messages = feed(BANNER + b"\r\n\r\nEvent: A\r\n\r\n\r\n\r\nEvent: B\r\n\r\n")
    assert [m.name for m in messages if isinstance(m, Event)] == ["A", "B"]


def test_send_frames_with_crlf_and_correlates() -> None:
    conn = AmiConnection()
    action = Action.create(
        "Originate", Channel="PJSIP/1001", Variable=["A=1", "B=2"], action_id="o1"
    )
    assert conn.send(action) == (
        b"Action: Originate\r\nActionID: o1\r\nChannel: PJSIP/1001\r\n"
        b"Variable: A=1\r\nVariable: B=2\r\n\r\n"
    )
    assert conn.pending_action_ids == ("o1",)
    assert Action(name="Ping").action_id is None
    assert conn.send(Action(name="Ping")) == b"Action: Ping\r\n\r\n"


def test_secret_is_masked_in_repr() -> None:
    login = Action.create("Login", Username="cti", Secret="cti-secret")
    assert "cti-secret" not in repr(login)
    assert login.get("Secret") == "cti-secret"


@pytest.mark.parametrize(
    "action",
    [
        Action(name="Ping", headers=(("X", "a\r\nAction: Hangup"),)),
        Action(name="Ping\n"),
        Action(name="Ping", headers=(("Bad:Key", "v"),)),
        Action(name="Ping", headers=(("ActionID", "sneaky"),)),
    ],
)
def test_send_refuses_header_injection(action: Action) -> None:
    with pytest.raises(LocalProtocolError):
        AmiConnection().send(action)


def test_duplicate_pending_action_id_is_refused() -> None:
    conn = AmiConnection()
    conn.send(Action(name="Ping", action_id="p"))
    with pytest.raises(LocalProtocolError):
        conn.send(Action(name="Ping", action_id="p"))


def test_eof_reports_unanswered_actions_then_refuses_use() -> None:
    conn = AmiConnection()
    conn.send(Action(name="Ping", action_id="p1"))
    conn.receive_data(BANNER + b"Response: Success\r\nActionID: p")
    assert conn.receive_data(b"") == [
        ConnectionClosed(unanswered=("p1",), partial_bytes=30)
    ]
    assert conn.state is State.CLOSED
    with pytest.raises(LocalProtocolError):
        conn.receive_data(b"more")
    assert conn.state.name == State.ERROR.name
    with pytest.raises(LocalProtocolError):
        conn.send(Action(name="Ping"))


def test_forgotten_action_answer_passes_through_raw() -> None:
    conn = AmiConnection()
    conn.send(Action(name="Ping", action_id="late"))
    conn.forget("late")
    (_, response) = conn.receive_data(
        BANNER + b"Response: Success\r\nActionID: late\r\n\r\n"
    )
    assert isinstance(response, Response)


def test_transcript_actions_round_trip_through_send() -> None:
    for path in TX_FILES:
        for action in tx_actions(path):
            wire = AmiConnection().send(action)
            assert wire.endswith(b"\r\n\r\n")
            assert wire.count(b"\r\n") == len(action.headers) + 2 + (
                action.action_id is not None
            )


def _ami_log_stream(path: Path) -> bytes:
    """Rebuild what Asterisk sent from a timestamped ``.ami.log``."""
    out = []
    for line in path.read_text().splitlines():
        if line.startswith("<<"):
            out.append(line[12:].removeprefix("[greeting line] ") + "\r\n")
        elif not line and out and out[-1] != "\r\n":
            out.append("\r\n")
    return "".join(out).encode()


SHARED_AMI = sorted(
    [
        *SHARED.glob("**/*.rx.txt"),
        *SHARED.glob("**/*.ami.rx.raw"),
        *SHARED.glob("**/*.ami.log"),
    ]
)


@pytest.mark.skipif(not SHARED.exists(), reason="shared transcripts not mounted")
@pytest.mark.parametrize("path", SHARED_AMI, ids=lambda p: p.name)
def test_every_shared_ami_transcript_parses(path: Path) -> None:
    data = _ami_log_stream(path) if path.suffix == ".log" else path.read_bytes()
    messages = feed(data, random_chunks(3))
    assert not [m for m in messages if isinstance(m, ProtocolViolation)]
    assert (
        sum(isinstance(m, Event) for m in messages) > 0 or "login-failed" in path.name
    )
    if path.suffix != ".log":
        assert (FIXTURES / path.name).read_bytes() == path.read_bytes()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.lists(st.integers(1, 200), min_size=1))
def test_random_bytes_never_raise_and_memory_stays_bounded(
    data: bytes, sizes: list[int]
) -> None:
    conn = AmiConnection(max_message_size=512)
    pos, i = 0, 0
    while pos < len(data):
        size = sizes[i % len(sizes)]
        conn.receive_data(data[pos : pos + size])
        assert conn.buffered_bytes <= 512 + 3 + size
        pos, i = pos + size, i + 1
    assert isinstance(conn.receive_data(b"")[-1], ConnectionClosed)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(RX_FILES),
    st.integers(0, 40_000),
    st.lists(st.integers(1, 3000), min_size=1, max_size=20),
)
def test_truncated_transcripts_chunked_anyhow_give_the_same_prefix(
    path: Path, cut: int, sizes: list[int]
) -> None:
    data = path.read_bytes()[:cut]
    cycle = iter(sizes * (len(data) // 1 + 1))
    assert feed(data, cycle) == feed(data)
