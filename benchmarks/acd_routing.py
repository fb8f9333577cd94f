"""Routing decision time of the ACD engine, and how it scales with the agent count.

Run: ``.venv/bin/python -m benchmarks.acd_routing [--decisions N]``.

Two decisions are timed (one ``AcdEngine.handle`` call each, median and p99):

* *agent frees up*: 1,000 calls wait over 200 queues, every agent is paused; one
  agent becomes ready and the engine picks the best call across their 3 queues;
* *call arrives*: every agent is available, no call waits; a call joins a queue and
  the engine picks the best agent (longest idle) of the lowest tier.

Each runs with 100 and 10,000 agents (3 queues each, penalties 0-2, over 200
queues); the ratio shows the cost of 100 times more agents (target: at most 2x,
under 100 microseconds).
"""

import argparse
import statistics
import time

from acd.config import AgentConfig, QueueConfig
from acd.engine import AcdEngine
from acd.inputs import EnqueueCall, LogIn, Pause, SetReady
from callcenter.domain.commands import ConnectToAgent
from callcenter.domain.events import (
    CallAnswered,
    CallEnded,
    CallOfferedToAgent,
    Party,
)
from callcenter.domain.ids import AgentId, CallId, QueueName

QUEUES = [QueueName(f"q{i}") for i in range(200)]


def build(n_agents: int, *, paused: bool) -> AcdEngine:
    queues = [QueueConfig(name=q, wrap_up=0.0) for q in QUEUES]
    agents = [
        AgentConfig(
            agent_id=AgentId(f"a{i}"),
            name=f"Agent {i}",
            endpoint=f"sim/a{i}",
            queues={
                QUEUES[i % 200]: 0,
                QUEUES[(i * 7 + 3) % 200]: 1,
                QUEUES[(i * 13 + 5) % 200]: 2,
            },
        )
        for i in range(n_agents)
    ]
    engine = AcdEngine(queues, agents)
    for config in agents:
        engine.handle(LogIn(agent_id=config.agent_id, paused=paused, reason="x"), 0.0)
    return engine


def agent_frees_up(n_agents: int, decisions: int) -> list[float]:
    engine = build(n_agents, paused=True)
    now, serial = 1.0, 0
    for serial in range(1000):
        engine.handle(
            EnqueueCall(call_id=CallId(f"w{serial}"), queue=QUEUES[serial % 200]), now
        )
    timings = []
    for k in range(decisions):
        now += 1.0
        agent = AgentId(f"a{(k * 37) % n_agents}")
        start = time.perf_counter_ns()
        out = engine.handle(SetReady(agent_id=agent), now)
        timings.append((time.perf_counter_ns() - start) / 1000)
        offer = next(o for o in out if isinstance(o, CallOfferedToAgent))
        engine.handle(CallAnswered(at=now, call_id=offer.call_id, agent_id=agent), now)
        engine.handle(
            Pause(agent_id=agent, reason="x"), now
        )  # deferred to the talk end
        engine.handle(CallEnded(at=now, call_id=offer.call_id, by=Party.CALLER), now)
        serial += 1  # a new caller replaces the one served: 1,000 keep waiting
        engine.handle(EnqueueCall(call_id=CallId(f"w{serial}"), queue=offer.queue), now)
    return timings


def call_arrives(n_agents: int, decisions: int) -> list[float]:
    engine = build(n_agents, paused=False)
    now = 1.0
    timings = []
    for k in range(decisions):
        now += 1.0
        call = CallId(f"c{k}")
        start = time.perf_counter_ns()
        queue = QUEUES[(k % n_agents) % 200]  # penalty 0 of agent k: never empty
        out = engine.handle(EnqueueCall(call_id=call, queue=queue), now)
        timings.append((time.perf_counter_ns() - start) / 1000)
        offer = next(o for o in out if isinstance(o, ConnectToAgent))
        engine.handle(CallAnswered(at=now, call_id=call, agent_id=offer.agent_id), now)
        engine.handle(CallEnded(at=now, call_id=call, by=Party.CALLER), now)
    return timings


def summary(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=3000)
    args = parser.parse_args()
    for label, bench in (
        ("agent frees up", agent_frees_up),
        ("call arrives", call_arrives),
    ):
        medians = {}
        for n in (100, 10_000):
            median, p99 = summary(bench(n, args.decisions))
            medians[n] = median
            print(
                f"{label:15} {n:>6} agents: median {median:7.1f} us  p99 {p99:7.1f} us"
            )
        print(
            f"{label:15} ratio 10,000/100 agents: {medians[10_000] / medians[100]:.2f}x"
        )


if __name__ == "__main__":
    main()
