"""Supervisors on Asterisk: the exact AMI actions per mode, and the events they cause.

Sans-IO: a call is set up by translating AMI events (as ``test_translate`` does with
recordings), ``spies.plan`` says what the adapter sends for a monitor command, and
the spy channel's events are translated back. No recording of ChanSpy exists yet
(tests/fixtures/ami has none): the spy events below are **synthetic**, written in
the wire format of the recordings with the fields Asterisk documents for
``OriginateResponse`` (as in 06-basic-originate), ``ChanSpyStart``, ``DTMFEnd`` and
``Hangup``. Nothing here ran against a live Asterisk.
"""

import pytest

from callcenter.ami.messages import Action
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId
from callcenter.domain.supervision import (
    MonitorEnded,
    MonitorEndReason,
    MonitorFailed,
    MonitorMode,
    MonitorModeChanged,
    MonitorStarted,
)
from callcenter.pbx import spies
from callcenter.pbx.registry import ChannelRegistry
from callcenter.pbx.translate import resync
from tests.callcenter.pbx.synthetic_call import (
    AGENT,
    AGENT_CHANNEL,
    AGENT_UID,
    CALL,
    CALL_SETUP,
    agent,
    caller,
    replay,
    talking,
    wire,
)

SPY = f"{CALL}-spy1"  # the ChannelId of the first Originate
SPY_CHANNEL = "PJSIP/2001-00000003"
SAM = "PJSIP/2001"
AGENT_HANGUP = agent("Hangup", "Cause: 16")
SPY_ANSWERED = f"""Event: OriginateResponse
    ActionID: monitor-{SPY}
    Response: Success
    Channel: {SPY_CHANNEL}
    Application: ChanSpy
    Reason: 4
    Uniqueid: {SPY}"""
SPY_STARTED = f"""Event: ChanSpyStart
    SpyerChannel: {SPY_CHANNEL}
    SpyerUniqueid: {SPY}
    SpyeeChannel: {AGENT_CHANNEL}
    SpyeeUniqueid: {AGENT_UID}"""


def spy_event(name: str, extra: str = "") -> str:
    return f"""Event: {name}
        Channel: {SPY_CHANNEL}
        Uniqueid: {SPY}
        Linkedid: {SPY}
        {extra}"""


def monitor(
    mode: MonitorMode = MonitorMode.LISTEN, endpoint: str = SAM
) -> cmd.MonitorCall:
    return cmd.MonitorCall(
        call_id=CALL, agent_id=AGENT, supervisor="sam", endpoint=endpoint, mode=mode
    )


def listening() -> ChannelRegistry:
    registry = talking()
    spies.plan(monitor(), registry, 100.0)
    assert spies.settle(monitor(), registry, 100.0, ok=True) == []
    events = replay(registry, SPY_ANSWERED, spy_event("Newstate"), SPY_STARTED)
    assert [type(e) for e in events] == [MonitorStarted]
    return registry


def fields(action: Action | None) -> tuple[str, dict[str, str], str | None]:
    assert action is not None
    return action.name, dict(action.headers), action.action_id


@pytest.mark.parametrize(
    ("mode", "data"),
    [
        (MonitorMode.LISTEN, f"{AGENT_CHANNEL},qEdu"),
        (MonitorMode.WHISPER, f"{AGENT_CHANNEL},qEduw"),
        (MonitorMode.BARGE, f"{AGENT_CHANNEL},qEduB"),
    ],
)
def test_each_mode_originates_the_supervisors_phone_into_chanspy_on_the_agent(
    mode: MonitorMode, data: str
) -> None:
    plan = spies.plan(monitor(mode), talking(), 100.0)
    assert plan.events == ()
    assert fields(plan.action) == (
        "Originate",
        {
            "Channel": "PJSIP/2001",
            "Application": "ChanSpy",
            "Data": data,
            "CallerID": '"Monitor 1001" <1001>',
            "Timeout": "30000",
            "Async": "true",
            "ChannelId": SPY,
        },
        f"monitor-{SPY}",
    )


