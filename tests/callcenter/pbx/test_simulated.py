"""The simulated PBX behaves like callers and agents would, reproducibly."""

from callcenter.clock import VirtualClock
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId
from callcenter.pbx.simulated import SimulatedPbx
from callcenter.pbx.traffic import TrafficModel
from callcenter.settings import SimulationSettings

AGENT = AgentId("1001")


class Harness:
    def __init__(self, **settings: object) -> None:
        self.clock = VirtualClock()
        options = {
            "no_answer_probability": 0.0,
            "callback_probability": 0.0,
            **settings,
        }
        self.pbx = SimulatedPbx(TrafficModel(SimulationSettings(**options)), self.clock)
        self.events: list[ev.DomainEvent] = []
        self.pbx.attach(self.events.append)

    async def start(self) -> None:
        await self.pbx.start()

    def run_until(self, instant: float) -> None:
        while (due := self.pbx.next_due()) is not None and due <= instant:
            self.clock._now = due
            self.pbx.fire_due(due)
        self.clock._now = max(self.clock._now, instant)

    def run_for(self, seconds: float) -> None:
        self.run_until(self.clock.now() + seconds)

    def first_call(self) -> CallId:
        while not any(isinstance(e, ev.CallOffered) for e in self.events):
            self.run_for(10)
        offered = next(e for e in self.events if isinstance(e, ev.CallOffered))
        self.pbx.stop_arrivals()
        self.events.clear()
        return offered.call_id

    def of(self, kind: type[ev.DomainEvent]) -> list[ev.DomainEvent]:
        return [e for e in self.events if isinstance(e, kind)]


async def test_arrivals_follow_the_configured_rate_and_the_seed() -> None:
    counts = []
    for _ in range(2):
        harness = Harness(calls_per_hour=600, seed=7)
        await harness.start()
        harness.run_for(10 * 3600)
        counts.append(len(harness.of(ev.CallOffered)))
    assert counts[0] == counts[1]  # same seed, same calls
    assert 5600 < counts[0] < 6400  # 6000 expected, about 1 % standard deviation


async def test_a_prompt_finishes_after_it_has_played() -> None:
    harness = Harness()
    await harness.start()
    call = harness.first_call()
    start = harness.clock.now()
    await harness.pbx.execute(
        cmd.PlayPrompts(call_id=call, prompts=("welcome", "menu"))
    )
    harness.run_for(10)
    (finished,) = harness.of(ev.PromptFinished)
    assert finished.at == start + 4.0


async def test_collect_digits_returns_a_choice() -> None:
    harness = Harness()
    await harness.start()
    call = harness.first_call()
    await harness.pbx.execute(
        cmd.CollectDigits(call_id=call, prompt="menu", max_digits=1, timeout=5)
    )
    harness.run_for(20)
    (collected,) = harness.of(ev.DigitsCollected)
    assert isinstance(collected, ev.DigitsCollected)
    assert collected.timed_out or collected.digits in {"1", "2", "3", "4"}


async def test_agent_rings_answers_talks_and_hangs_up() -> None:
    harness = Harness(handle_time_seconds=30)
    await harness.start()
    call = harness.first_call()
    await harness.pbx.execute(cmd.StartHold(call_id=call))
    await harness.pbx.execute(
        cmd.ConnectToAgent(
            call_id=call, agent_id=AGENT, endpoint="sim/1001", ring_timeout=15
        )
    )
    harness.run_for(3600)
    kinds = [type(e) for e in harness.events]
    assert kinds[:3] == [ev.AgentRinging, ev.CallAnswered, ev.AgentLegEnded] or kinds[
        :3
    ] == [
        ev.AgentRinging,
        ev.CallAnswered,
        ev.CallEnded,
    ]


async def test_an_agent_at_the_console_is_not_answered_for() -> None:
    harness = Harness(patience_seconds=10_000)
    await harness.start()
    call = harness.first_call()
    harness.pbx.set_manual(AGENT, manual=True)
    await harness.pbx.execute(
        cmd.ConnectToAgent(
            call_id=call, agent_id=AGENT, endpoint="sim/1001", ring_timeout=15
        )
    )
    harness.run_for(5)
    assert [type(e) for e in harness.events] == [ev.AgentRinging]
    assert harness.pbx.answer(AGENT)
    harness.run_for(1)
    answered = harness.events[-1]
    assert isinstance(answered, ev.CallAnswered)
    harness.run_for(600)
    assert not harness.of(ev.AgentLegEnded)  # a person hangs up, not the simulation
    assert harness.pbx.hang_up_agent(AGENT)
    harness.run_for(1)
    ended = harness.events[-1]
    assert isinstance(ended, ev.AgentLegEnded)


async def test_unanswered_ring_reports_no_answer_after_the_timeout() -> None:
    harness = Harness(no_answer_probability=1.0, patience_seconds=10_000)
    await harness.start()
    call = harness.first_call()
    await harness.pbx.execute(
        cmd.ConnectToAgent(
            call_id=call, agent_id=AGENT, endpoint="sim/1001", ring_timeout=15
        )
    )
    harness.run_for(20)
    assert [type(e) for e in harness.events] == [ev.AgentRinging, ev.AgentNoAnswer]


async def test_an_impatient_caller_hangs_up_while_holding() -> None:
    harness = Harness(patience_seconds=30)
    await harness.start()
    call = harness.first_call()
    await harness.pbx.execute(cmd.StartHold(call_id=call))
    harness.run_for(100_000)
    (ended,) = harness.of(ev.CallEnded)
    assert isinstance(ended, ev.CallEnded)
    assert ended.by is ev.Party.CALLER


async def test_commands_for_a_call_that_is_gone_are_ignored() -> None:
    harness = Harness()
    await harness.start()
    call = harness.first_call()
    await harness.pbx.execute(cmd.HangUp(call_id=call))
    harness.run_for(1)
    assert [type(e) for e in harness.events] == [ev.CallEnded]
    await harness.pbx.execute(cmd.PlayPrompts(call_id=call, prompts=("x",)))
    harness.run_for(10)
    assert len(harness.events) == 1


async def test_a_new_prompt_ends_the_music_on_hold() -> None:
    harness = Harness(patience_seconds=10_000)
    await harness.start()
    call = harness.first_call()
    await harness.pbx.execute(cmd.StartHold(call_id=call))
    harness.run_for(30)
    await harness.pbx.execute(cmd.SayValue(call_id=call, value=3))
    harness.run_for(5)
    assert [type(e) for e in harness.events] == [ev.PromptFinished]
