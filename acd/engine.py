"""The ACD engine: a sans-IO state machine, ``handle(input, now) -> outputs``.

Theory of operation
-------------------
The runtime feeds the engine commands (``acd.inputs``) and PBX domain events, each
with the current time, and executes what comes back: PBX commands
(``ConnectToAgent``, ``CancelRing``, ``OriginateCallback``), domain events for the
bus (``CallQueued``, ``CallOfferedToAgent``, ``AgentStateChanged``,
``CallAbandoned``, ``AcdCallFinished``) and ACD actions (``acd.actions``). The engine
never reads a clock: when ``next_deadline()`` is reached the runtime calls
``handle(Tick(), now)``; ring timeouts, wrap-up ends, tier openings, preferred-agent
waits, overflow rules and callback retries all fire then.

An offer goes out as ``ConnectToAgent`` + ``CallOfferedToAgent`` +
``AgentStateChanged(ringing)``. The PBX answers with ``AgentRinging`` (restarts the
ring timer), then ``CallAnswered`` or ``AgentNoAnswer``. A miss (or the engine's
ring timer, which also emits ``CancelRing``) sends the call back to its original
place and on to the next agent; ``max_no_answer`` misses in a row pause the agent
with reason "no-answer". ``CallEnded`` abandons a waiting call or ends a talk;
``AgentLegEnded`` ends the talk while the caller goes on (survey). After a talk the
agent wraps up for the agent's or the queue's wrap-up time.

See ``acd.routing`` for the matching invariant, ``acd.lines`` for priority and
aging, ``acd.strategies`` for agent selection and ``acd.stats`` for definitions.
"""

from collections.abc import Sequence
from random import Random

from acd import agents, calls, escalation, pbx_events, views
from acd.actions import AcdOutput
from acd.config import AgentConfig, PriorityPolicy, QueueConfig
from acd.core import Core
from acd.errors import DuplicateCallError, UnknownAgentError, UnknownQueueError
from acd.ewt import EwtMethod, HoldtimeEma, position_ewt
from acd.inputs import (
    AcdInput,
    AddToQueue,
    AgentCommand,
    EndWrapUp,
    EnqueueCall,
    LogIn,
    LogOut,
    Pause,
    RemoveFromQueue,
    RequestCallback,
    SetPenalty,
    SetReady,
    Tick,
    WithdrawCall,
)
from acd.lines import WaitingLine, effective_priority
from acd.models import AgentRecord, CallPhase
from acd.stats import AgentTimes, Windows
from acd.strategies import STRATEGIES, AgentPool
from acd.timers import Timer, TimerKind
from callcenter.domain.events import (
    AgentLegEnded,
    AgentNoAnswer,
    AgentRinging,
    AgentState,
    CallAnswered,
    CallEnded,
    OriginateFinished,
    QueueStatsUpdated,
)
from callcenter.domain.ids import AgentId, CallId, QueueName

_DEFAULT_POLICY = PriorityPolicy()


