"""The agent state machine, as a table.

Theory of operation
-------------------
An agent is LOGGED_OUT until ``LogIn``; then AVAILABLE (or PAUSED when logging in
paused). The engine offers a call to an AVAILABLE agent only: RINGING. The PBX then
reports an answer (ON_CALL) or a miss (back to AVAILABLE, or PAUSED with reason
"no-answer" after ``max_no_answer`` misses in a row); a ring can also be cancelled
(the caller hung up, another agent answered a ring-all call): back to AVAILABLE.
When the talk ends the agent does after-call work (WRAP_UP) until the wrap-up timer
or ``EndWrapUp``/``SetReady``; then AVAILABLE (at once when wrap-up is zero).

``Pause`` and ``LogOut`` while RINGING or ON_CALL do not interrupt the call: they are
*deferred* and applied when the agent would next become AVAILABLE. Every other pair
not in the table is illegal and raises ``IllegalTransitionError``; pairs that map a
state to itself are harmless repeats or races (e.g. ``EndWrapUp`` arriving just
after the wrap-up timer fired) and change nothing.
"""

from enum import StrEnum

from acd.errors import IllegalTransitionError
from callcenter.domain.events import AgentState

S = AgentState


class Trigger(StrEnum):
    """What moves an agent."""

    LOGIN = "login"
    LOGIN_PAUSED = "login_paused"
    LOGOUT = "logout"
    READY = "ready"
    PAUSE = "pause"
    OFFER = "offer"
    ANSWER = "answer"
    MISS = "miss"
    MISS_LIMIT = "miss_limit"
    CANCEL = "cancel"
    TALK_END = "talk_end"
    TALK_END_NO_WRAP = "talk_end_no_wrap"
    WRAP_END = "wrap_end"


T = Trigger
_LOGGED_IN = (S.AVAILABLE, S.RINGING, S.ON_CALL, S.WRAP_UP, S.PAUSED)

TRANSITIONS: dict[tuple[AgentState, Trigger], AgentState] = {
    (S.LOGGED_OUT, T.LOGIN): S.AVAILABLE,
    (S.LOGGED_OUT, T.LOGIN_PAUSED): S.PAUSED,
    (S.LOGGED_OUT, T.LOGOUT): S.LOGGED_OUT,
    (S.AVAILABLE, T.LOGOUT): S.LOGGED_OUT,
    (S.PAUSED, T.LOGOUT): S.LOGGED_OUT,
    (S.WRAP_UP, T.LOGOUT): S.LOGGED_OUT,
    (S.AVAILABLE, T.PAUSE): S.PAUSED,
    (S.PAUSED, T.PAUSE): S.PAUSED,
    (S.WRAP_UP, T.PAUSE): S.PAUSED,
    (S.AVAILABLE, T.READY): S.AVAILABLE,
    (S.PAUSED, T.READY): S.AVAILABLE,
    (S.WRAP_UP, T.READY): S.AVAILABLE,
    (S.RINGING, T.READY): S.RINGING,
    (S.ON_CALL, T.READY): S.ON_CALL,
    (S.AVAILABLE, T.OFFER): S.RINGING,
    (S.RINGING, T.ANSWER): S.ON_CALL,
    (S.RINGING, T.MISS): S.AVAILABLE,
    (S.RINGING, T.MISS_LIMIT): S.PAUSED,
    (S.RINGING, T.CANCEL): S.AVAILABLE,
    (S.ON_CALL, T.TALK_END): S.WRAP_UP,
    (S.ON_CALL, T.TALK_END_NO_WRAP): S.AVAILABLE,
    (S.WRAP_UP, T.WRAP_END): S.AVAILABLE,
    **{(state, T.LOGIN): state for state in _LOGGED_IN},
    **{(state, T.LOGIN_PAUSED): state for state in _LOGGED_IN},
    **{(state, T.WRAP_END): state for state in (*_LOGGED_IN[:3], S.PAUSED)},
}
"""(state, trigger) -> next state."""

DEFERRED: frozenset[tuple[AgentState, Trigger]] = frozenset(
    {
        (S.RINGING, T.PAUSE),
        (S.ON_CALL, T.PAUSE),
        (S.RINGING, T.LOGOUT),
        (S.ON_CALL, T.LOGOUT),
    }
)
"""Pairs remembered and applied when the agent would next become AVAILABLE."""

BUSY: frozenset[AgentState] = frozenset({S.RINGING, S.ON_CALL, S.WRAP_UP})
"""States that count as occupied (occupancy numerator)."""

STAFFED: frozenset[AgentState] = frozenset({S.AVAILABLE, *BUSY})
"""States that count as staffed on the queue (occupancy denominator)."""


def next_state(state: AgentState, trigger: Trigger) -> AgentState:
    """Return the state after ``trigger``.

    Raises:
        IllegalTransitionError: the pair is neither in the table nor deferred.
    """
    try:
        return TRANSITIONS[state, trigger]
    except KeyError:
        if (state, trigger) in DEFERRED:
            return state
        msg = f"agent cannot {trigger.value} while {state.value}"
        raise IllegalTransitionError(msg) from None


def is_deferred(state: AgentState, trigger: Trigger) -> bool:
    """Return whether the trigger waits for the current call to end."""
    return (state, trigger) in DEFERRED
