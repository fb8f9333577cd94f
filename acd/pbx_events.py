"""How the engine reacts to what the PBX reports about its offers and calls.

Every handler first checks that the event matches what the engine believes (the
agent rings with this very call, the call is connected to this agent ...). A stale
or duplicate event, which races make normal, changes nothing.
"""

from acd import calls
from acd.agent_state import Trigger
from acd.core import Core, settle
from acd.models import AgentRecord, CallPhase, QueuedCall
from acd.stats import Counter
from acd.timers import TimerKind
from callcenter.domain.commands import CancelRing
from callcenter.domain.events import (
    AgentLegEnded,
    AgentNoAnswer,
    AgentRinging,
    AgentState,
    CallAnswered,
    CallEnded,
    CallOutcome,
    OriginateFinished,
)
from callcenter.domain.ids import AgentId, CallId


def _offer(
    core: Core, call_id: CallId, agent_id: AgentId
) -> tuple[QueuedCall, AgentRecord] | None:
    call = core.calls.get(call_id)
    agent = core.agents.get(agent_id)
    if call is None or agent is None or agent.call_id != call_id:
        return None
    if agent.state != AgentState.RINGING or agent_id not in call.ringing:
        return None
    return call, agent


def ringing(core: Core, event: AgentRinging) -> None:
    """The phone rings: the ring timeout now counts from here."""
    found = _offer(core, event.call_id, event.agent_id)
    if found is None or found[0].phase != CallPhase.RINGING:
        return
    call, agent = found
    agent.token += 1  # the timer set at the offer is superseded
    timeout = core.queues[call.queue].ring_timeout
    core.timers.add(core.now + timeout, TimerKind.RING, agent.agent_id, agent.token)


def answered(core: Core, event: CallAnswered) -> None:
    """The agent answered the offer (or the callback was answered)."""
    found = _offer(core, event.call_id, event.agent_id)
    if found is not None:
        calls.connect(core, *found)


def no_answer(core: Core, event: AgentNoAnswer) -> None:
    """The agent missed the offer."""
    found = _offer(core, event.call_id, event.agent_id)
    if found is not None and found[0].phase == CallPhase.RINGING:
        miss(core, *found)


def miss(core: Core, call: QueuedCall, agent: AgentRecord) -> None:
    """Count a miss; the call goes back to its place and on to the next agent.

    The call is offered again *before* the agent who missed it is free, so it goes
    to someone else if anyone may take it; then that agent picks the best call of
    their lines like any agent coming free (which may be this one again).
    """
    call.ringing.remove(agent.agent_id)
    call.missed_by.add(agent.agent_id)
    if not call.ringing:
        calls.back_to_line(core, call)
    agent.misses += 1
    if agent.misses >= core.queues[call.queue].max_no_answer:
        agent.misses = 0
        settle(core, agent, Trigger.MISS_LIMIT, reset_idle=True, reason="no-answer")
    else:
        settle(core, agent, Trigger.MISS, reset_idle=True)
    calls.serve_all(core, [agent])


def ended(core: Core, event: CallEnded) -> None:
    """The caller's leg is gone: abandon if waiting, end of talk if connected."""
    call = core.calls.get(event.call_id)
    if call is None:
        return
    if call.phase == CallPhase.CONNECTED:
        calls.end_talk(core, call)
    elif not call.callback_number:
        calls.abandon(core, call)


def agent_leg_ended(core: Core, event: AgentLegEnded) -> None:
    """The agent hung up first; the caller goes on elsewhere (e.g. a survey)."""
    call = core.calls.get(event.call_id)
    if (
        call is not None
        and call.phase == CallPhase.CONNECTED
        and call.agent_id == event.agent_id
    ):
        calls.end_talk(core, call)


def originate_finished(core: Core, event: OriginateFinished) -> None:
    """A callback attempt ended: connected, or retried later, or given up."""
    call = core.calls.get(event.call_id)
    if call is None or call.phase != CallPhase.DIALING or not call.ringing:
        return
    agent = core.agents[call.ringing[0]]
    if event.answered:
        calls.connect(core, call, agent)
    else:
        callback_failed(core, call, agent, event.reason or "no-answer")


def callback_failed(
    core: Core, call: QueuedCall, agent: AgentRecord, reason: str
) -> None:
    """Free the reserved agent; retry after the delay, or give up."""
    call.ringing = []
    settle(core, agent, Trigger.CANCEL, reset_idle=False)
    call.callback_attempts += 1
    config = core.queues[call.queue]
    if call.callback_attempts >= config.callback_attempts:
        core.present[call.queue].pop(call.call_id, None)
        core.calls.pop(call.call_id, None)
        core.stats[call.queue].add(core.now, Counter.CALLBACKS_FAILED)
        calls.finish(core, call, CallOutcome.FAILED, reason=f"callback-{reason}")
    else:
        call.phase = CallPhase.RETRY_WAIT
        deadline = core.now + config.callback_retry_delay
        core.timers.add(
            deadline, TimerKind.CALLBACK, call.call_id, call.callback_attempts
        )
    calls.serve_all(core, [agent])


def ring_timeout(core: Core, agent: AgentRecord) -> None:
    """The engine's own ring timer fired before the PBX reported an outcome."""
    call = core.calls.get(agent.call_id) if agent.call_id is not None else None
    if call is None:
        return
    if call.phase == CallPhase.DIALING:
        callback_failed(core, call, agent, "timeout")
        return
    core.out.append(CancelRing(call_id=call.call_id, agent_id=agent.agent_id))
    miss(core, call, agent)


PbxInput = (
    AgentRinging
    | CallAnswered
    | AgentNoAnswer
    | CallEnded
    | AgentLegEnded
    | OriginateFinished
)


def dispatch(core: Core, event: PbxInput) -> None:
    """Route a PBX event to its handler."""
    match event:
        case AgentRinging():
            ringing(core, event)
        case CallAnswered():
            answered(core, event)
        case AgentNoAnswer():
            no_answer(core, event)
        case CallEnded():
            ended(core, event)
        case AgentLegEnded():
            agent_leg_ended(core, event)
        case OriginateFinished():
            originate_finished(core, event)
