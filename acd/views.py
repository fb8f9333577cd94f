"""Read-only views for supervisors, wallboards and announcements."""

from dataclasses import dataclass

from acd.agent_state import BUSY
from acd.core import Core
from acd.ewt import DEFAULT_AHT, position_ewt
from acd.models import AgentRecord, CallPhase, QueuedCall
from acd.stats import Counter, WindowFigures, figures, service_level
from callcenter.domain.events import AgentState, QueueStatsUpdated
from callcenter.domain.ids import AgentId, CallId, QueueName


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitingCallView:
    """One caller held by a queue."""

    call_id: CallId
    position: int | None
    priority: int
    effective_priority: float
    waited: float
    phase: str
    callback: bool
    reserved_for: AgentId | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentView:
    """One agent as a supervisor sees them."""

    agent_id: AgentId
    name: str
    state: AgentState
    reason: str
    call_id: CallId | None
    in_state_for: float
    queues: dict[QueueName, int]
    calls_taken: int
    talk_time: float
    occupancy: float | None
    seconds_by_state: dict[str, float]
    seconds_by_pause_reason: dict[str, float]
    total_seconds_by_state: dict[str, float]


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueReport:
    """Live figures and windows of one queue."""

    queue: QueueName
    waiting: int
    longest_wait: float
    agents_by_state: dict[AgentState, int]
    ewt_asterisk: float | None
    ewt_position: float | None
    last_15_min: WindowFigures
    today: WindowFigures
    total: WindowFigures


def aht(core: Core, queue: QueueName) -> float:
    """Return the queue's AHT: last 15 min, else today, else total, else a default."""
    windows = core.stats[queue]
    for vector in (windows.rolling, windows.today, windows.total):
        if vector[Counter.HANDLED] > 0:
            return (vector[Counter.TALK] + vector[Counter.WRAP]) / vector[
                Counter.HANDLED
            ]
    return DEFAULT_AHT


def position(core: Core, call: QueuedCall) -> int | None:
    """Return 1 = next; ringing calls are being served (1); connected: None."""
    if call.phase in (CallPhase.CONNECTED, CallPhase.DIALING):
        return None
    if call.phase == CallPhase.RINGING:
        return 1
    return core.lines[call.queue].position(call)


def longest_wait(core: Core, queue: QueueName) -> float:
    """Return the wait of the oldest caller held by the queue."""
    present = core.present[queue]
    if not present:
        return 0.0
    oldest = next(iter(present.values()))
    return core.now - oldest.joined_queue_at


def queue_stats(core: Core, queue: QueueName) -> QueueStatsUpdated:
    """Return the live snapshot event of a queue (today's counters)."""
    windows = core.stats[queue]
    windows.advance(core.now)
    today = windows.today  # read the few counters it needs: the runtime asks often
    counts = core.counts[queue]
    return QueueStatsUpdated(
        at=core.now,
        queue=queue,
        waiting=len(core.present[queue]),
        longest_wait=longest_wait(core, queue),
        offered=int(today[Counter.OFFERED]),
        answered=int(today[Counter.ANSWERED]),
        abandoned=int(today[Counter.ABANDONED]),
        service_level=service_level(today, core.sl_definition(queue)),
        agents_available=counts[AgentState.AVAILABLE],
        agents_busy=sum(counts[state] for state in BUSY),
        agents_logged_in=sum(
            n for state, n in counts.items() if state != AgentState.LOGGED_OUT
        ),
    )


def queue_report(core: Core, queue: QueueName) -> QueueReport:
    """Return live figures, both EWTs (for a new caller) and the three windows."""
    windows = core.stats[queue]
    windows.advance(core.now)
    definition = core.sl_definition(queue)
    ema = core.holdtime[queue]
    return QueueReport(
        queue=queue,
        waiting=len(core.present[queue]),
        longest_wait=longest_wait(core, queue),
        agents_by_state=dict(core.counts[queue]),
        ewt_asterisk=ema.estimate() if ema.seeded else None,
        ewt_position=position_ewt(
            aht=aht(core, queue),
            position=len(core.lines[queue]) + 1,
            staffed=core.staffed(queue),
        ),
        last_15_min=figures(windows.rolling, definition),
        today=figures(windows.today, definition),
        total=figures(windows.total, definition),
    )


def agent_view(core: Core, agent: AgentRecord) -> AgentView:
    """Return an agent's live view, with the current stretch counted in."""
    times = core.times[agent.agent_id]
    live = core.now - agent.state_since
    by_state = dict(times.today)
    by_reason = dict(times.pause_today)
    total = dict(times.total)
    if agent.state != AgentState.LOGGED_OUT:
        by_state[agent.state.value] = by_state.get(agent.state.value, 0.0) + live
        total[agent.state.value] = total.get(agent.state.value, 0.0) + live
        if agent.reason:
            by_reason[agent.reason] = by_reason.get(agent.reason, 0.0) + live
    busy = sum(by_state.get(s.value, 0.0) for s in BUSY)
    staffed = busy + by_state.get(AgentState.AVAILABLE.value, 0.0)
    return AgentView(
        agent_id=agent.agent_id,
        name=agent.config.name,
        state=agent.state,
        reason=agent.reason,
        call_id=agent.call_id,
        in_state_for=live,
        queues=dict(agent.queues),
        calls_taken=agent.calls_taken,
        talk_time=agent.talk_time,
        occupancy=busy / staffed if staffed > 0 else None,
        seconds_by_state=by_state,
        seconds_by_pause_reason=by_reason,
        total_seconds_by_state=total,
    )