@pytest.mark.parametrize(
    ("frames", "agent"),
    [
        ((), AGENT),  # no such call on the PBX
        (CALL_SETUP[:2], AGENT),  # the agent's phone still rings
        (CALL_SETUP, AgentId("1002")),  # another agent has the call
        ((*CALL_SETUP, AGENT_HANGUP), AGENT),  # the agent hung up (the survey runs)
    ],
    ids=["no-call", "ringing", "other-agent", "agent-hung-up"],
)
def test_an_agent_without_a_live_channel_on_the_call_is_a_clear_failure(
    frames: tuple[str, ...], agent: AgentId
) -> None:
    registry = ChannelRegistry()
    replay(registry, *frames)
    command = cmd.MonitorCall(
        call_id=CALL, agent_id=agent, supervisor="sam", endpoint=SAM
    )
    plan = spies.plan(command, registry, 100.0)
    assert plan.action is None
    (failed,) = plan.events
    assert isinstance(failed, MonitorFailed)
    assert (failed.code, failed.endpoint, failed.mode) == (
        "no_agent_channel", SAM, MonitorMode.LISTEN,
    )  # fmt: skip
    assert failed.message == f"agent {agent} has no live channel on call {CALL}"
    assert not registry.spies


def test_chanspy_start_is_the_start_and_only_once() -> None:
    registry = listening()
    assert replay(registry, SPY_STARTED) == []
    (spy,) = registry.spies.all
    assert (spy.name, spy.started) == (SPY_CHANNEL, True)


@pytest.mark.parametrize(
    ("mode", "digit"),
    [(MonitorMode.WHISPER, "5"), (MonitorMode.BARGE, "6")],
)
def test_a_mode_change_keys_the_modes_digit_into_the_running_chanspy(
    mode: MonitorMode, digit: str
) -> None:
    registry = listening()
    plan = spies.plan(monitor(mode), registry, 101.0)
    assert fields(plan.action) == (
        "PlayDTMF",
        {"Channel": SPY_CHANNEL, "Digit": digit, "Receive": "true"},
        None,
    )
    (change,) = spies.settle(monitor(mode), registry, 101.0, ok=True)
    assert isinstance(change, MonitorModeChanged)
    assert (change.previous, change.mode) == (MonitorMode.LISTEN, mode)
    # Asterisk reports the digit too: the change is not reported twice
    received = spy_event("DTMFEnd", f"Digit: {digit}\nDirection: Received")
    assert replay(registry, received) == []


def test_the_supervisor_may_switch_from_the_phones_keypad() -> None:
    registry = listening()
    events = replay(
        registry,
        spy_event("DTMFEnd", "Digit: 6\nDirection: Received"),
        spy_event("DTMFEnd", "Digit: 1\nDirection: Received"),  # not a mode key
        spy_event("DTMFEnd", "Digit: 4\nDirection: Sent"),  # not from the phone
    )
    assert [
        (e.previous, e.mode) for e in events if isinstance(e, MonitorModeChanged)
    ] == [(MonitorMode.LISTEN, MonitorMode.BARGE)]


def test_the_same_mode_again_sends_nothing() -> None:
    assert spies.plan(monitor(), listening(), 101.0) == spies.Plan()


def test_stop_hangs_up_the_spy_channel_and_its_hangup_reports_stopped() -> None:
    registry = listening()
    stop = cmd.StopMonitor(call_id=CALL, agent_id=AGENT, endpoint=SAM)
    plan = spies.plan(stop, registry, 102.0)
    assert fields(plan.action) == (
        "Hangup", {"Channel": SPY_CHANNEL, "Cause": "16"}, None,
    )  # fmt: skip
    assert spies.settle(stop, registry, 102.0, ok=True) == []
    (ended,) = replay(registry, spy_event("Hangup", "Cause: 16"))
    assert isinstance(ended, MonitorEnded)
    assert ended.reason is MonitorEndReason.STOPPED
    assert not registry.spies


def test_stopping_a_phone_that_still_rings_ends_it_as_stopped() -> None:
    registry = talking()
    spies.plan(monitor(), registry, 100.0)
    stop = cmd.StopMonitor(call_id=CALL, agent_id=AGENT, endpoint=SAM)
    plan = spies.plan(stop, registry, 101.0)
    assert fields(plan.action) == ("Hangup", {"Channel": SPY, "Cause": "16"}, None)
    # Asterisk may report the Originate's end before the channel's Hangup
    gave_up = SPY_ANSWERED.replace("Success", "Failure").replace(
        "Reason: 4", "Reason: 1"
    )
    (ended,) = replay(registry, gave_up, spy_event("Hangup", "Cause: 16"))
    assert isinstance(ended, MonitorEnded)
    assert ended.reason is MonitorEndReason.STOPPED


