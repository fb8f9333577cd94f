"""Domain events travel as versioned JSON and come back equal."""

import json

import pytest

from callcenter.domain import codec
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId, QueueName


@pytest.mark.parametrize(
    "event",
    [
        ev.CallOffered(at=1.5, call_id=CallId("c1"), caller_number="+8613800138000"),
        ev.AgentStateChanged(
            at=2.0, agent_id=AgentId("1001"), state=ev.AgentState.PAUSED, reason="lunch"
        ),
        ev.CallCompleted(
            at=3.0,
            call_id=CallId("c1"),
            outcome=ev.CallOutcome.ANSWERED,
            caller_number="1",
            queue=QueueName("q"),
            agent_id=None,
            customer_id=None,
            offered_at=1.0,
            wait_seconds=2.0,
            talk_seconds=0.0,
        ),
        ev.ScreenPopReady(
            at=4.0,
            call_id=CallId("c1"),
            agent_id=AgentId("1001"),
            caller_number="1",
            record={"name": "李伟", "complaints": [1, 2]},
        ),
    ],
)
def test_round_trip(event: ev.DomainEvent) -> None:
    assert codec.from_json(codec.to_json(event)) == event


def test_payload_names_version_and_type() -> None:
    body = json.loads(
        codec.to_json(ev.CallEnded(at=1.0, call_id=CallId("c"), by=ev.Party.CALLER))
    )
    assert body == {
        "v": 1,
        "type": "CallEnded",
        "at": 1.0,
        "call_id": "c",
        "by": "caller",
    }


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"not json", "not valid JSON"),
        (b"[1]", "not a JSON object"),
        (b'{"v": 2, "type": "CallEnded"}', "unsupported payload version"),
        (b'{"v": 1, "type": "Nope"}', "unknown event type"),
        (b'{"v": 1, "type": "CallEnded", "at": 1}', "CallEnded"),
        (
            b'{"v": 1, "type": "CallEnded", "at": 1, "call_id": "c", "by": "alien"}',
            "bad value",
        ),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_malformed_payloads_raise_codec_error(payload: bytes, reason: str) -> None:
    with pytest.raises(codec.CodecError, match=reason):
        codec.from_json(payload)


def test_unknown_fields_are_ignored() -> None:
    payload = (
        b'{"v":1,"type":"CallEnded","at":1,"call_id":"c","by":"agent","extra":true}'
    )
    assert codec.from_json(payload) == ev.CallEnded(
        at=1, call_id=CallId("c"), by=ev.Party.AGENT
    )
