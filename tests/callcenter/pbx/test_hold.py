"""Hold and resume on Asterisk: the exact AMI actions, and the events around them.

Sans-IO: a call is set up by translating AMI events (as ``test_translate`` does with
recordings), ``hold.plan`` says what the adapter sends for ``HoldCall`` and
``ResumeCall``, and the channels' events are translated back. No recording of a
dual ``Redirect`` or of the ``Bridge`` action exists (tests/fixtures/ami has none):
the events below are **synthetic**, in the recordings' wire format with the fields
Asterisk documents for ``BridgeLeave``, ``Newexten``, ``BridgeEnter`` and ``Hangup``.
Nothing here ran against a live Asterisk.
"""

from collections.abc import Callable

import pytest

from callcenter.ami.messages import Action
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId
from callcenter.pbx import hold
from callcenter.pbx.registry import ChannelRegistry
from callcenter.pbx.translate import resync
from tests.callcenter.pbx.synthetic_call import (
    AGENT,
    AGENT_CHANNEL,
    CALL,
    CALLER_CHANNEL,
    RINGING,
    agent,
    caller,
    replay,
    talking,
    wire,
)

CONTEXT = "callcenter-hold"
HOLD = cmd.HoldCall(call_id=CALL, agent_id=AGENT)
RESUME = cmd.ResumeCall(call_id=CALL, agent_id=AGENT)

# What a dual Redirect into [callcenter-hold] makes both channels say.
ON_HOLD = (
    caller("BridgeLeave", "BridgeUniqueid: b-dial"),
    agent("BridgeLeave", "BridgeUniqueid: b-dial"),
    caller("Newexten", f"Context: {CONTEXT}\nExten: caller\nPriority: 1\n"
           "Application: MusicOnHold\nAppData: default"),
    agent("Newexten", f"Context: {CONTEXT}\nExten: agent\nPriority: 1\n"
          "Application: Wait\nAppData: 86400"),
)  # fmt: skip
# What the Bridge action makes them say.
BACK_TOGETHER = (
    caller("BridgeEnter", "BridgeUniqueid: b-resume"),
    agent("BridgeEnter", "BridgeUniqueid: b-resume"),
)


def fields(action: Action | None) -> tuple[str, dict[str, str]]:
    assert action is not None
    return action.name, dict(action.headers)


def held() -> ChannelRegistry:
    registry = talking()
    hold.plan(HOLD, registry, CONTEXT, 100.0)
    assert hold.settle(HOLD, registry, 100.0, ok=True) == []
    assert replay(registry, *ON_HOLD) == []
    return registry


def rejected(events: tuple[ev.DomainEvent, ...] | list[ev.DomainEvent]) -> list[str]:
    return [
        f"{e.command}:{e.code}"
        for e in events
        if isinstance(e, ev.AgentCommandRejected)
    ]


def test_hold_redirects_both_channels_into_the_hold_context_in_one_action() -> None:
    registry = talking()
    plan = hold.plan(HOLD, registry, CONTEXT, 100.0)
    assert plan.events == ()
    assert fields(plan.action) == (
        "Redirect",
        {
            "Channel": CALLER_CHANNEL,
            "Context": CONTEXT,
            "Exten": "caller",
            "Priority": "1",
            "ExtraChannel": AGENT_CHANNEL,
            "ExtraContext": CONTEXT,
            "ExtraExten": "agent",
            "ExtraPriority": "1",
        },
    )
    call = registry.call(CALL)
    assert call is not None
    assert call.held


def test_leaving_the_bridge_for_music_and_silence_changes_nothing_in_the_core() -> None:
    registry = held()
    call = registry.call(CALL)
    assert call is not None
    assert call.held
    assert registry.take_releases() == []


def test_resume_bridges_the_caller_and_the_agent_again() -> None:
    registry = held()
    plan = hold.plan(RESUME, registry, CONTEXT, 101.0)
    assert plan.events == ()
    assert fields(plan.action) == (
        "Bridge",
        {"Channel1": CALLER_CHANNEL, "Channel2": AGENT_CHANNEL, "Tone": "no"},
    )
    assert hold.settle(RESUME, registry, 101.0, ok=True) == []
    assert replay(registry, *BACK_TOGETHER) == []
    call = registry.call(CALL)
    assert call is not None
    assert not call.held


def test_after_resume_the_agents_hangup_ends_their_part_as_before() -> None:
    registry = held()
    hold.plan(RESUME, registry, CONTEXT, 101.0)
    replay(registry, *BACK_TOGETHER)
    events = replay(registry, agent("Hangup", "Cause: 16"))
    assert events == [ev.AgentLegEnded(at=100.0, call_id=CALL, agent_id=AGENT)]
    assert registry.take_releases() == []  # the Bridge sends the caller on itself


def test_hold_twice_or_resume_a_call_not_held_sends_nothing() -> None:
    registry = held()
    assert hold.plan(HOLD, registry, CONTEXT, 101.0) == hold.Plan()
    talking_registry = talking()
    assert hold.plan(RESUME, talking_registry, CONTEXT, 101.0) == hold.Plan()


def test_hold_of_a_call_with_no_live_channel_is_rejected_and_sends_nothing() -> None:
    gone = hold.plan(HOLD, ChannelRegistry(), CONTEXT, 100.0)
    ringing = ChannelRegistry()
    replay(ringing, *RINGING)
    still_ringing = hold.plan(HOLD, ringing, CONTEXT, 100.0)
    other = cmd.HoldCall(call_id=CALL, agent_id=AgentId("1002"))
    not_theirs = hold.plan(other, talking(), CONTEXT, 100.0)
    for plan in (gone, still_ringing, not_theirs):
        assert plan.action is None
        assert rejected(plan.events) == ["hold:no_live_channel"]
    (event,) = gone.events
    assert isinstance(event, ev.AgentCommandRejected)
    assert event.message == f"agent 1001 has no live channel on call {CALL}"
    resume = hold.plan(RESUME, ChannelRegistry(), CONTEXT, 100.0)
    assert rejected(resume.events) == ["resume:no_live_channel"]


