"""The life of a call in the ACD: join, ring, answer or miss, talk, leave.

Exactly one ``AcdCallFinished`` is emitted per enqueued call, at the moment the ACD
is done with it: at the answer (``ANSWERED``, or ``CALLBACK`` for an answered
callback), or when it leaves otherwise (abandon, withdraw, overflow out of the ACD,
voicemail, turned away, failed callback). After an answer the ACD still follows the
talk, only to send the agent to wrap-up when it ends.
"""

from collections.abc import Mapping

from acd import routing
from acd.actions import QueueClosed, QueueEmpty, QueueFull
from acd.agent_state import Trigger
from acd.core import Core, set_state, settle
from acd.inputs import EnqueueCall
from acd.lines import order_key
from acd.models import AgentRecord, CallPhase, QueuedCall
from acd.stats import Counter
from acd.timers import TimerKind
from callcenter.domain.commands import CancelRing
from callcenter.domain.events import (
    AcdCallFinished,
    AgentState,
    CallAbandoned,
    CallOutcome,
    CallQueued,
)
from callcenter.domain.ids import QueueName


def merge_skills(*requirements: Mapping[str, int]) -> dict[str, int]:
    """Return the strictest level of each skill over several requirements."""
    merged: dict[str, int] = {}
    for requirement in requirements:
        for name, level in requirement.items():
            merged[name] = max(level, merged.get(name, 0))
    return merged


def enqueue(core: Core, cmd: EnqueueCall) -> None:
    """Admit a call to a queue (or turn it away) and try to serve it at once."""
    config = core.queues[cmd.queue]
    core.stats[cmd.queue].add(core.now, Counter.OFFERED)
    refusal = refusal_of(core, cmd.queue)
    if refusal:
        _turn_away(core, cmd, refusal)
        return
    call = QueuedCall(
        call_id=cmd.call_id,
        queue=cmd.queue,
        caller=cmd.caller,
        required=dict(cmd.required_skills),
        skills=merge_skills(config.required_skills, cmd.required_skills),
        base_priority=core.priority(cmd.caller),
        entered_at=core.now,
        joined_queue_at=core.now,
        seq=core.next_seq(),
    )
    core.calls[call.call_id] = call
    admit(core, call)


def admit(core: Core, call: QueuedCall) -> None:
    """Put a call in its (new) queue: key, events, timers, reservation or line."""
    config = core.queues[call.queue]
    call.key = order_key(
        priority=call.base_priority,
        entered_at=call.entered_at,
        seq=call.seq,
        aging_rate=config.aging_rate,
    )
    call.overflow_step = 0
    core.present[call.queue][call.call_id] = call
    line = core.lines[call.queue]
    core.out.append(
        CallQueued(
            at=core.now,
            call_id=call.call_id,
            queue=call.queue,
            priority=call.base_priority,
            position=line.position(call),
        )
    )
    if config.overflow:
        rule = config.overflow[0]
        core.timers.add(core.now + rule.after, TimerKind.OVERFLOW, call.call_id, 0)
    if config.tier_wait > 0:
        for penalty in core.penalties[call.queue]:
            if penalty > 0:
                deadline = core.now + penalty * config.tier_wait
                core.timers.add(deadline, TimerKind.TIER, call.call_id, call.seq)
    if not _reserve(core, call):
        line.add(call)
        routing.offer_call(core, call)


def _reserve(core: Core, call: QueuedCall) -> bool:
    """Hold a call for its preferred agent; ring them at once if they are free."""
    wanted = call.caller.preferred_agent
    wait = core.queues[call.queue].preferred_agent_wait
    agent = core.agents.get(wanted) if wanted is not None else None
    if agent is None or wait <= 0 or agent.state == AgentState.LOGGED_OUT:
        return False
    if agent.state == AgentState.AVAILABLE:
        routing.ring(core, call, [agent])
        return True
    call.reserved_for = agent.agent_id
    core.reserved.setdefault(agent.agent_id, []).append(call)
    core.timers.add(core.now + wait, TimerKind.PREFERRED, call.call_id, call.seq)
    return True


def refusal_of(core: Core, queue: QueueName) -> str:
    """Return why ``queue`` turns a caller away now (closed, full, empty), or ""."""
    config = core.queues[queue]
    if config.hours is not None and not config.hours.is_open(core.now):
        return "closed"
    if (
        config.max_waiting is not None
        and len(core.present[queue]) >= config.max_waiting
    ):
        return "full"
    if not config.join_when_empty and core.staffed(queue) == 0:
        return "empty"
    return ""


