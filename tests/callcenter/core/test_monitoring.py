"""Supervisors' monitor requests: checked in the core, carried out by the PBX.

The switchboard turns a request into a ``MonitorCall`` (or ``StopMonitor``) with one
reply, and follows what the PBX reports, so it always knows who monitors whom.
"""

import pytest

from acd import inputs as acd_in
from callcenter.center import build_switchboard
from callcenter.core.messages import AgentReply, SupervisorCommand
from callcenter.core.switchboard import Output, Switchboard
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId, QueueName
from callcenter.domain.supervision import (
    MonitorEnded,
    MonitorEndReason,
    MonitorFailed,
    MonitorMode,
    MonitorModeChanged,
    MonitorStarted,
)
from callcenter.settings import load_settings

NOW = 1_767_600_000.0
AGENT = AgentId("1001")
CALL = CallId("c-1")
PHONE = "sim/2001"


def talking_switchboard() -> Switchboard:
    """Agent 1001 logged in and talking on call c-1."""
    board = build_switchboard(load_settings(overrides={}))
    board.acd.handle(acd_in.LogIn(agent_id=AGENT), NOW)
    board.acd.handle(
        acd_in.EnqueueCall(call_id=CALL, queue=QueueName("reservations")), NOW
    )
    board.handle(ev.AgentRinging(at=NOW + 1, call_id=CALL, agent_id=AGENT), NOW + 1)
    board.handle(ev.CallAnswered(at=NOW + 3, call_id=CALL, agent_id=AGENT), NOW + 3)
    assert board.acd.agent_state(AGENT) is ev.AgentState.ON_CALL
    return board


def ask(
    board: Switchboard,
    action: str = "monitor",
    *,
    supervisor: str = "sam",
    agent: AgentId = AGENT,
    args: dict[str, str] | None = None,
    **more: str,
) -> tuple[AgentReply, list[Output]]:
    args = {**(args or {}), **more}
    out = board.handle(
        SupervisorCommand(
            supervisor=supervisor, agent_id=agent, action=action, args=args,
            request_id="r1",
        ),
        NOW + 10,
    )  # fmt: skip
    replies = [o for o in out if isinstance(o, AgentReply)]
    assert len(replies) == 1
    return replies[0], [o for o in out if not isinstance(o, AgentReply)]


def started(
    mode: MonitorMode = MonitorMode.LISTEN, endpoint: str = PHONE
) -> MonitorStarted:
    return MonitorStarted(
        at=NOW + 11, call_id=CALL, agent_id=AGENT, supervisor="sam",
        endpoint=endpoint, mode=mode,
    )  # fmt: skip


@pytest.mark.parametrize("mode", list(MonitorMode))
def test_a_request_becomes_a_monitor_call_on_the_agents_current_call(
    mode: MonitorMode,
) -> None:
    board = talking_switchboard()
    reply, out = ask(board, mode=mode.value, endpoint=PHONE)
    assert reply.ok
    assert reply.state["monitor"] == "requested"
    assert (reply.state["call_id"], reply.state["mode"]) == (CALL, mode.value)
    assert out == [
        cmd.MonitorCall(
            call_id=CALL, agent_id=AGENT, supervisor="sam", endpoint=PHONE, mode=mode
        )
    ]
    (session,) = board.monitors.sessions
    assert (session.mode, session.started) == (mode, False)


def test_the_book_follows_what_the_pbx_reports() -> None:
    board = talking_switchboard()
    ask(board, endpoint=PHONE)
    board.handle(started(), NOW + 11)
    assert board.monitors.sessions[0].started
    board.handle(
        MonitorModeChanged(
            at=NOW + 20, call_id=CALL, agent_id=AGENT, supervisor="sam",
            endpoint=PHONE, mode=MonitorMode.BARGE, previous=MonitorMode.LISTEN,
        ),
        NOW + 20,
    )  # fmt: skip
    assert board.monitors.sessions[0].mode is MonitorMode.BARGE
    board.handle(
        MonitorEnded(
            at=NOW + 30, call_id=CALL, agent_id=AGENT, supervisor="sam",
            endpoint=PHONE, mode=MonitorMode.BARGE, reason=MonitorEndReason.HUNG_UP,
        ),
        NOW + 30,
    )  # fmt: skip
    assert not board.monitors.sessions


