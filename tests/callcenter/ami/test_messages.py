"""Received messages: headers split on first use, yet values like any other."""

import copy
import pickle

import pytest

from callcenter.ami.messages import Event, Response, split_headers
from callcenter.ami.protocol import AmiConnection

BANNER = b"Asterisk Call Manager/11.0.0\r\n"
FRAME = b"Event: Hangup\r\nChannel: PJSIP/1001-1\r\nUniqueid: 1.1\r\nCause: 16"


def parsed(data: bytes) -> Event:
    (_, event) = AmiConnection().receive_data(BANNER + data + b"\r\n\r\n")
    assert isinstance(event, Event)
    return event


def test_a_parsed_event_equals_one_built_from_headers() -> None:
    built = Event(
        name="Hangup",
        headers=(
            ("Event", "Hangup"),
            ("Channel", "PJSIP/1001-1"),
            ("Uniqueid", "1.1"),
            ("Cause", "16"),
        ),
    )
    event = parsed(FRAME)
    assert event == built
    assert hash(event) == hash(built)
    assert repr(event) == repr(built)
    assert event != parsed(FRAME.replace(b"16", b"17"))
    assert event != Response(status="Hangup", headers=built.headers)


def test_bare_lf_and_crlf_frames_are_equal() -> None:
    assert parsed(FRAME.replace(b"\r\n", b"\n")) == parsed(FRAME)


def test_fields_are_read_only() -> None:
    event = parsed(FRAME)
    with pytest.raises(AttributeError):
        event.name = "Other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        event.headers = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        event.extra = 1  # type: ignore[attr-defined]


def test_copy_and_pickle_keep_the_value() -> None:
    event = parsed(FRAME)
    response = Response(status="Success", headers=(("Response", "Success"),))
    for message in (event, response):
        assert pickle.loads(pickle.dumps(message)) == message  # noqa: S301 - ours
        assert copy.deepcopy(message) == message


def test_class_patterns_match_on_name_and_status() -> None:
    match parsed(FRAME):
        case Event(name="Hangup", headers=headers):
            assert headers[1] == ("Channel", "PJSIP/1001-1")
        case _:
            pytest.fail("no match")


@pytest.mark.parametrize(
    ("text", "headers"),
    [
        ("Event: A\r\nB: c: d", (("Event", "A"), ("B", "c: d"))),
        ("Event: A\nB:c", (("Event", "A"), ("B", "c"))),
        ("Response: Follows\r\nline", (("Response", "Follows"), ("", "line"))),
        ("Event: A\r\nB: x\ry", (("Event", "A"), ("B", "x\ry"))),
        ("Event: A\r\n\r", (("Event", "A"), ("", "\r"))),
    ],
)
def test_split_headers_fast_and_slow_paths(
    text: str, headers: tuple[tuple[str, str], ...]
) -> None:
    assert split_headers(text) == headers