def test_a_refused_hold_or_resume_is_reported_and_the_call_stays_as_it_was() -> None:
    registry = talking()
    hold.plan(HOLD, registry, CONTEXT, 100.0)
    assert rejected(hold.settle(HOLD, registry, 100.0, ok=False)) == [
        "hold:refused_by_pbx"
    ]
    call = registry.call(CALL)
    assert call is not None
    assert not call.held
    registry = held()
    hold.plan(RESUME, registry, CONTEXT, 100.0)
    assert rejected(hold.settle(RESUME, registry, 100.0, ok=False)) == [
        "resume:refused_by_pbx"
    ]
    call = registry.call(CALL)
    assert call is not None
    assert call.held


def test_a_caller_hanging_up_on_hold_ends_the_call_and_frees_the_agents_channel() -> (
    None
):
    registry = held()
    events = replay(registry, caller("HangupRequest"), caller("Hangup", "Cause: 16"))
    assert events == [ev.CallEnded(at=100.0, call_id=CALL, by=ev.Party.CALLER)]
    (release,) = registry.take_releases()
    assert release == hold.Release(call_id=CALL, channel=AGENT_CHANNEL, hang_up=True)
    assert fields(hold.release_action(release, CONTEXT)) == (
        "Hangup",
        {"Channel": AGENT_CHANNEL, "Cause": "16"},
    )
    assert replay(registry, agent("Hangup", "Cause: 16")) == []  # our own: unknown


def test_an_agent_hanging_up_on_hold_sends_the_caller_back_to_our_agi() -> None:
    registry = held()
    events = replay(registry, agent("Hangup", "Cause: 16"))
    assert events == [ev.AgentLegEnded(at=100.0, call_id=CALL, agent_id=AGENT)]
    (release,) = registry.take_releases()
    assert release == hold.Release(call_id=CALL, channel=CALLER_CHANNEL, hang_up=False)
    assert fields(hold.release_action(release, CONTEXT)) == (
        "Redirect",
        {
            "Channel": CALLER_CHANNEL,
            "Context": CONTEXT,
            "Exten": "back",
            "Priority": "1",
        },
    )
    call = registry.call(CALL)
    assert call is not None
    assert not call.held
    back = f"Context: {CONTEXT}\nExten: back\nPriority: 1\nApplication: AGI\n"
    back += "AppData: agi://127.0.0.1:4573/callcenter"
    assert replay(registry, caller("Newexten", back)) == []  # the same call goes on


@pytest.mark.parametrize("state", [held, talking])
def test_a_caller_moved_on_frees_the_agents_channel_once(
    state: Callable[[], ChannelRegistry],
) -> None:
    registry = state()
    assert hold.moved_on(CALL, registry) == hold.Release(
        call_id=CALL, channel=AGENT_CHANNEL, hang_up=True
    )
    assert hold.moved_on(CALL, registry) is None
    assert replay(registry, agent("Hangup", "Cause: 16")) == []  # talk ended already


@pytest.mark.parametrize("state", [held, talking])
def test_a_caller_queued_again_goes_back_to_our_agi_and_frees_the_agent(
    state: Callable[[], ChannelRegistry],
) -> None:
    registry = state()
    assert hold.back_to_ivr(CALL, registry) == [
        hold.Release(call_id=CALL, channel=CALLER_CHANNEL, hang_up=False),
        hold.Release(call_id=CALL, channel=AGENT_CHANNEL, hang_up=True),
    ]
    assert hold.back_to_ivr(CALL, registry) == []


def test_a_caller_in_our_agi_needs_nothing_to_play_media() -> None:
    registry = talking()
    replay(registry, agent("Hangup", "Cause: 16"))  # the agent hung up: the survey
    assert hold.back_to_ivr(CALL, registry) == []
    assert hold.moved_on(CALL, registry) is None


def test_an_agent_hanging_up_on_hold_after_the_caller_began_to_leave_sends_nothing() -> (
    None
):
    registry = held()
    replay(registry, caller("HangupRequest"))
    assert replay(registry, agent("Hangup", "Cause: 16")) == []
    assert registry.take_releases() == []


def test_a_held_caller_gone_during_an_outage_ends_the_call_and_frees_the_agent() -> (
    None
):
    registry = held()
    snapshot = wire(agent("CoreShowChannel", "Application: Wait\nChannelStateDesc: Up"))
    events = resync(snapshot, registry, 200.0)
    assert events == [ev.CallEnded(at=200.0, call_id=CALL, by=ev.Party.SYSTEM)]
    assert registry.take_releases() == [
        hold.Release(call_id=CALL, channel=AGENT_CHANNEL, hang_up=True)
    ]


def test_a_held_agent_gone_during_an_outage_sends_the_caller_back_to_our_agi() -> None:
    registry = held()
    snapshot = wire(caller("CoreShowChannel", "Application: MusicOnHold"))
    events = resync(snapshot, registry, 200.0)
    assert events == [ev.AgentLegEnded(at=200.0, call_id=CALL, agent_id=AGENT)]
    assert registry.take_releases() == [
        hold.Release(call_id=CALL, channel=CALLER_CHANNEL, hang_up=False)
    ]
