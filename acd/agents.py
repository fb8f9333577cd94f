"""Agent and supervisor commands: log in and out, pause, ready, queue membership.

The state table of ``acd.agent_state`` decides what is legal; a pause or logout
during a call is deferred until the call (and wrap-up) would end.
"""

from acd import calls, routing
from acd.agent_state import Trigger, is_deferred, next_state
from acd.core import Core, set_state
from acd.errors import UnknownQueueError
from acd.inputs import AddToQueue, LogIn, LogOut, Pause, RemoveFromQueue, SetPenalty
from acd.models import AgentRecord
from callcenter.domain.events import AgentState
from callcenter.domain.ids import QueueName


def log_in(core: Core, agent: AgentRecord, cmd: LogIn) -> None:
    """Start a session, available or paused."""
    trigger = Trigger.LOGIN_PAUSED if cmd.paused else Trigger.LOGIN
    target = next_state(agent.state, trigger)
    if agent.state != AgentState.LOGGED_OUT:
        return
    agent.idle_since, agent.misses = core.now, 0
    set_state(core, agent, target, reason=cmd.reason if cmd.paused else "")
    if target == AgentState.AVAILABLE:
        routing.serve_agent(core, agent)


def log_out(core: Core, agent: AgentRecord, _cmd: LogOut) -> None:
    """End the session now, or after the current call."""
    _leave_service(core, agent, Trigger.LOGOUT, "")


def pause(core: Core, agent: AgentRecord, cmd: Pause) -> None:
    """Take a break now, or after the current call."""
    _leave_service(core, agent, Trigger.PAUSE, cmd.reason)


def _leave_service(
    core: Core, agent: AgentRecord, trigger: Trigger, reason: str
) -> None:
    if is_deferred(agent.state, trigger):
        agent.pending, agent.pending_reason = trigger, reason
        return
    target = next_state(agent.state, trigger)
    if agent.state == AgentState.LOGGED_OUT:
        return
    agent.wrap_queue = None
    set_state(core, agent, target, reason=reason)
    calls.after_leaving(core, agent)


def ready(core: Core, agent: AgentRecord) -> None:
    """Become available: unpause, end wrap-up early, or cancel a deferred pause."""
    state = agent.state
    next_state(state, Trigger.READY)
    if state in (AgentState.RINGING, AgentState.ON_CALL):
        agent.pending, agent.pending_reason = None, ""
        return
    if state == AgentState.WRAP_UP:
        agent.pending, agent.pending_reason = None, ""
        calls.end_wrap_up(core, agent)
        return
    if state == AgentState.PAUSED:
        agent.idle_since, agent.misses = core.now, 0
        set_state(core, agent, AgentState.AVAILABLE)
        routing.serve_agent(core, agent)


def end_wrap_up(core: Core, agent: AgentRecord) -> None:
    """After-call work done before the timer."""
    next_state(agent.state, Trigger.WRAP_END)
    if agent.state == AgentState.WRAP_UP:
        calls.end_wrap_up(core, agent)


def _check_queue(core: Core, queue: QueueName) -> None:
    if queue not in core.queues:
        msg = f"unknown queue {queue!r}"
        raise UnknownQueueError(msg)


def add_to_queue(core: Core, agent: AgentRecord, cmd: AddToQueue | SetPenalty) -> None:
    """Supervisor: join a queue at a penalty, or change the penalty."""
    _check_queue(core, cmd.queue)
    available = agent.state == AgentState.AVAILABLE
    if available:
        core.pool.discard(agent)
    if cmd.queue in agent.queues:
        core.leave(agent, cmd.queue)
    core.join(agent, cmd.queue, cmd.penalty)
    if available:
        agent.token += 1
        core.pool.add(agent)
        routing.serve_agent(core, agent)


def remove_from_queue(core: Core, agent: AgentRecord, cmd: RemoveFromQueue) -> None:
    """Supervisor: the agent stops serving a queue."""
    _check_queue(core, cmd.queue)
    if cmd.queue not in agent.queues:
        return
    available = agent.state == AgentState.AVAILABLE
    if available:
        core.pool.discard(agent)
    core.leave(agent, cmd.queue)
    if available:
        agent.token += 1
        core.pool.add(agent)
    calls.empty_check(core, [cmd.queue])
