"""Matching calls and agents: the two directions of the ACD's decision.

Invariant after every input: no call waiting in a line can be served by an agent
who is AVAILABLE. It holds because each event can only create matches around the
call or agent it touched, and the handlers try exactly those:

* a call becomes servable (joins, returns after a miss, its tier or reservation
  opens, its skills widen): ``offer_call`` asks the call's queue for the best
  available agent of the lowest open tier (strategy order, via ``AgentPool``);
* an agent becomes AVAILABLE: ``serve_agent`` first looks at calls reserved for
  them (preferred agent), then at the head of each of their queues' lines (the
  first call there they may take) and takes the call of the heaviest queue
  (``QueueConfig.weight``, Asterisk's "higher weight gets first shot at a shared
  member"); among equal weights, the call with the highest effective priority
  (aging included); ties go to the caller who entered the ACD first.

Weight only orders the queues of the agent being served: it never offers a call to
an agent outside its queue, and a new caller finding several agents free gets the
one its own queue's strategy picks, whatever the weights.

A call is rung on one agent at a time, except with ``ring_all`` where every eligible
free agent of the best tier rings and the first answer wins. A call that has a
callback number instead of a live caller reserves one agent and makes the PBX
originate the callback.
"""

from collections.abc import Callable

from acd.core import Core, set_state
from acd.lines import effective_priority
from acd.models import AgentRecord, CallPhase, QueuedCall
from acd.timers import TimerKind
from callcenter.domain.commands import ConnectToAgent, OriginateCallback
from callcenter.domain.events import AgentState, CallOfferedToAgent
from callcenter.domain.ids import AgentId

CALLBACK_TIMEOUT = 30.0
"""Seconds the PBX lets a callback ring the customer."""


def tier_open(core: Core, call: QueuedCall, penalty: int) -> bool:
    """Return whether agents of ``penalty`` may take the call yet (tier rules)."""
    tier_wait = core.queues[call.queue].tier_wait
    return tier_wait <= 0 or penalty * tier_wait <= core.now - call.joined_queue_at


def _acceptor(
    core: Core, call: QueuedCall, *, fresh_only: bool
) -> Callable[[AgentId], bool]:
    agents, skills, missed = core.agents, call.skills, call.missed_by
    if fresh_only:
        return lambda a: a not in missed and agents[a].has_skills(skills)
    if skills:
        return lambda a: agents[a].has_skills(skills)
    return lambda _a: True


def find_agents(core: Core, call: QueuedCall) -> list[AgentId]:
    """Return the agent(s) to ring for a call now: [] if none may take it.

    Agents who already missed this call are used only when nobody else can.
    """
    queue = call.queue
    pool = core.pool
    ring_all = core.strategies[queue].ring_all
    for fresh_only in (True, False) if call.missed_by else (False,):
        accept = _acceptor(core, call, fresh_only=fresh_only)
        for penalty in list(pool.tiers(queue)):
            if not tier_open(core, call, penalty):
                break
            if ring_all:
                found = pool.all_in(queue, penalty, accept)
                if found:
                    return found
            else:
                best = pool.best(queue, penalty, accept)
                if best is not None:
                    return [best]
    return []


def offer_call(core: Core, call: QueuedCall) -> bool:
    """Serve a call waiting in its line if some agent may take it now."""
    if core.pool.count(call.queue) == 0:
        return False
    chosen = find_agents(core, call)
    if not chosen:
        return False
    core.lines[call.queue].remove(call)
    _start(core, call, [core.agents[a] for a in chosen])
    return True


def serve_agent(core: Core, agent: AgentRecord) -> bool:
    """Give an AVAILABLE agent the best call they may take, if any."""
    reserved = core.reserved.get(agent.agent_id)
    if reserved:
        call = max(reserved, key=lambda c: _rank(core, c))
        reserved.remove(call)
        call.reserved_for = None
        _start(core, call, [agent])
        return True
    best: QueuedCall | None = None
    best_rank: tuple[int, float, float, int] | None = None
    for queue, penalty in agent.queues.items():
        line = core.lines[queue]
        if not line:
            continue
        for call in line:
            if tier_open(core, call, penalty) and agent.has_skills(call.skills):
                rank = (core.queues[queue].weight, *_rank(core, call))
                if best_rank is None or rank > best_rank:
                    best, best_rank = call, rank
                break
    if best is None:
        return False
    core.lines[best.queue].remove(best)
    _start(core, best, [agent])
    return True


def _rank(core: Core, call: QueuedCall) -> tuple[float, float, int]:
    """Order calls of equal queue weight: priority with aging, then entry."""
    rate = core.queues[call.queue].aging_rate
    return (
        effective_priority(call, aging_rate=rate, now=core.now),
        -call.entered_at,
        -call.seq,
    )


def _start(core: Core, call: QueuedCall, agents: list[AgentRecord]) -> None:
    if call.callback_number:
        _dial_callback(core, call, agents[0])
    else:
        ring(core, call, agents)


def ring(core: Core, call: QueuedCall, agents: list[AgentRecord]) -> None:
    """Offer a call to agents: ConnectToAgent, CallOfferedToAgent, ringing state."""
    config = core.queues[call.queue]
    call.phase = CallPhase.RINGING
    call.ringing = [agent.agent_id for agent in agents]
    call.offered_at = core.now
    for agent in agents:
        agent.last_offer = core.next_seq()
        agent.call_id = call.call_id
        core.out.append(
            ConnectToAgent(
                call_id=call.call_id,
                agent_id=agent.agent_id,
                endpoint=agent.config.endpoint,
                ring_timeout=config.ring_timeout,
            )
        )
        core.out.append(
            CallOfferedToAgent(
                at=core.now,
                call_id=call.call_id,
                queue=call.queue,
                agent_id=agent.agent_id,
            )
        )
        set_state(core, agent, AgentState.RINGING, call_id=call.call_id)
        core.timers.add(
            core.now + config.ring_timeout, TimerKind.RING, agent.agent_id, agent.token
        )


def _dial_callback(core: Core, call: QueuedCall, agent: AgentRecord) -> None:
    call.phase = CallPhase.DIALING
    call.ringing = [agent.agent_id]
    call.offered_at = core.now
    agent.last_offer = core.next_seq()
    agent.call_id = call.call_id
    core.out.append(
        OriginateCallback(
            call_id=call.call_id,
            number=call.callback_number,
            agent_id=agent.agent_id,
            endpoint=agent.config.endpoint,
            timeout=CALLBACK_TIMEOUT,
        )
    )
    core.out.append(
        CallOfferedToAgent(
            at=core.now, call_id=call.call_id, queue=call.queue, agent_id=agent.agent_id
        )
    )
    set_state(core, agent, AgentState.RINGING, reason="callback", call_id=call.call_id)
    deadline = core.now + CALLBACK_TIMEOUT + core.queues[call.queue].ring_timeout
    core.timers.add(deadline, TimerKind.RING, agent.agent_id, agent.token)
