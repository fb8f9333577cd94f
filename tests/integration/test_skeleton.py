"""The whole call center, end to end on the simulated PBX, in virtual time.

Conservation is the invariant: at every instant, calls offered = calls completed +
calls still in progress; after the last call is over, every offered call has exactly
one final record, and answered + abandoned + the other outcomes add up.
"""

from collections import Counter
from typing import TypeVar

from callcenter.center import CallCenter, make_call_center
from callcenter.clock import VirtualClock
from callcenter.core.services import Facts, InMemoryServices
from callcenter.domain import events as ev
from callcenter.pbx.simulated import SimulatedPbx
from callcenter.settings import Settings, load_settings

KNOWN: dict[str, Facts] = {
    "+8613800138000": {
        "known": True,
        "customer_id": "1",
        "name": "Li Wei",
        "tier": "vip",
    },
    "+8613900139000": {
        "known": True,
        "customer_id": "2",
        "name": "Wang Fang",
        "tier": "ordinary",
        "open_complaint": True,
    },
}


def settings(**simulation: object) -> Settings:
    return load_settings(
        overrides={"simulation": {"seed": 3, "calls_per_hour": 400, **simulation}}
    )


E = TypeVar("E", bound=ev.DomainEvent)


class Recorder:
    def __init__(self, center: CallCenter) -> None:
        self.events: list[ev.DomainEvent] = []
        center.bus.add_listener(self.events.append)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]


async def run_center(
    hours: float, **simulation: object
) -> tuple[CallCenter, Recorder, InMemoryServices]:
    clock = VirtualClock()
    services = InMemoryServices(KNOWN)
    center = make_call_center(settings(**simulation), clock=clock, services=services)
    recorder = Recorder(center)
    pbx = center.pbx
    assert isinstance(pbx, SimulatedPbx)
    await pbx.start()
    center.log_in_simulated_agents()
    end = clock.now() + hours * 3600
    while clock.now() < end:  # check conservation every simulated minute
        await center.runtime.run(until=min(end, clock.now() + 60))
        assert (
            pbx.offered
            == center.switchboard.completed + center.switchboard.calls_in_progress()
        )
    pbx.stop_arrivals()
    await center.runtime.run(until=clock.now() + 4 * 3600)
    return center, recorder, services


async def test_every_offered_call_ends_in_exactly_one_record() -> None:
    center, recorder, services = await run_center(2)
    pbx = center.pbx
    assert isinstance(pbx, SimulatedPbx)
    assert pbx.offered > 500
    assert center.switchboard.calls_in_progress() == 0
    offered = {e.call_id for e in recorder.of(ev.CallOffered)}
    completed = Counter(e.call_id for e in recorder.of(ev.CallCompleted))
    assert set(completed) == offered
    assert set(completed.values()) == {1}
    assert len(services.calls) == pbx.offered  # every record reached the CRM port


async def test_outcomes_add_up_and_most_calls_are_answered() -> None:
    _, recorder, _ = await run_center(2)
    outcomes = Counter(e.outcome for e in recorder.of(ev.CallCompleted))
    assert sum(outcomes.values()) == len(recorder.of(ev.CallOffered))
    answered = outcomes[ev.CallOutcome.ANSWERED]
    assert answered > 0.5 * sum(outcomes.values())
    assert outcomes[ev.CallOutcome.UNFINISHED] == 0
    finished = Counter(e.outcome for e in recorder.of(ev.AcdCallFinished))
    assert finished[ev.CallOutcome.ANSWERED] == answered


async def test_the_agent_sees_a_screen_pop_for_every_ring() -> None:
    _, recorder, services = await run_center(1)
    rings = recorder.of(ev.AgentRinging)
    pops = recorder.of(ev.ScreenPopReady)
    assert rings
    assert [(p.call_id, p.agent_id) for p in pops] == [
        (r.call_id, r.agent_id) for r in rings
    ]
    vip = [p for p in services.screen_pops if p.caller_number == "+8613800138000"]
    assert vip
    assert vip[0].record["status"] == "known"


async def test_known_callers_are_identified_with_their_tier() -> None:
    _, recorder, _ = await run_center(1)
    identified = recorder.of(ev.CustomerIdentified)
    assert {e.tier for e in identified} >= {"vip", "ordinary"}


async def test_no_agent_is_offered_two_calls_at_once() -> None:
    _, recorder, _ = await run_center(1, calls_per_hour=900)
    ringing: dict[str, str] = {}
    for event in recorder.events:
        if isinstance(event, ev.CallOfferedToAgent):
            assert event.agent_id not in ringing
            ringing[event.agent_id] = event.call_id
        elif (
            isinstance(event, ev.AgentStateChanged)
            and event.state is not ev.AgentState.RINGING
        ):
            ringing.pop(event.agent_id, None)


async def test_the_same_seed_gives_the_same_day() -> None:
    first = await run_center(0.5)
    second = await run_center(0.5)
    summary = [
        Counter((type(e).__name__, getattr(e, "outcome", None)) for e in run[1].events)
        for run in (first, second)
    ]
    assert summary[0] == summary[1]
