"""The simulated PBX bridges supervisors' phones into agents' calls.

A supervisor's phone answers at once in the simulation: a monitor starts when asked,
switches mode on request and ends when stopped or when the agent's talk is over.
"""

import pytest

from callcenter.clock import VirtualClock
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId
from callcenter.domain.supervision import (
    MonitorEnded,
    MonitorEndReason,
    MonitorEvent,
    MonitorFailed,
    MonitorMode,
    MonitorModeChanged,
    MonitorStarted,
)
from callcenter.pbx.simulated import SimulatedPbx
from callcenter.pbx.traffic import TrafficModel
from callcenter.settings import SimulationSettings

AGENT = AgentId("1001")
SAM, LIN = "sim/2001", "sim/2002"


class Line:
    """One caller talking to agent 1001 (played by a person: nothing automatic)."""

    def __init__(self) -> None:
        self.clock = VirtualClock()
        traffic = TrafficModel(SimulationSettings(no_answer_probability=0.0))
        self.pbx = SimulatedPbx(traffic, self.clock, arrivals=False)
        self.events: list[ev.DomainEvent] = []
        self.pbx.attach(self.events.append)
        self.pbx.set_manual(AGENT, manual=True)
        self.call = self.pbx.offer_call("+8613800138000")

    def run_for(self, seconds: float) -> None:
        until = self.clock.now() + seconds
        while (due := self.pbx.next_due()) is not None and due <= until:
            self.clock._now = due
            self.pbx.fire_due(due)
        self.clock._now = until

    async def talking(self) -> CallId:
        await self.pbx.execute(
            cmd.ConnectToAgent(
                call_id=self.call, agent_id=AGENT, endpoint="sim/1001", ring_timeout=15
            )
        )
        self.run_for(1)
        assert self.pbx.answer(AGENT)
        self.run_for(1)
        assert any(isinstance(e, ev.CallAnswered) for e in self.events)
        self.events.clear()
        return self.call

    async def monitor(
        self, mode: MonitorMode = MonitorMode.LISTEN, endpoint: str = SAM
    ) -> None:
        await self.pbx.execute(
            cmd.MonitorCall(
                call_id=self.call, agent_id=AGENT, supervisor="sam",
                endpoint=endpoint, mode=mode,
            )
        )  # fmt: skip

    def monitor_events(self) -> list[MonitorEvent]:
        return [e for e in self.events if isinstance(e, MonitorEvent)]


@pytest.mark.parametrize("mode", list(MonitorMode))
async def test_each_mode_starts_at_once_on_the_agents_call(mode: MonitorMode) -> None:
    line = Line()
    call = await line.talking()
    await line.monitor(mode)
    assert line.monitor_events() == [
        MonitorStarted(
            at=line.clock.now(), call_id=call, agent_id=AGENT, supervisor="sam",
            endpoint=SAM, mode=mode,
        )
    ]  # fmt: skip
    (session,) = line.pbx.monitors.of_call(call)
    assert session.mode is mode


async def test_listen_then_whisper_then_barge_on_the_same_phone() -> None:
    line = Line()
    await line.talking()
    for mode in MonitorMode:
        await line.monitor(mode)
    await line.monitor(MonitorMode.BARGE)  # the same mode again: nothing happens
    changes = [
        (e.previous, e.mode)
        for e in line.monitor_events()
        if isinstance(e, MonitorModeChanged)
    ]
    assert changes == [
        (MonitorMode.LISTEN, MonitorMode.WHISPER),
        (MonitorMode.WHISPER, MonitorMode.BARGE),
    ]
    assert len(line.pbx.monitors.of_call(line.call)) == 1


async def test_stop_ends_the_monitor_and_the_call_goes_on() -> None:
    line = Line()
    call = await line.talking()
    await line.monitor(MonitorMode.WHISPER)
    await line.pbx.execute(cmd.StopMonitor(call_id=call, agent_id=AGENT, endpoint=SAM))
    ended = line.monitor_events()[-1]
    assert isinstance(ended, MonitorEnded)
    assert (ended.reason, ended.mode) == (MonitorEndReason.STOPPED, MonitorMode.WHISPER)
    assert line.pbx.monitors.of_call(call) == ()
    assert line.pbx.calls_in_progress() == 1
    assert not any(isinstance(e, ev.CallEnded) for e in line.events)


@pytest.mark.parametrize("who", ["agent", "caller"])
async def test_the_end_of_the_agents_talk_ends_every_monitor_of_the_call(
    who: str,
) -> None:
    line = Line()
    call = await line.talking()
    await line.monitor(MonitorMode.LISTEN, SAM)
    await line.monitor(MonitorMode.BARGE, LIN)  # a second supervisor is allowed
    assert len(line.monitor_events()) == 2
    if who == "agent":
        assert line.pbx.hang_up_agent(AGENT)
    else:
        assert line.pbx.hang_up(call)
    line.run_for(1)
    kinds = [type(e).__name__ for e in line.events]
    first_end = kinds.index("MonitorEnded")
    assert kinds[first_end - 1] in {
        "AgentLegEnded",
        "CallEnded",
    }  # after it, as on Asterisk
    ended = [e for e in line.events if isinstance(e, MonitorEnded)]
    assert sorted(e.endpoint for e in ended) == [SAM, LIN]
    assert {e.reason for e in ended} == {MonitorEndReason.CALL_ENDED}
    assert line.pbx.monitors.of_call(call) == ()


async def test_an_agent_who_is_not_talking_cannot_be_monitored() -> None:
    line = Line()  # the caller is still in the IVR: nobody talks to them
    await line.monitor()
    (failed,) = line.monitor_events()
    assert isinstance(failed, MonitorFailed)
    assert failed.code == "no_agent_channel"
    assert failed.message == f"agent 1001 is not talking on call {line.call}"
    assert line.pbx.monitors.of_call(line.call) == ()


async def test_a_call_already_gone_answers_with_a_failure_not_silence() -> None:
    line = Line()
    await line.talking()
    line.pbx.hang_up(line.call)
    line.run_for(1)
    await line.monitor()
    (failed,) = line.monitor_events()
    assert isinstance(failed, MonitorFailed)
    assert failed.code == "no_agent_channel"


async def test_a_phone_monitoring_one_call_is_busy_for_another() -> None:
    line = Line()
    await line.talking()
    await line.monitor()
    await line.pbx.execute(
        cmd.MonitorCall(
            call_id=CallId("sim-other"), agent_id=AgentId("1002"), supervisor="sam",
            endpoint=SAM, mode=MonitorMode.LISTEN,
        )
    )  # fmt: skip
    failed = line.monitor_events()[-1]
    assert isinstance(failed, MonitorFailed)
    assert failed.code == "phone_busy"
    assert len(line.pbx.monitors.of_call(line.call)) == 1
