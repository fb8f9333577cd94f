"""The Asterisk adapter holds, resumes and passes on calls over a real AMI link (fake).

What goes over the wire for hold and resume, what a missing channel gives, and what
the adapter sends when one side of a held call hangs up or the caller is moved on.
The fake answers every action with ``Success``; the channels' events are synthetic
(see ``test_hold``). Nothing here ran against a live Asterisk.
"""

from collections.abc import AsyncIterator

import pytest

from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId
from tests.callcenter.pbx import talking_adapter
from tests.callcenter.pbx.fake_asterisk import eventually
from tests.callcenter.pbx.talking_adapter import (
    AGENT,
    AGENT_CHANNEL,
    AGENT_LEG,
    CALL,
    CALLER,
    CALLER_CHANNEL,
)

HOLD = cmd.HoldCall(call_id=CALL, agent_id=AGENT)
RESUME = cmd.ResumeCall(call_id=CALL, agent_id=AGENT)


class Adapter(talking_adapter.Adapter):
    async def held(self) -> None:
        await self.talking()
        await self.execute(HOLD, "Redirect")

    def rejections(self) -> list[ev.AgentCommandRejected]:
        return [e for e in self.seen if isinstance(e, ev.AgentCommandRejected)]


@pytest.fixture
async def adapter() -> AsyncIterator[Adapter]:
    async with talking_adapter.running(Adapter) as run:
        yield run


async def test_hold_then_resume_send_one_redirect_then_one_bridge(
    adapter: Adapter,
) -> None:
    await adapter.talking()
    sent = await adapter.execute(HOLD, "Redirect")
    assert sent == {
        "Action": "Redirect", "ActionID": sent["ActionID"],
        "Channel": CALLER_CHANNEL, "Context": "callcenter-hold", "Exten": "caller",
        "Priority": "1", "ExtraChannel": AGENT_CHANNEL,
        "ExtraContext": "callcenter-hold", "ExtraExten": "agent", "ExtraPriority": "1",
    }  # fmt: skip
    sent = await adapter.execute(RESUME, "Bridge")
    assert sent == {
        "Action": "Bridge", "ActionID": sent["ActionID"],
        "Channel1": CALLER_CHANNEL, "Channel2": AGENT_CHANNEL, "Tone": "no",
    }  # fmt: skip
    assert adapter.rejections() == []
    assert "CallEnded" not in adapter.kinds()


async def test_hold_without_a_live_channel_is_rejected_and_sends_nothing(
    adapter: Adapter,
) -> None:
    await adapter.pbx.execute(HOLD)  # no such call on the PBX
    await eventually(lambda: bool(adapter.rejections()))
    (rejected,) = adapter.rejections()
    assert (rejected.agent_id, rejected.command, rejected.code) == (
        AGENT,
        "hold",
        "no_live_channel",
    )
    assert rejected.message == f"agent 1001 has no live channel on call {CALL}"
    assert adapter.ami.named("Redirect") == []


async def test_a_caller_hanging_up_on_hold_ends_the_call_and_the_agents_channel(
    adapter: Adapter,
) -> None:
    await adapter.held()
    adapter.ami.event("HangupRequest", **CALLER)
    adapter.ami.event("Hangup", **CALLER, Cause="16")
    await eventually(lambda: bool(adapter.ami.named("Hangup")))
    (hangup,) = adapter.ami.named("Hangup")
    assert (hangup["Channel"], hangup["Cause"]) == (AGENT_CHANNEL, "16")
    ended = [e for e in adapter.seen if isinstance(e, ev.CallEnded)]
    assert ended == [ev.CallEnded(at=ended[0].at, call_id=CALL, by=ev.Party.CALLER)]


async def test_an_agent_hanging_up_on_hold_sends_the_caller_back_to_our_agi(
    adapter: Adapter,
) -> None:
    await adapter.held()
    adapter.ami.event("Hangup", **AGENT_LEG, Cause="16")
    await eventually(lambda: len(adapter.ami.named("Redirect")) == 2)
    back = adapter.ami.named("Redirect")[-1]
    assert (back["Channel"], back["Context"], back["Exten"], back["Priority"]) == (
        CALLER_CHANNEL,
        "callcenter-hold",
        "back",
        "1",
    )
    assert adapter.kinds().count("AgentLegEnded") == 1
    assert "CallEnded" not in adapter.kinds()


