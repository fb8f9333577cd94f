"""Agents' PINs are checked in the core, whatever path a login comes by.

Every test drives the switchboard built from settings (``build_switchboard``), the
way the runtime does: no console API, no transport. Time is virtual: ``now`` is
handed in, so a 60 s lockout passes in no time.
"""

import pytest

from callcenter.center import build_switchboard
from callcenter.core.agent_pins import LOCKOUT_SECONDS, MAX_WRONG_PINS
from callcenter.core.messages import (
    AgentCommand,
    AgentReply,
    SupervisorCommand,
    TakeOverAgent,
)
from callcenter.core.switchboard import Output, Switchboard
from callcenter.domain.events import AgentState
from callcenter.domain.ids import AgentId
from callcenter.settings import AgentSettings, QueueSettings, Settings

NOW = 1_767_600_000.0
ANNA = AgentId("1001")  # PIN 1234
BO = AgentId("1002")  # PIN 9876
CHEN = AgentId("1003")  # no PIN configured


@pytest.fixture
def board() -> Switchboard:
    queue = {"reservations": 0}
    return build_switchboard(
        Settings.model_validate(
            {
                "queues": [QueueSettings(name="reservations")],
                "agents": [
                    AgentSettings(id="1001", name="Anna", pin="1234", queues=queue),
                    AgentSettings(id="1002", name="Bo", pin="9876", queues=queue),
                    AgentSettings(id="1003", name="Chen", queues=queue),
                ],
            }
        )
    )


def login(
    board: Switchboard, agent: AgentId, now: float, pin: str | None = None
) -> tuple[AgentReply, list[Output]]:
    args = {} if pin is None else {"pin": pin}
    command = AgentCommand(agent_id=agent, command="login", args=args, request_id="r")
    out = board.handle(command, now)
    (reply,) = [o for o in out if isinstance(o, AgentReply)]
    return reply, out


def fail_pins(board: Switchboard, agent: AgentId, times: int, now: float) -> None:
    for _ in range(times):
        reply, _out = login(board, agent, now, "0000")
        assert reply.code == "bad_pin"


def test_the_right_pin_logs_the_agent_in(board: Switchboard) -> None:
    reply, out = login(board, ANNA, NOW, "1234")
    assert (reply.ok, reply.code) == (True, "ok")
    assert TakeOverAgent(agent_id=ANNA, manual=True) in out
    assert board.acd.agent_state(ANNA) is AgentState.AVAILABLE


def test_a_wrong_pin_is_refused_and_the_agent_stays_logged_out(
    board: Switchboard,
) -> None:
    reply, out = login(board, ANNA, NOW, "4321")
    assert (reply.ok, reply.code, reply.message) == (False, "bad_pin", "wrong PIN")
    assert not any(isinstance(o, TakeOverAgent) for o in out)
    assert board.acd.agent_state(ANNA) is AgentState.LOGGED_OUT


def test_a_login_without_a_pin_is_refused_but_not_counted(board: Switchboard) -> None:
    for _ in range(MAX_WRONG_PINS + 1):  # e.g. a console reconnecting again and again
        reply, _out = login(board, ANNA, NOW)
        assert (reply.ok, reply.code) == (False, "pin_required")
    assert login(board, ANNA, NOW, "1234")[0].ok


def test_an_agent_without_a_pin_logs_in_without_one(board: Switchboard) -> None:
    assert login(board, CHEN, NOW)[0].ok
    assert board.acd.agent_state(CHEN) is AgentState.AVAILABLE


def test_five_wrong_pins_in_a_row_lock_the_login_for_60_seconds(
    board: Switchboard,
) -> None:
    assert (MAX_WRONG_PINS, LOCKOUT_SECONDS) == (5, 60.0)
    fail_pins(board, ANNA, 4, NOW)
    fifth, _out = login(board, ANNA, NOW + 1, "0000")
    assert (fifth.ok, fifth.code) == (False, "locked")
    assert fifth.message == "wrong PIN 5 times in a row: login locked for 60 s"
    right_pin_too_soon, out = login(board, ANNA, NOW + 60.9, "1234")
    assert (right_pin_too_soon.ok, right_pin_too_soon.code) == (False, "locked")
    assert right_pin_too_soon.message.endswith("try again in 1 s")
    assert not any(isinstance(o, TakeOverAgent) for o in out)
    assert board.acd.agent_state(ANNA) is AgentState.LOGGED_OUT


def test_the_lock_ends_60_seconds_after_the_fifth_wrong_pin(
    board: Switchboard,
) -> None:
    fail_pins(board, ANNA, 4, NOW)
    login(board, ANNA, NOW + 1, "0000")
    login(board, ANNA, NOW + 30, "0000")  # refused while locked: does not extend it
    reply, _out = login(board, ANNA, NOW + 61, "1234")
    assert reply.ok
    assert board.acd.agent_state(ANNA) is AgentState.AVAILABLE


def test_after_the_lock_the_count_starts_again_from_zero(board: Switchboard) -> None:
    fail_pins(board, ANNA, 4, NOW)
    login(board, ANNA, NOW, "0000")
    fail_pins(board, ANNA, 4, NOW + 61)
    assert login(board, ANNA, NOW + 61, "0000")[0].code == "locked"


def test_a_right_pin_resets_the_count(board: Switchboard) -> None:
    fail_pins(board, ANNA, 4, NOW)
    assert login(board, ANNA, NOW, "1234")[0].ok
    fail_pins(board, ANNA, 4, NOW)  # four more wrong ones do not lock
    assert login(board, ANNA, NOW, "1234")[0].ok


def test_wrong_pins_are_counted_per_agent(board: Switchboard) -> None:
    fail_pins(board, ANNA, 3, NOW)
    fail_pins(board, BO, 3, NOW)  # six wrong PINs in all, three each
    assert login(board, ANNA, NOW, "1234")[0].ok
    fail_pins(board, BO, 1, NOW)
    assert login(board, BO, NOW, "0000")[0].code == "locked"
    assert login(board, ANNA, NOW, "1234")[0].ok  # Bo's lock is not Anna's
    assert login(board, CHEN, NOW)[0].ok


def test_a_pin_of_another_agent_is_a_wrong_pin(board: Switchboard) -> None:
    assert login(board, ANNA, NOW, "9876")[0].code == "bad_pin"


def test_a_pin_with_characters_outside_ascii_is_just_wrong(board: Switchboard) -> None:
    assert login(board, ANNA, NOW, "１２３４")[0].code == "bad_pin"  # noqa: RUF001


def test_supervisors_act_on_an_agent_without_the_pin_even_while_locked(
    board: Switchboard,
) -> None:
    assert login(board, ANNA, NOW, "1234")[0].ok
    fail_pins(board, ANNA, 4, NOW)
    assert login(board, ANNA, NOW, "0000")[0].code == "locked"

    def act(action: str, **args: str) -> AgentReply:
        command = SupervisorCommand(
            supervisor="sam", agent_id=ANNA, action=action, args=args, request_id="s"
        )
        (reply,) = [
            o for o in board.handle(command, NOW + 1) if isinstance(o, AgentReply)
        ]
        return reply

    assert act("pause", reason="coaching").ok
    assert board.acd.agent_state(ANNA) is AgentState.PAUSED
    assert act("unpause").ok
    assert board.acd.agent_state(ANNA) is AgentState.AVAILABLE
    assert act("logout").ok
    assert board.acd.agent_state(ANNA) is AgentState.LOGGED_OUT