class AcdEngine:
    """Automatic call distribution over queues and agents, driven by inputs."""

    def __init__(
        self,
        queues: Sequence[QueueConfig],
        agents: Sequence[AgentConfig],
        *,
        policy: PriorityPolicy = _DEFAULT_POLICY,
        seed: int = 0,
        timezone: str = "UTC",
    ) -> None:
        """Build an engine with every agent logged out and no call.

        Args:
            queues: the queues; strategy names must be keys of ``STRATEGIES``.
            agents: the agents; the order is the ``linear`` strategy's order.
            policy: how caller facts become priority points.
            seed: seeds the ``random`` strategy, so runs are reproducible.
            timezone: IANA zone whose midnight starts "today" in statistics.

        Raises:
            UnknownQueueError: a strategy or an agent's queue is unknown.
        """
        self._core = _build(queues, agents, policy=policy, seed=seed, timezone=timezone)

    # -- driving ---------------------------------------------------------------

    def handle(self, inp: AcdInput, now: float) -> list[AcdOutput]:
        """Apply one input at ``now`` and return what the runtime must do and publish.

        Raises:
            UnknownQueueError: a command names an unknown queue.
            UnknownAgentError: a command names an unknown agent.
            DuplicateCallError: a call is enqueued twice.
            IllegalTransitionError: an agent command is impossible in their state.
        """
        core = self._core
        core.now = now
        core.out = []
        self._dispatch(inp)
        return core.out

    def _dispatch(self, inp: AcdInput) -> None:
        core = self._core
        match inp:
            case Tick():
                self._fire_timers()
            case EnqueueCall():
                self._check_enqueue(inp)
                calls.enqueue(core, inp)
            case WithdrawCall():
                escalation.withdraw(core, inp)
            case RequestCallback():
                escalation.request_callback(core, inp)
            case (
                CallAnswered()
                | CallEnded()
                | AgentRinging()
                | AgentNoAnswer()
                | AgentLegEnded()
                | OriginateFinished()
            ):
                pbx_events.dispatch(core, inp)
            case _:
                self._agent_command(inp)

    def _agent_command(self, inp: AgentCommand) -> None:
        core = self._core
        agent = self._agent(inp.agent_id)
        match inp:
            case LogIn():
                agents.log_in(core, agent, inp)
            case LogOut():
                agents.log_out(core, agent, inp)
            case Pause():
                agents.pause(core, agent, inp)
            case SetReady():
                agents.ready(core, agent)
            case EndWrapUp():
                agents.end_wrap_up(core, agent)
            case AddToQueue() | SetPenalty():
                agents.add_to_queue(core, agent, inp)
            case RemoveFromQueue():
                agents.remove_from_queue(core, agent, inp)

    def _agent(self, agent_id: AgentId) -> AgentRecord:
        try:
            return self._core.agents[agent_id]
        except KeyError:
            msg = f"unknown agent {agent_id!r}"
            raise UnknownAgentError(msg) from None

    def _check_enqueue(self, cmd: EnqueueCall) -> None:
        if cmd.queue not in self._core.queues:
            msg = f"unknown queue {cmd.queue!r}"
            raise UnknownQueueError(msg)
        if cmd.call_id in self._core.calls:
            msg = f"call {cmd.call_id!r} is already held by the ACD"
            raise DuplicateCallError(msg)

    # -- timers ----------------------------------------------------------------

    def next_deadline(self) -> float | None:
        """Return when the runtime must next call ``handle(Tick(), now)``, if ever."""
        return self._core.timers.peek(self._alive)

    def _alive(self, timer: Timer) -> bool:
        _, _, kind, target, token = timer
        core = self._core
        if kind in (TimerKind.RING, TimerKind.WRAP):
            agent = core.agents[AgentId(target)]
            return agent.token == token
        call = core.calls.get(CallId(target))
        if call is None or call.phase == CallPhase.CONNECTED:
            return False
        if kind == TimerKind.OVERFLOW:
            return call.overflow_step == token
        if kind == TimerKind.CALLBACK:
            return call.callback_attempts == token
        if kind == TimerKind.PREFERRED:
            return call.reserved_for is not None
        return escalation.in_line(core, call)

    def _fire_timers(self) -> None:
        core = self._core
        for timer in core.timers.pop_due(core.now):
            if not self._alive(timer):
                continue
            _, _, kind, target, token = timer
            if kind == TimerKind.RING:
                pbx_events.ring_timeout(core, core.agents[AgentId(target)])
            elif kind == TimerKind.WRAP:
                calls.end_wrap_up(core, core.agents[AgentId(target)])
            else:
                call = core.calls[CallId(target)]
                if kind == TimerKind.OVERFLOW:
                    escalation.overflow_due(core, call, token)
                elif kind == TimerKind.CALLBACK:
                    escalation.retry_callback(core, call)
                elif kind == TimerKind.PREFERRED:
                    escalation.reservation_over(core, call)
                else:
                    escalation.tier_opened(core, call)

    # -- queries ---------------------------------------------------------------

    def position(self, call_id: CallId) -> int | None:
        """Return the caller's place, 1 = next to be served, ``None`` once connected."""
        call = self._core.calls.get(call_id)
        return views.position(self._core, call) if call is not None else None

    def estimated_wait(
        self, call_id: CallId, now: float, *, method: EwtMethod = EwtMethod.POSITION
    ) -> float | None:
        """Return the remaining wait a caller can expect (seconds), if any.

        ``POSITION``: ``AHT * position / staffed``; ``ASTERISK``: app_queue's
        holdtime average minus the time already waited (see ``acd.ewt``). ``None``
        when the call is not waiting, nobody staffs its queue, or (Asterisk) no call
        was answered yet.
        """
        core = self._core
        core.now = now
        call = core.calls.get(call_id)
        place = views.position(core, call) if call is not None else None
        if call is None or place is None:
            return None
        if method == EwtMethod.ASTERISK:
            ema = core.holdtime[call.queue]
            return ema.estimate(now - call.joined_queue_at) if ema.seeded else None
        return position_ewt(
            aht=views.aht(core, call.queue),
            position=place,
            staffed=core.staffed(call.queue),
        )

    def queue_stats(self, queue: QueueName, now: float) -> QueueStatsUpdated:
        """Return the live snapshot of a queue (counters since local midnight)."""
        self._core.now = now
        return views.queue_stats(self._core, self._queue(queue))

    def queue_report(self, queue: QueueName, now: float) -> views.QueueReport:
        """Return the queue's windows (15 min, today, total) and both EWTs."""
        self._core.now = now
        return views.queue_report(self._core, self._queue(queue))

    def agent_queues(self, agent_id: AgentId) -> list[QueueName]:
        """Return the queues an agent serves now (cheap: for per-event bookkeeping)."""
        return list(self._agent(agent_id).queues)

    def agent_state(self, agent_id: AgentId) -> AgentState:
        """Return an agent's current state."""
        return self._agent(agent_id).state

    def agent_view(self, agent_id: AgentId, now: float) -> views.AgentView:
        """Return an agent's live view (state, reason, times by state and reason)."""
        self._core.now = now
        return views.agent_view(self._core, self._agent(agent_id))

    def agents(self, now: float) -> list[views.AgentView]:
        """Return every agent's view, in configuration order."""
        self._core.now = now
        return [views.agent_view(self._core, a) for a in self._core.agents.values()]

    def waiting_calls(
        self, queue: QueueName, now: float
    ) -> list[views.WaitingCallView]:
        """Return the callers a queue holds, in the order they would be served."""
        core = self._core
        core.now = now
        rate = core.queues[self._queue(queue)].aging_rate
        held = list(core.present[queue].values())
        held.sort(key=lambda c: (views.position(core, c) or 0, c.key))
        return [
            views.WaitingCallView(
                call_id=c.call_id,
                position=views.position(core, c),
                priority=c.base_priority,
                effective_priority=effective_priority(c, aging_rate=rate, now=now),
                waited=now - c.joined_queue_at,
                phase=c.phase.value,
                callback=bool(c.callback_number),
                reserved_for=c.reserved_for,
            )
            for c in held
        ]

    def refusal(self, queue: QueueName, now: float) -> str:
        """Return why ``queue`` would turn a caller away at ``now``, or "" if not.

        ``closed``, ``full`` or ``empty``: what ``EnqueueCall`` would answer with
        ``QueueClosed``, ``QueueFull`` or ``QueueEmpty``. An agent's transfer asks
        first, so a refused transfer leaves the caller with the agent.
        """
        core = self._core
        core.now = now
        return calls.refusal_of(core, self._queue(queue))

    def queue_names(self) -> list[QueueName]:
        """Return the configured queue names."""
        return list(self._core.queues)

    def _queue(self, queue: QueueName) -> QueueName:
        if queue not in self._core.queues:
            msg = f"unknown queue {queue!r}"
            raise UnknownQueueError(msg)
        return queue