def _turn_away(core: Core, cmd: EnqueueCall, reason: str) -> None:
    config = core.queues[cmd.queue]
    if reason == "closed":
        core.out.append(
            QueueClosed(
                call_id=cmd.call_id,
                queue=cmd.queue,
                destination=config.closed_destination,
            )
        )
    elif reason == "full":
        core.out.append(QueueFull(call_id=cmd.call_id, queue=cmd.queue))
    else:
        core.out.append(QueueEmpty(call_id=cmd.call_id, queue=cmd.queue))
    core.stats[cmd.queue].add(core.now, Counter.TURNED_AWAY)
    core.out.append(
        AcdCallFinished(
            at=core.now,
            call_id=cmd.call_id,
            queue=cmd.queue,
            outcome=CallOutcome.OVERFLOWED,
            reason=reason,
        )
    )


def back_to_line(core: Core, call: QueuedCall) -> None:
    """Return a call to its original place in its line and try to serve it."""
    call.phase = CallPhase.WAITING
    call.ringing = []
    call.reserved_for = None
    core.lines[call.queue].add(call)
    config = core.queues[call.queue]
    if call.overflow_step < len(config.overflow):
        due = call.joined_queue_at + config.overflow[call.overflow_step].after
        if due <= core.now:
            core.timers.add(
                core.now, TimerKind.OVERFLOW, call.call_id, call.overflow_step
            )
    routing.offer_call(core, call)


def cancel_rings(core: Core, call: QueuedCall) -> list[AgentRecord]:
    """Stop every ring of a call; the agents go back to AVAILABLE (not served)."""
    freed = []
    for agent_id in call.ringing:
        agent = core.agents[agent_id]
        if call.phase == CallPhase.RINGING:
            core.out.append(CancelRing(call_id=call.call_id, agent_id=agent_id))
        settle(core, agent, Trigger.CANCEL, reset_idle=False)
        freed.append(agent)
    call.ringing = []
    return freed


def serve_all(core: Core, agents: list[AgentRecord]) -> None:
    """Let freed agents pick up waiting calls (or apply the effects of leaving)."""
    for agent in agents:
        if agent.state == AgentState.AVAILABLE:
            routing.serve_agent(core, agent)
        elif agent.state in (AgentState.PAUSED, AgentState.LOGGED_OUT):
            after_leaving(core, agent)


def after_leaving(core: Core, agent: AgentRecord) -> None:
    """An agent paused or logged out: release reservations, check empty queues."""
    if agent.state == AgentState.LOGGED_OUT:
        for call in core.reserved.pop(agent.agent_id, []):
            call.reserved_for = None
            core.lines[call.queue].add(call)
            routing.offer_call(core, call)
    empty_check(core, list(agent.queues))


def empty_check(core: Core, queues: list[QueueName]) -> None:
    """Withdraw the callers of ``leave_when_empty`` queues nobody staffs any more."""
    for queue in queues:
        if not core.queues[queue].leave_when_empty or core.staffed(queue) > 0:
            continue
        for call in list(core.present[queue].values()):
            if call.callback_number:
                continue
            detach(core, call)
            core.stats[queue].add(core.now, Counter.TURNED_AWAY)
            core.out.append(QueueEmpty(call_id=call.call_id, queue=queue))
            finish(core, call, CallOutcome.OVERFLOWED, reason="empty")


def detach(core: Core, call: QueuedCall) -> list[AgentRecord]:
    """Take a not-yet-connected call out of every structure; return freed agents."""
    freed: list[AgentRecord] = []
    if call.phase == CallPhase.WAITING:
        if call.reserved_for is not None:
            core.reserved[call.reserved_for].remove(call)
            call.reserved_for = None
        elif call in core.lines[call.queue]:
            core.lines[call.queue].remove(call)
    elif call.phase in (CallPhase.RINGING, CallPhase.DIALING):
        freed = cancel_rings(core, call)
    core.present[call.queue].pop(call.call_id, None)
    core.calls.pop(call.call_id, None)
    return freed


