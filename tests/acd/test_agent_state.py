"""The agent state table."""

import pytest

from acd.agent_state import DEFERRED, TRANSITIONS, Trigger, is_deferred, next_state
from acd.errors import IllegalTransitionError
from callcenter.domain.events import AgentState as S


@pytest.mark.parametrize(
    ("state", "trigger", "after"),
    [
        (S.LOGGED_OUT, Trigger.LOGIN, S.AVAILABLE),
        (S.LOGGED_OUT, Trigger.LOGIN_PAUSED, S.PAUSED),
        (S.AVAILABLE, Trigger.OFFER, S.RINGING),
        (S.RINGING, Trigger.ANSWER, S.ON_CALL),
        (S.RINGING, Trigger.MISS, S.AVAILABLE),
        (S.RINGING, Trigger.MISS_LIMIT, S.PAUSED),
        (S.ON_CALL, Trigger.TALK_END, S.WRAP_UP),
        (S.ON_CALL, Trigger.TALK_END_NO_WRAP, S.AVAILABLE),
        (S.WRAP_UP, Trigger.WRAP_END, S.AVAILABLE),
        (S.WRAP_UP, Trigger.PAUSE, S.PAUSED),
        (S.PAUSED, Trigger.READY, S.AVAILABLE),
        (S.AVAILABLE, Trigger.LOGOUT, S.LOGGED_OUT),
    ],
)
def test_the_main_path(state: S, trigger: Trigger, after: S) -> None:
    assert next_state(state, trigger) == after


@pytest.mark.parametrize(
    ("state", "trigger"),
    [
        (S.LOGGED_OUT, Trigger.READY),
        (S.LOGGED_OUT, Trigger.PAUSE),
        (S.PAUSED, Trigger.OFFER),
        (S.WRAP_UP, Trigger.OFFER),
        (S.ON_CALL, Trigger.OFFER),
        (S.AVAILABLE, Trigger.ANSWER),
    ],
)
def test_illegal_pairs_raise(state: S, trigger: Trigger) -> None:
    with pytest.raises(IllegalTransitionError):
        next_state(state, trigger)


def test_pause_and_logout_during_a_call_are_deferred() -> None:
    for state in (S.RINGING, S.ON_CALL):
        for trigger in (Trigger.PAUSE, Trigger.LOGOUT):
            assert is_deferred(state, trigger)
            assert next_state(state, trigger) == state


def test_only_available_agents_can_be_offered_a_call() -> None:
    offered = {state for (state, trigger) in TRANSITIONS if trigger == Trigger.OFFER}
    assert offered == {S.AVAILABLE}
    assert not any(trigger == Trigger.OFFER for _, trigger in DEFERRED)