def _build(
    queues: Sequence[QueueConfig],
    agents: Sequence[AgentConfig],
    *,
    policy: PriorityPolicy,
    seed: int,
    timezone: str,
) -> Core:
    for queue_config in queues:
        if queue_config.strategy not in STRATEGIES:
            name, strategy = queue_config.name, queue_config.strategy
            msg = f"queue {name!r}: unknown strategy {strategy!r}"
            raise UnknownQueueError(msg)
    strategies = {q.name: STRATEGIES[q.strategy] for q in queues}
    rng = Random(seed)
    core = Core(
        queues={q.name: q for q in queues},
        strategies=strategies,
        agents={},
        policy=policy,
        rng=rng,
        pool=AgentPool(strategies, rng),
        timezone=timezone,
    )
    for name in list(core.queues):
        core.lines[name] = WaitingLine()
        core.present[name] = {}
        core.counts[name] = dict.fromkeys(AgentState, 0)
        core.penalties[name] = {0}
        core.stats[name] = Windows(timezone=timezone)
        core.holdtime[name] = HoldtimeEma()
    for order, config in enumerate(agents):
        _add_agent(core, config, order)
    return core


def _add_agent(core: Core, config: AgentConfig, order: int) -> None:
    record = AgentRecord(config=config, order=order, queues={})
    core.agents[config.agent_id] = record
    core.times[config.agent_id] = AgentTimes(timezone=core.timezone)
    for name, penalty in config.queues.items():
        if name not in core.queues:
            msg = f"agent {config.agent_id!r}: unknown queue {name!r}"
            raise UnknownQueueError(msg)
        core.join(record, name, penalty)
