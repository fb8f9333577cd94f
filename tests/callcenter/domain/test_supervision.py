"""Monitor events travel as JSON like every event, and stay among supervisors."""

import dataclasses

import pytest

from callcenter.domain import codec
from callcenter.domain import events as ev
from callcenter.domain import supervision as sv
from callcenter.domain.ids import AgentId, CallId
from tests.callcenter.mqtt.samples import SAMPLES

MONITOR_SAMPLES = [e for e in SAMPLES if isinstance(e, sv.MonitorEvent)]


@pytest.mark.parametrize("event", MONITOR_SAMPLES, ids=lambda e: type(e).__name__)
def test_monitor_events_round_trip_with_their_enums(event: sv.MonitorEvent) -> None:
    decoded = codec.from_json(codec.to_json(event))
    assert decoded == event
    assert isinstance(decoded, sv.MonitorEvent)
    assert isinstance(decoded.mode, sv.MonitorMode)


def test_every_monitor_event_has_a_sample_and_the_base_is_no_payload_type() -> None:
    assert {type(e).__name__ for e in MONITOR_SAMPLES} == {
        "MonitorStarted", "MonitorModeChanged", "MonitorEnded", "MonitorFailed",
    }  # fmt: skip
    assert "MonitorEvent" not in codec.EVENT_TYPES
    with pytest.raises(codec.CodecError, match="bad value"):
        codec.from_payload({**codec.to_payload(MONITOR_SAMPLES[0]), "mode": "shout"})


def test_monitoring_and_monitor_requests_are_confidential() -> None:
    acted = ev.SupervisorActed(
        at=1.0, supervisor="sam", agent_id=AgentId("1001"), action="monitor",
        args={"mode": "listen"}, ok=True, code="ok",
    )  # fmt: skip
    assert all(sv.is_confidential(e) for e in MONITOR_SAMPLES)
    assert sv.is_confidential(acted)
    assert not sv.is_confidential(dataclasses.replace(acted, action="pause"))
    assert not sv.is_confidential(
        ev.CallAnswered(at=1.0, call_id=CallId("c"), agent_id=AgentId("1001"))
    )


def test_a_monitor_ending_by_itself_is_audited_confidentially() -> None:
    (ended,) = [e for e in MONITOR_SAMPLES if isinstance(e, sv.MonitorEnded)]
    by_itself = dataclasses.replace(ended, reason=sv.MonitorEndReason.HUNG_UP)
    entry = sv.ended_by_itself(by_itself)
    assert entry is not None
    assert (entry.supervisor, entry.agent_id, entry.action, entry.code) == (
        ended.supervisor, ended.agent_id, "monitor_ended", "hung_up",
    )  # fmt: skip
    assert entry.args == {"call_id": ended.call_id, "endpoint": ended.endpoint,
                          "mode": ended.mode.value}  # fmt: skip
    assert sv.is_confidential(entry)
    stopped = dataclasses.replace(ended, reason=sv.MonitorEndReason.STOPPED)
    assert sv.ended_by_itself(stopped) is None  # its stop request is audited
    assert sv.ended_by_itself(MONITOR_SAMPLES[0]) is None
