"""Speed of the ACD simulation: 24 simulated hours of a 500-agent center.

Run: ``.venv/bin/python -m benchmarks.acd_simulate [--hours H] [--agents N]
[--calls-per-hour R] [--aht S]``. Target: 24 h at 5,000 calls/hour with 500 agents
in under 60 s of wall time. Prints the run's figures next to Erlang C's.
"""

import argparse
import time

from acd import erlang
from acd.simulation import SimulationConfig, simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--calls-per-hour", type=float, default=5000.0)
    parser.add_argument("--aht", type=float, default=330.0)
    args = parser.parse_args()
    config = SimulationConfig(
        agents=args.agents,
        calls_per_hour=args.calls_per_hour,
        aht=args.aht,
        hours=args.hours,
        seed=1,
    )
    start = time.perf_counter()
    result = simulate(config)
    wall = time.perf_counter() - start
    theory = erlang.row(
        erlang.traffic_of(args.calls_per_hour, args.aht), args.agents, args.aht, 20.0
    )
    print(
        f"{args.hours:g} simulated hours, {args.agents} agents, "
        f"{args.calls_per_hour:g} calls/h, AHT {args.aht:g} s"
    )
    print(
        f"wall time {wall:.1f} s; {result.offered / wall:,.0f} calls/s; target < 60 s"
    )
    print(
        f"offered {result.offered}  answered {result.answered}  "
        f"SL {result.service_level:.3f} (Erlang C {theory.service_level:.3f})  "
        f"P(wait) {result.prob_wait:.3f} ({theory.prob_wait:.3f})  "
        f"ASA {result.asa_seconds:.1f} s ({theory.asa:.1f})  "
        f"occupancy {result.occupancy:.3f} ({theory.occupancy:.3f})"
    )


if __name__ == "__main__":
    main()