def test_asking_again_in_another_mode_switches_and_in_the_same_mode_does_nothing() -> (
    None
):
    board = talking_switchboard()
    ask(board, endpoint=PHONE)
    board.handle(started(), NOW + 11)
    reply, out = ask(board, mode="listen", endpoint=PHONE)
    assert (reply.ok, reply.state["monitor"], out) == (True, "unchanged", [])
    reply, out = ask(board, mode="whisper", endpoint=PHONE)
    assert reply.state["monitor"] == "requested"
    assert [o.mode for o in out if isinstance(o, cmd.MonitorCall)] == [
        MonitorMode.WHISPER
    ]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({"mode": "shout", "endpoint": PHONE}, "bad_request"),
        ({"mode": "listen"}, "bad_request"),
        ({"mode": "listen", "endpoint": "  "}, "bad_request"),
    ],
)
def test_bad_requests_are_refused(args: dict[str, str], code: str) -> None:
    reply, out = ask(talking_switchboard(), args=args)
    assert (reply.ok, reply.code, out) == (False, code, [])
    assert reply.message


def test_an_agent_who_is_not_talking_cannot_be_monitored() -> None:
    board = build_switchboard(load_settings(overrides={}))
    board.acd.handle(acd_in.LogIn(agent_id=AGENT), NOW)
    reply, out = ask(board, endpoint=PHONE)
    assert (reply.ok, reply.code, out) == (False, "no_call", [])
    assert reply.message == "agent 1001 is not on a call (available)"
    assert not board.monitors.sessions


def test_a_phone_still_ringing_cannot_switch_mode_yet() -> None:
    board = talking_switchboard()
    ask(board, endpoint=PHONE)
    reply, out = ask(board, mode="barge", endpoint=PHONE)
    assert (reply.ok, reply.code, out) == (False, "monitor_pending", [])


def test_one_phone_monitors_one_call_but_a_call_may_have_two_supervisors() -> None:
    board = talking_switchboard()
    ask(board, endpoint=PHONE)
    board.handle(started(), NOW + 11)
    reply, out = ask(board, supervisor="lin", endpoint="sim/2002")
    assert reply.ok
    assert len(out) == 1
    assert sorted(s.supervisor for s in board.monitors.sessions) == ["lin", "sam"]
    other, call = AgentId("1002"), CallId("c-2")
    board.acd.handle(acd_in.LogIn(agent_id=other), NOW)
    board.acd.handle(
        acd_in.EnqueueCall(call_id=call, queue=QueueName("reservations")), NOW + 5
    )
    board.handle(ev.CallAnswered(at=NOW + 6, call_id=call, agent_id=other), NOW + 6)
    reply, out = ask(board, agent=other, endpoint=PHONE)
    assert (reply.ok, reply.code, out) == (False, "monitor_busy", [])
    assert reply.message == "sim/2001 is monitoring agent 1001: stop that first"


def test_stop_asks_the_pbx_to_take_the_supervisors_phone_out() -> None:
    board = talking_switchboard()
    reply, _ = ask(board, "stop_monitor")
    assert (reply.ok, reply.code) == (False, "not_monitoring")
    ask(board, endpoint=PHONE)
    board.handle(started(), NOW + 11)
    reply, _ = ask(board, "stop_monitor", supervisor="lin")
    assert reply.code == "not_monitoring"  # lin monitors nobody
    reply, out = ask(board, "stop_monitor")
    assert (reply.ok, reply.state["monitor"]) == (True, "stopping")
    assert out == [cmd.StopMonitor(call_id=CALL, agent_id=AGENT, endpoint=PHONE)]


def test_a_failed_start_is_forgotten_but_a_failed_change_keeps_the_session() -> None:
    board = talking_switchboard()
    ask(board, endpoint=PHONE)
    failed = MonitorFailed(
        at=NOW + 12, call_id=CALL, agent_id=AGENT, supervisor="sam",
        endpoint=PHONE, mode=MonitorMode.LISTEN, code="not_answered", message="-",
    )  # fmt: skip
    board.handle(failed, NOW + 12)
    assert not board.monitors.sessions
    ask(board, endpoint=PHONE)
    board.handle(started(), NOW + 13)
    board.handle(failed, NOW + 14)
    (session,) = board.monitors.sessions
    assert session.mode is MonitorMode.LISTEN


@pytest.mark.parametrize(
    "end",
    [
        ev.AgentLegEnded(at=NOW + 40, call_id=CALL, agent_id=AGENT),
        ev.CallEnded(at=NOW + 40, call_id=CALL, by=ev.Party.CALLER),
    ],
)
def test_a_session_never_outlives_the_agents_part_of_the_call(
    end: ev.DomainEvent,
) -> None:
    board = talking_switchboard()
    ask(board, endpoint=PHONE)
    board.handle(started(), NOW + 11)
    board.handle(end, NOW + 40)
    assert not board.monitors.sessions
