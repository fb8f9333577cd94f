"""What happens to a waiting call with time or by the caller's choice.

Timers: tier rules open higher penalty tiers, a preferred agent's reservation ends,
overflow rules fire (widen skills, move to another queue, voicemail, transfer,
propose a callback) and failed callbacks are retried. Commands: the caller withdraws,
or asks for a callback and leaves the line while keeping their place.
"""

from acd import calls, routing
from acd.actions import OfferCallback, Overflow, SendToVoicemail
from acd.agent_state import Trigger
from acd.config import OverflowAction, OverflowRule
from acd.core import Core, settle
from acd.inputs import RequestCallback, WithdrawCall
from acd.models import CallPhase, QueuedCall
from acd.stats import Counter
from acd.timers import TimerKind
from callcenter.domain.commands import CancelRing
from callcenter.domain.events import CallOutcome
from callcenter.domain.ids import QueueName


def in_line(core: Core, call: QueuedCall) -> bool:
    """Return whether the call waits in its queue's line (not reserved, not ringing)."""
    return call.phase == CallPhase.WAITING and call in core.lines[call.queue]


def tier_opened(core: Core, call: QueuedCall) -> None:
    """A penalty tier opened for the call: try the agents it may now use."""
    if in_line(core, call):
        routing.offer_call(core, call)


def reservation_over(core: Core, call: QueuedCall) -> None:
    """The preferred agent did not free up in time: any agent may now take it."""
    agent_id = call.reserved_for
    if agent_id is None or call.phase != CallPhase.WAITING:
        return
    core.reserved[agent_id].remove(call)
    call.reserved_for = None
    core.lines[call.queue].add(call)
    routing.offer_call(core, call)


def retry_callback(core: Core, call: QueuedCall) -> None:
    """Put a failed callback back at its place for another attempt."""
    if call.phase == CallPhase.RETRY_WAIT:
        calls.back_to_line(core, call)


def overflow_due(core: Core, call: QueuedCall, step: int) -> None:
    """Fire the call's overflow rule ``step`` (if still waiting at that step)."""
    rules = core.queues[call.queue].overflow
    if call.overflow_step != step or step >= len(rules):
        return
    if call.phase not in (CallPhase.WAITING, CallPhase.RETRY_WAIT):
        return  # connected: done; ringing: back_to_line re-checks if it returns
    call.overflow_step = step + 1
    if step + 1 < len(rules):
        deadline = call.joined_queue_at + rules[step + 1].after
        core.timers.add(
            max(deadline, core.now), TimerKind.OVERFLOW, call.call_id, step + 1
        )
    _apply(core, call, rules[step])


def _apply(core: Core, call: QueuedCall, rule: OverflowRule) -> None:
    queue = call.queue
    match rule.action:
        case OverflowAction.WIDEN_SKILLS:
            call.skills = {}
            if in_line(core, call):
                routing.offer_call(core, call)
        case OverflowAction.CALLBACK:
            if not call.callback_number:
                core.out.append(OfferCallback(call_id=call.call_id, queue=queue))
        case OverflowAction.QUEUE if rule.destination in core.queues:
            _move(core, call, QueueName(rule.destination))
        case _ if not call.callback_number:
            _leave(core, call, rule)


def _move(core: Core, call: QueuedCall, target: QueueName) -> None:
    origin = call.queue
    freed = calls.detach(core, call)
    core.stats[origin].add(core.now, Counter.OVERFLOWED)
    core.out.append(
        Overflow(call_id=call.call_id, queue=origin, destination=target, internal=True)
    )
    call.queue, call.joined_queue_at, call.phase = target, core.now, CallPhase.WAITING
    call.skills = calls.merge_skills(core.queues[target].required_skills, call.required)
    call.missed_by.clear()
    core.calls[call.call_id] = call
    core.stats[target].add(core.now, Counter.OFFERED)
    calls.admit(core, call)
    calls.serve_all(core, freed)


def _leave(core: Core, call: QueuedCall, rule: OverflowRule) -> None:
    freed = calls.detach(core, call)
    core.stats[call.queue].add(core.now, Counter.OVERFLOWED)
    if rule.action == OverflowAction.VOICEMAIL:
        core.out.append(SendToVoicemail(call_id=call.call_id, queue=call.queue))
        outcome = CallOutcome.VOICEMAIL
    else:
        core.out.append(
            Overflow(
                call_id=call.call_id,
                queue=call.queue,
                destination=rule.destination,
                internal=False,
            )
        )
        outcome = CallOutcome.OVERFLOWED
    calls.finish(core, call, outcome, reason="overflow")
    calls.serve_all(core, freed)


def withdraw(core: Core, cmd: WithdrawCall) -> None:
    """The caller leaves the queue alive (voicemail, menu ...)."""
    call = core.calls.get(cmd.call_id)
    if call is None or call.phase == CallPhase.CONNECTED:
        return
    freed = calls.detach(core, call)
    core.stats[call.queue].add(core.now, Counter.WITHDRAWN)
    outcome = (
        CallOutcome.VOICEMAIL if cmd.reason == "voicemail" else CallOutcome.OVERFLOWED
    )
    calls.finish(core, call, outcome, reason=cmd.reason)
    calls.serve_all(core, freed)


def request_callback(core: Core, cmd: RequestCallback) -> None:
    """The caller hangs up but keeps their place: call them back at their turn."""
    call = core.calls.get(cmd.call_id)
    if call is None or call.phase not in (CallPhase.WAITING, CallPhase.RINGING):
        return
    call.callback_number = cmd.number
    if call.phase == CallPhase.RINGING:
        ringing = [core.agents[agent_id] for agent_id in call.ringing]
        for agent in ringing:
            core.out.append(CancelRing(call_id=call.call_id, agent_id=agent.agent_id))
        calls.back_to_line(core, call)  # before they are free: see pbx_events.miss
        for agent in ringing:
            settle(core, agent, Trigger.CANCEL, reset_idle=False)
        calls.serve_all(core, ringing)