async def test_a_held_caller_transferred_away_frees_the_agents_channel(
    adapter: Adapter,
) -> None:
    await adapter.held()
    await adapter.pbx.execute(cmd.Transfer(call_id=CALL, target="frontdesk"))
    await eventually(lambda: bool(adapter.ami.named("Hangup")))
    redirect = adapter.ami.named("Redirect")[-1]
    assert (redirect["Channel"], redirect["Context"], redirect["Exten"]) == (
        CALLER_CHANNEL,
        "callcenter-transfer",
        "frontdesk",
    )
    (hangup,) = adapter.ami.named("Hangup")
    assert hangup["Channel"] == AGENT_CHANNEL
    names = [a["Action"] for a in adapter.ami.actions]
    assert names[-2:] == ["Redirect", "Hangup"]  # the caller moves first
    assert adapter.kinds().count("CallEnded") == 1


async def test_a_held_caller_queued_again_is_sent_back_to_our_agi_first(
    adapter: Adapter,
) -> None:
    await adapter.held()
    await adapter.pbx.execute(cmd.StartHold(call_id=CALL, moh_class="default"))
    await eventually(lambda: bool(adapter.ami.named("Hangup")))
    names = [a["Action"] for a in adapter.ami.actions]
    assert names[-3:] == ["Redirect", "Redirect", "Hangup"]  # hold, back, release
    back = adapter.ami.named("Redirect")[-1]
    assert (back["Channel"], back["Exten"]) == (CALLER_CHANNEL, "back")
    assert adapter.ami.named("Hangup")[0]["Channel"] == AGENT_CHANNEL
    adapter.ami.event("Hangup", **AGENT_LEG, Cause="16")
    adapter.ami.event("HangupRequest", **CALLER)
    adapter.ami.event("Hangup", **CALLER, Cause="16")
    await eventually(lambda: "CallEnded" in adapter.kinds())
    assert "AgentLegEnded" not in adapter.kinds()  # the transfer ended the talk


async def test_a_talking_caller_queued_again_leaves_the_agent_for_our_agi(
    adapter: Adapter,
) -> None:
    """A blind transfer to a queue with nobody free: music, not the first agent."""
    await adapter.talking()
    await adapter.pbx.execute(cmd.StartHold(call_id=CALL, moh_class="default"))
    await eventually(lambda: bool(adapter.ami.named("Hangup")))
    names = [a["Action"] for a in adapter.ami.actions]
    assert names[-2:] == ["Redirect", "Hangup"]  # the caller moves first
    back = adapter.ami.named("Redirect")[-1]
    assert (back["Channel"], back["Context"], back["Exten"]) == (
        CALLER_CHANNEL,
        "callcenter-hold",
        "back",
    )
    assert adapter.ami.named("Hangup")[0]["Channel"] == AGENT_CHANNEL
    adapter.ami.event("Hangup", **AGENT_LEG, Cause="16")
    adapter.ami.event("Newexten", **CALLER, Application="AGI",
                      AppData="agi://127.0.0.1:4573/callcenter")  # fmt: skip
    await eventually(lambda: adapter.pbx.registry.agent_leg(CALL) is None)
    assert "AgentLegEnded" not in adapter.kinds()  # the transfer ended the talk
    assert "CallEnded" not in adapter.kinds()


async def test_a_talking_caller_transferred_to_another_agent_rings_them(
    adapter: Adapter,
) -> None:
    await adapter.talking()
    ring = cmd.ConnectToAgent(
        call_id=CALL, agent_id=AgentId("1002"), endpoint="PJSIP/1002", ring_timeout=15
    )
    await adapter.pbx.execute(ring)
    await eventually(lambda: bool(adapter.ami.named("Hangup")))
    names = [a["Action"] for a in adapter.ami.actions]
    assert names[-2:] == ["Redirect", "Hangup"]
    assert adapter.ami.named("Redirect")[-1]["Context"] == "callcenter-connect"
    assert adapter.ami.named("Hangup")[0]["Channel"] == AGENT_CHANNEL
    adapter.ami.event("Hangup", **AGENT_LEG, Cause="16")
    new_leg = {"DestChannel": "PJSIP/1002-00000003", "DestUniqueid": "1795342870.40"}
    adapter.ami.event("DialBegin", **CALLER, **new_leg)
    await eventually(lambda: "AgentRinging" in adapter.kinds()[3:])
    ringing = [e for e in adapter.seen if isinstance(e, ev.AgentRinging)]
    assert [e.agent_id for e in ringing] == [AGENT, AgentId("1002")]
    assert "AgentLegEnded" not in adapter.kinds()
