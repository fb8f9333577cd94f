"""A fast discrete-event simulation that drives ``AcdEngine`` directly.

One queue, ``agents`` agents, Poisson arrivals, exponential handle times, optional
exponential patience (abandonment), agents answer at once and do no wrap-up unless
told: the textbook M/M/N(+M) system, so the results can be checked against Erlang C
and A. Happenings sit in a ``heapq`` keyed by time; the engine's own deadlines are
merged in; everything is drawn from one seeded ``random.Random``, so a seed gives
the same run every time. Pure: no clock, no I/O (a progress callback is optional).
"""

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from acd.config import AgentConfig, QueueConfig
from acd.engine import AcdEngine
from acd.ewt import EwtMethod
from acd.inputs import AcdInput, EnqueueCall, LogIn, Tick
from callcenter.domain.commands import ConnectToAgent
from callcenter.domain.events import CallAnswered, CallEnded, Party
from callcenter.domain.ids import AgentId, CallId, QueueName

QUEUE = QueueName("sim")
_ARRIVE, _END, _GIVE_UP = 0, 1, 2


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulationConfig:
    """What to simulate.

    Attributes:
        patience: mean caller patience in seconds (exponential); None = infinite.
        strategy: a key of ``acd.strategies.STRATEGIES``.
    """

    agents: int
    calls_per_hour: float
    aht: float
    hours: float
    seed: int = 0
    patience: float | None = None
    strategy: str = "longest_idle"
    service_level_seconds: float = 20.0
    wrap_up: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulationResult:
    """Figures of a run (``as_json`` gives the CLI's keys)."""

    offered: int
    answered: int
    abandoned: int
    service_level: float | None
    asa_seconds: float | None
    prob_wait: float | None
    occupancy: float | None
    aht_seconds: float | None
    ewt_mae_asterisk: float | None
    ewt_mae_position: float | None

    def as_json(self) -> dict[str, float | int | None]:
        """Return the figures the ``simulate`` command prints with ``--json``."""
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "service_level": self.service_level,
            "asa_seconds": self.asa_seconds,
            "prob_wait": self.prob_wait,
            "occupancy": self.occupancy,
            "aht_seconds": self.aht_seconds,
        }


class _Run:
    def __init__(self, config: SimulationConfig) -> None:
        self.config = config
        self.rng = Random(config.seed)
        queue = QueueConfig(
            name=QUEUE,
            strategy=config.strategy,
            wrap_up=config.wrap_up,
            service_level_seconds=config.service_level_seconds,
            short_abandon_seconds=0.0,
            aging_rate=0.0,
        )
        agents = [
            AgentConfig(
                agent_id=AgentId(f"a{i}"),
                name=f"Agent {i}",
                endpoint=f"sim/a{i}",
                queues={QUEUE: 0},
            )
            for i in range(config.agents)
        ]
        self.engine = AcdEngine([queue], agents, seed=config.seed)
        self.heap: list[tuple[float, int, int, str]] = []
        self.seq = 0
        self.predicted: dict[str, tuple[float | None, float | None]] = {}
        self.errors: tuple[list[float], list[float]] = ([], [])
        self.arrived_at: dict[str, float] = {}
        for agent in agents:
            self.engine.handle(LogIn(agent_id=agent.agent_id), 0.0)

    def push(self, at: float, kind: int, call_id: str) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, kind, call_id))

    def feed(self, inp: AcdInput, now: float) -> None:
        """Hand an input to the engine; agents answer every offer at once."""
        for out in self.engine.handle(inp, now):
            if isinstance(out, ConnectToAgent):
                self.answer(out, now)

    def answer(self, offer: ConnectToAgent, now: float) -> None:
        call_id = offer.call_id
        self.feed(CallAnswered(at=now, call_id=call_id, agent_id=offer.agent_id), now)
        self.push(now + self.rng.expovariate(1.0 / self.config.aht), _END, call_id)
        guess = self.predicted.pop(call_id, None)
        if guess is not None:
            waited = now - self.arrived_at[call_id]
            for errors, value in zip(self.errors, guess, strict=True):
                if value is not None:
                    errors.append(abs(value - waited))
        self.arrived_at.pop(call_id, None)

    def arrive(self, call_id: str, now: float) -> None:
        cid = CallId(call_id)
        self.arrived_at[call_id] = now
        self.feed(EnqueueCall(call_id=cid, queue=QUEUE), now)
        if call_id in self.arrived_at and self.engine.position(cid) is not None:
            self.predicted[call_id] = (
                self.engine.estimated_wait(cid, now, method=EwtMethod.ASTERISK),
                self.engine.estimated_wait(cid, now),
            )
            if self.config.patience is not None:
                patience = self.rng.expovariate(1.0 / self.config.patience)
                self.push(now + patience, _GIVE_UP, call_id)

    def run(self, progress: Callable[[float], None] | None) -> SimulationResult:
        config = self.config
        horizon = config.hours * 3600.0
        rate = config.calls_per_hour / 3600.0
        self.push(self.rng.expovariate(rate), _ARRIVE, "c1")
        count, now = 1, 0.0
        while self.heap:
            deadline = self.engine.next_deadline()
            if deadline is not None and deadline <= self.heap[0][0]:
                now = deadline
                self.feed(Tick(), now)
                continue
            now, _, kind, call_id = heapq.heappop(self.heap)
            if kind == _ARRIVE:
                self.arrive(call_id, now)
                count += 1
                following = now + self.rng.expovariate(rate)
                if following < horizon:
                    self.push(following, _ARRIVE, f"c{count}")
                if progress is not None and count % 4096 == 0:
                    progress(min(1.0, now / horizon))
            elif kind == _END or call_id in self.arrived_at:
                self.predicted.pop(call_id, None)
                self.arrived_at.pop(call_id, None)
                self.feed(
                    CallEnded(at=now, call_id=CallId(call_id), by=Party.CALLER), now
                )
        if progress is not None:
            progress(1.0)
        return self.result(now)

    def result(self, now: float) -> SimulationResult:
        total = self.engine.queue_report(QUEUE, now).total
        views = self.engine.agents(now)
        busy = sum(
            v.total_seconds_by_state.get(s, 0.0)
            for v in views
            for s in ("on_call", "ringing", "wrap_up")
        )
        staffed = busy + sum(
            v.total_seconds_by_state.get("available", 0.0) for v in views
        )
        mae = [sum(e) / len(e) if e else None for e in self.errors]
        return SimulationResult(
            offered=total.offered,
            answered=total.answered,
            abandoned=total.abandoned,
            service_level=total.service_level,
            asa_seconds=total.asa,
            prob_wait=total.prob_wait,
            occupancy=busy / staffed if staffed > 0 else None,
            aht_seconds=total.aht,
            ewt_mae_asterisk=mae[0],
            ewt_mae_position=mae[1],
        )


def simulate(
    config: SimulationConfig, *, progress: Callable[[float], None] | None = None
) -> SimulationResult:
    """Run the simulation to the end of ``hours`` (calls in progress then finish).

    Args:
        config: what to simulate.
        progress: called now and then with the share of simulated time done.
    """
    return _Run(config).run(progress)
