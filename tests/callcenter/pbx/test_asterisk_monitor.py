"""The Asterisk adapter monitors calls over a real AMI connection (fake Asterisk).

What goes over the wire for listen, whisper, barge and stop, and how the spy
channel's events come back as monitor events. The fake answers every action with
``Success``; the spy's events are synthetic (see ``test_spies``).
"""

from collections.abc import AsyncIterator

import pytest

from callcenter.domain import commands as cmd
from callcenter.domain.supervision import (
    MonitorEnded,
    MonitorEndReason,
    MonitorEvent,
    MonitorFailed,
    MonitorMode,
    MonitorModeChanged,
    MonitorStarted,
)
from tests.callcenter.pbx import talking_adapter
from tests.callcenter.pbx.fake_asterisk import eventually
from tests.callcenter.pbx.talking_adapter import AGENT, AGENT_CHANNEL, CALL

SPY = f"{CALL}-spy1"
SPY_CHANNEL = "PJSIP/2001-00000003"


class Adapter(talking_adapter.Adapter):
    def monitor_events(self) -> list[MonitorEvent]:
        return [e for e in self.seen if isinstance(e, MonitorEvent)]

    def spy_event(self, name: str, **headers: str) -> None:
        self.ami.event(name, Channel=SPY_CHANNEL, Uniqueid=SPY, Linkedid=SPY, **headers)


@pytest.fixture
async def adapter() -> AsyncIterator[Adapter]:
    async with talking_adapter.running(Adapter) as run:
        yield run


def monitor(mode: MonitorMode) -> cmd.MonitorCall:
    return cmd.MonitorCall(
        call_id=CALL, agent_id=AGENT, supervisor="sam", endpoint="PJSIP/2001", mode=mode
    )


@pytest.mark.parametrize(
    ("mode", "options"),
    [(MonitorMode.LISTEN, "qEdu"), (MonitorMode.WHISPER, "qEduw"),
     (MonitorMode.BARGE, "qEduB")],
)  # fmt: skip
async def test_each_mode_sends_one_originate_into_chanspy(
    adapter: Adapter, mode: MonitorMode, options: str
) -> None:
    await adapter.talking()
    sent = await adapter.execute(monitor(mode), "Originate")
    assert sent == {
        "Action": "Originate",
        "ActionID": f"monitor-{SPY}",
        "Channel": "PJSIP/2001",
        "Application": "ChanSpy",
        "Data": f"{AGENT_CHANNEL},{options}",
        "CallerID": '"Monitor 1001" <1001>',
        "Timeout": "30000",
        "Async": "true",
        "ChannelId": SPY,
    }
    adapter.ami.event(
        "ChanSpyStart", SpyerChannel=SPY_CHANNEL, SpyerUniqueid=SPY,
        SpyeeChannel=AGENT_CHANNEL, SpyeeUniqueid="1795342866.37",
    )  # fmt: skip
    await eventually(lambda: bool(adapter.monitor_events()))
    (started,) = adapter.monitor_events()
    assert isinstance(started, MonitorStarted)
    assert (started.mode, started.supervisor, started.call_id) == (mode, "sam", CALL)


async def test_listen_whisper_barge_then_stop_on_one_phone_call(
    adapter: Adapter,
) -> None:
    await adapter.talking()
    await adapter.execute(monitor(MonitorMode.LISTEN), "Originate")
    adapter.ami.event("ChanSpyStart", SpyerChannel=SPY_CHANNEL, SpyerUniqueid=SPY)
    await eventually(lambda: len(adapter.monitor_events()) == 1)
    for mode, digit in ((MonitorMode.WHISPER, "5"), (MonitorMode.BARGE, "6")):
        sent = await adapter.execute(monitor(mode), "PlayDTMF")
        assert sent == {
            "Action": "PlayDTMF", "ActionID": sent["ActionID"], "Channel": SPY_CHANNEL,
            "Digit": digit, "Receive": "true",
        }  # fmt: skip
    await eventually(lambda: len(adapter.monitor_events()) == 3)
    changes = [
        (e.previous, e.mode)
        for e in adapter.monitor_events()
        if isinstance(e, MonitorModeChanged)
    ]
    assert changes == [
        (MonitorMode.LISTEN, MonitorMode.WHISPER),
        (MonitorMode.WHISPER, MonitorMode.BARGE),
    ]
    stop = cmd.StopMonitor(call_id=CALL, agent_id=AGENT, endpoint="PJSIP/2001")
    sent = await adapter.execute(stop, "Hangup")
    assert (sent["Channel"], sent["Cause"]) == (SPY_CHANNEL, "16")
    adapter.spy_event("Hangup", Cause="16")
    await eventually(lambda: len(adapter.monitor_events()) == 4)
    ended = adapter.monitor_events()[-1]
    assert isinstance(ended, MonitorEnded)
    assert (ended.reason, ended.mode) == (MonitorEndReason.STOPPED, MonitorMode.BARGE)
    assert not adapter.pbx.registry.spies


async def test_the_agents_hangup_ends_the_monitor(adapter: Adapter) -> None:
    await adapter.talking()
    await adapter.execute(monitor(MonitorMode.WHISPER), "Originate")
    adapter.ami.event("ChanSpyStart", SpyerChannel=SPY_CHANNEL, SpyerUniqueid=SPY)
    adapter.ami.event(
        "Hangup", Channel=AGENT_CHANNEL, Uniqueid="1795342866.37", Linkedid=CALL
    )
    adapter.spy_event("Hangup", Cause="16")  # ChanSpy's E: it exits with the agent
    await eventually(lambda: len(adapter.monitor_events()) == 2)
    ended = adapter.monitor_events()[-1]
    assert isinstance(ended, MonitorEnded)
    assert ended.reason is MonitorEndReason.CALL_ENDED
    kinds = [type(e).__name__ for e in adapter.seen]
    assert kinds.index("AgentLegEnded") < kinds.index("MonitorEnded")


async def test_an_agent_without_a_live_channel_gets_an_error_and_no_action(
    adapter: Adapter,
) -> None:
    await adapter.pbx.execute(monitor(MonitorMode.LISTEN))  # no such call on the PBX
    await eventually(lambda: bool(adapter.monitor_events()))
    (failed,) = adapter.monitor_events()
    assert isinstance(failed, MonitorFailed)
    assert failed.code == "no_agent_channel"
    assert failed.message == f"agent 1001 has no live channel on call {CALL}"
    assert adapter.ami.named("Originate") == []
