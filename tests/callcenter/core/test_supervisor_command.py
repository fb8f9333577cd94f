"""A supervisor's command reaches the ACD through the switchboard, with one reply."""

import pytest

from acd import inputs as acd_in
from callcenter.center import build_switchboard
from callcenter.core.messages import AgentReply, SupervisorCommand
from callcenter.core.switchboard import Output, Switchboard
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, QueueName
from callcenter.settings import load_settings

NOW = 1_767_600_000.0


def switchboard() -> Switchboard:
    board = build_switchboard(load_settings(overrides={}))
    board.acd.handle(acd_in.LogIn(agent_id=AgentId("1001")), NOW)
    return board


def act(
    board: Switchboard, action: str, **args: str
) -> tuple[AgentReply, list[Output]]:
    out = board.handle(
        SupervisorCommand(
            supervisor="sam",
            agent_id=AgentId("1001"),
            action=action,
            args=args,
            request_id="r1",
        ),
        NOW + 1,
    )
    replies = [o for o in out if isinstance(o, AgentReply)]
    assert len(replies) == 1
    return replies[0], out


def test_pause_with_a_reason_then_unpause() -> None:
    board = switchboard()
    reply, out = act(board, "pause", reason="coaching")
    assert reply.ok
    assert reply.request_id == "r1"
    changed = [o for o in out if isinstance(o, ev.AgentStateChanged)]
    assert changed[-1].state == ev.AgentState.PAUSED
    assert changed[-1].reason == "coaching"
    reply, _ = act(board, "unpause")
    assert reply.ok
    assert board.acd.agent_state(AgentId("1001")) == ev.AgentState.AVAILABLE


def test_log_out() -> None:
    board = switchboard()
    reply, _ = act(board, "logout")
    assert reply.ok
    assert board.acd.agent_state(AgentId("1001")) == ev.AgentState.LOGGED_OUT


def test_queue_membership_and_penalty() -> None:
    board = switchboard()
    assert act(board, "set_penalty", queue="bookings", penalty="3")[0].ok
    view = board.acd.agent_view(AgentId("1001"), NOW + 2)
    assert view.queues[QueueName("bookings")] == 3
    assert act(board, "remove_queue", queue="bookings")[0].ok
    view = board.acd.agent_view(AgentId("1001"), NOW + 2)
    assert QueueName("bookings") not in view.queues
    assert act(board, "add_queue", queue="bookings", penalty="1")[0].ok
    view = board.acd.agent_view(AgentId("1001"), NOW + 2)
    assert view.queues[QueueName("bookings")] == 1


@pytest.mark.parametrize(
    ("action", "args", "code"),
    [
        ("dance", {}, "unknown_command"),
        ("add_queue", {"queue": "bookings", "penalty": "-1"}, "bad_request"),
        ("add_queue", {"queue": "bookings", "penalty": "x"}, "bad_request"),
    ],
)
def test_bad_commands_are_rejected_with_a_code(
    action: str, args: dict[str, str], code: str
) -> None:
    reply, _ = act(switchboard(), action, **args)
    assert not reply.ok
    assert reply.code == code


def test_an_unknown_queue_is_rejected_by_the_acd() -> None:
    reply, _ = act(switchboard(), "add_queue", queue="nowhere")
    assert not reply.ok
    assert reply.message
