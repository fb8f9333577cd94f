"""Tests and demos can make a simulated caller hang up or key a digit on hold now."""

from callcenter.clock import VirtualClock
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import CallId
from callcenter.pbx.simulated import SimulatedPbx
from callcenter.pbx.traffic import TrafficModel
from callcenter.settings import SimulationSettings


def pbx_with_events() -> tuple[SimulatedPbx, VirtualClock, list[ev.DomainEvent]]:
    clock = VirtualClock()
    pbx = SimulatedPbx(TrafficModel(SimulationSettings()), clock, arrivals=False)
    events: list[ev.DomainEvent] = []
    pbx.attach(events.append)
    return pbx, clock, events


def test_a_caller_hangs_up_at_once_and_their_prompt_never_finishes() -> None:
    pbx, clock, events = pbx_with_events()
    call = pbx.offer_call("+100")
    pbx.apply(cmd.PlayPrompts(call_id=call, prompts=("custom/welcome",)), clock.now())
    assert pbx.hang_up(call)
    pbx.fire_due(clock.now() + 10)
    ended = [e for e in events if isinstance(e, ev.CallEnded)]
    assert [(e.call_id, e.by) for e in ended] == [(call, ev.Party.CALLER)]
    assert not any(isinstance(e, ev.PromptFinished) for e in events)
    assert pbx.calls_in_progress() == 0


def test_hanging_up_a_caller_who_is_gone_does_nothing() -> None:
    pbx, clock, events = pbx_with_events()
    call = pbx.offer_call("+100")
    pbx.hang_up(call)
    pbx.fire_due(clock.now())
    assert not pbx.hang_up(call)
    assert not pbx.hang_up(CallId("nobody"))
    assert sum(isinstance(e, ev.CallEnded) for e in events) == 1


def test_a_caller_on_hold_keys_a_digit() -> None:
    pbx, clock, events = pbx_with_events()
    call = pbx.offer_call("+100")
    assert not pbx.press(call, "2")  # not on hold yet: nothing to interrupt
    pbx.apply(cmd.StartHold(call_id=call), clock.now())
    assert pbx.press(call, "2")
    pbx.fire_due(clock.now())
    keyed = [e for e in events if isinstance(e, ev.HoldInterrupted)]
    assert [(e.call_id, e.digit) for e in keyed] == [(call, "2")]