def finish(
    core: Core,
    call: QueuedCall,
    outcome: CallOutcome,
    *,
    reason: str = "",
    agent: AgentRecord | None = None,
) -> None:
    """Emit the call's one ``AcdCallFinished``."""
    core.out.append(
        AcdCallFinished(
            at=core.now,
            call_id=call.call_id,
            queue=call.queue,
            outcome=outcome,
            agent_id=agent.agent_id if agent is not None else None,
            waited=core.now - call.entered_at,
            reason=reason,
        )
    )


def abandon(core: Core, call: QueuedCall) -> None:
    """The caller hung up while waiting or ringing."""
    freed = detach(core, call)
    waited = core.now - call.joined_queue_at
    config, stats = core.queues[call.queue], core.stats[call.queue]
    stats.add(core.now, Counter.ABANDONED)
    if waited <= config.short_abandon_seconds:
        stats.add(core.now, Counter.SHORT_ABANDONED)
    if waited <= config.service_level_seconds:
        stats.add(core.now, Counter.ABANDONED_IN_SL)
    if waited > 0:
        stats.add(core.now, Counter.DELAYED)
    core.out.append(
        CallAbandoned(
            at=core.now, call_id=call.call_id, queue=call.queue, waited=waited
        )
    )
    finish(core, call, CallOutcome.ABANDONED, reason="caller-hangup")
    serve_all(core, freed)


def connect(core: Core, call: QueuedCall, agent: AgentRecord) -> None:
    """The agent answered: cancel other rings, start the talk, count the answer."""
    call.ringing.remove(agent.agent_id)
    freed = cancel_rings(core, call)
    call.phase, call.agent_id, call.answered_at = (
        CallPhase.CONNECTED,
        agent.agent_id,
        core.now,
    )
    agent.misses = 0
    agent.calls_taken += 1
    set_state(core, agent, AgentState.ON_CALL, call_id=call.call_id)
    core.present[call.queue].pop(call.call_id, None)
    waited = core.now - call.joined_queue_at
    if call.callback_number:
        core.stats[call.queue].add(core.now, Counter.CALLBACKS)
        finish(core, call, CallOutcome.CALLBACK, agent=agent)
    else:
        _count_answer(core, call.queue, waited)
        finish(core, call, CallOutcome.ANSWERED, agent=agent)
    serve_all(core, freed)


def _count_answer(core: Core, queue: QueueName, waited: float) -> None:
    stats, config = core.stats[queue], core.queues[queue]
    now = core.now
    stats.add(now, Counter.ANSWERED)
    stats.add(now, Counter.WAIT_ANSWERED, waited)
    stats.peak(now, Counter.MAX_WAIT_ANSWERED, waited)
    if waited <= config.service_level_seconds:
        stats.add(now, Counter.ANSWERED_IN_SL)
    if waited > 0:
        stats.add(now, Counter.DELAYED)
    core.holdtime[queue].observe(waited)


def end_talk(core: Core, call: QueuedCall) -> None:
    """The talk is over (either side hung up): the agent goes to wrap-up."""
    agent = core.agents[call.agent_id] if call.agent_id is not None else None
    core.calls.pop(call.call_id, None)
    if agent is None or agent.call_id != call.call_id:
        return
    talk = core.now - call.answered_at
    agent.talk_time += talk
    stats = core.stats[call.queue]
    stats.add(core.now, Counter.TALK, talk)
    stats.add(core.now, Counter.HANDLED)
    wrap = agent.config.wrap_up
    if wrap is None:
        wrap = core.queues[call.queue].wrap_up
    if wrap <= 0:
        settle(core, agent, Trigger.TALK_END_NO_WRAP, reset_idle=True)
        serve_all(core, [agent])
        return
    agent.wrap_queue = call.queue
    set_state(core, agent, AgentState.WRAP_UP, call_id=call.call_id)
    agent.call_id = None
    core.timers.add(core.now + wrap, TimerKind.WRAP, agent.agent_id, agent.token)


def end_wrap_up(core: Core, agent: AgentRecord) -> None:
    """After-call work is over: count it, then the agent is free (or pauses)."""
    if agent.wrap_queue is not None:
        core.stats[agent.wrap_queue].add(
            core.now, Counter.WRAP, core.now - agent.state_since
        )
        agent.wrap_queue = None
    settle(core, agent, Trigger.WRAP_END, reset_idle=True)
    serve_all(core, [agent])