def test_the_agents_hangup_ends_the_monitor_after_the_agents_leg() -> None:
    registry = listening()
    events = replay(
        registry,
        AGENT_HANGUP,
        spy_event("ChanSpyStop"),
        spy_event("Hangup", "Cause: 16"),
    )
    assert [type(e) for e in events] == [ev.AgentLegEnded, MonitorEnded]
    assert isinstance(events[1], MonitorEnded)
    assert events[1].reason is MonitorEndReason.CALL_ENDED


def test_the_supervisor_hanging_up_ends_it_and_the_call_goes_on() -> None:
    registry = listening()
    (ended,) = replay(registry, spy_event("Hangup", "Cause: 16"))
    assert isinstance(ended, MonitorEnded)
    assert ended.reason is MonitorEndReason.HUNG_UP
    assert registry.agent_leg(CALL) is not None


def test_a_phone_that_does_not_answer_fails_the_monitor() -> None:
    registry = talking()
    spies.plan(monitor(MonitorMode.BARGE), registry, 100.0)
    no_answer = SPY_ANSWERED.replace("Success", "Failure").replace(
        "Reason: 4", "Reason: 3"
    )
    (failed,) = replay(registry, no_answer)
    assert isinstance(failed, MonitorFailed)
    assert failed.code == "not_answered"
    assert (
        failed.message == "the supervisor's phone PJSIP/2001 did not answer (no answer)"
    )
    assert not registry.spies


def test_chanspy_ending_before_it_started_is_a_failure_not_an_end() -> None:
    registry = talking()
    spies.plan(monitor(), registry, 100.0)
    events = replay(registry, SPY_ANSWERED, AGENT_HANGUP, spy_event("Hangup"))
    failed = events[-1]
    assert isinstance(failed, MonitorFailed)
    assert failed.code == "call_ended"


def test_a_refused_originate_and_a_refused_switch() -> None:
    registry = talking()
    spies.plan(monitor(), registry, 100.0)
    (failed,) = spies.settle(monitor(), registry, 100.0, ok=False)
    assert isinstance(failed, MonitorFailed)
    assert failed.code == "refused"
    assert not registry.spies
    registry = listening()
    spies.plan(monitor(MonitorMode.WHISPER), registry, 101.0)
    (failed,) = spies.settle(monitor(MonitorMode.WHISPER), registry, 101.0, ok=False)
    assert isinstance(failed, MonitorFailed)
    (spy,) = registry.spies.all
    assert spy.mode is MonitorMode.LISTEN  # still listening


def test_one_phone_one_call_but_two_phones_on_one_call() -> None:
    registry = listening()
    other = cmd.MonitorCall(
        call_id=CallId("1795342999.1"), agent_id=AgentId("1002"), supervisor="sam",
        endpoint=SAM,
    )  # fmt: skip
    (busy,) = spies.plan(other, registry, 101.0).events
    assert isinstance(busy, MonitorFailed)
    assert busy.code == "phone_busy"
    second = spies.plan(monitor(MonitorMode.WHISPER, "PJSIP/2002"), registry, 101.0)
    assert fields(second.action)[1]["Data"] == f"{AGENT_CHANNEL},qEduw"
    assert len(registry.spies) == 2


def test_a_spy_that_vanished_during_an_outage_is_ended_on_resync() -> None:
    registry = listening()
    snapshot = wire(
        caller("CoreShowChannel", "Application: Dial"),
        agent("CoreShowChannel", "ChannelStateDesc: Up"),
    )
    (ended,) = resync(snapshot, registry, 200.0)
    assert isinstance(ended, MonitorEnded)
    assert ended.reason is MonitorEndReason.HUNG_UP
    assert not registry.spies


def test_spy_channels_never_look_like_callers_or_agents() -> None:
    registry = listening()
    events = replay(
        registry,
        spy_event("Newexten", "Application: ChanSpy\nAppData: x"),
        spy_event("DialBegin", f"DestChannel: {AGENT_CHANNEL}\nDestUniqueid: x"),
    )
    assert events == []
    assert len(registry.calls) == 1
