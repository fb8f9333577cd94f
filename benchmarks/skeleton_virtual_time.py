"""The whole call center in virtual time: how fast simulated hours pass.

Runs the embedded call center (simulated PBX, main IVR flow, ACD, in-memory CRM, bus)
on a virtual clock and prints calls handled and the speed-up over real time.

    python -m benchmarks.skeleton_virtual_time [--hours H] [--calls-per-hour R]
"""

import argparse
import asyncio
import time
from collections import Counter

from callcenter.center import make_call_center, run_virtual
from callcenter.clock import VirtualClock
from callcenter.domain import events as ev
from callcenter.settings import load_settings


async def run(hours: float, calls_per_hour: float) -> None:
    settings = load_settings(
        overrides={"simulation": {"calls_per_hour": calls_per_hour}}
    )
    center = make_call_center(settings, clock=VirtualClock())
    outcomes: Counter[str] = Counter()
    center.bus.add_listener(
        lambda e: (
            outcomes.update([e.outcome.value])
            if isinstance(e, ev.CallCompleted)
            else None
        )
    )
    started = time.perf_counter()
    await run_virtual(center, hours * 3600)
    wall = time.perf_counter() - started
    stats = center.runtime.stats
    print(
        f"simulated hours     {hours:g}  ({calls_per_hour:g} calls/h, {len(settings.agents)} agents)"
    )
    print(
        f"calls offered       {center.switchboard.completed + center.switchboard.calls_in_progress()}"
    )
    print(f"outcomes            {dict(outcomes)}")
    print(f"inputs handled      {stats.inputs}  ({stats.inputs / wall:,.0f}/s)")
    print(f"wall time           {wall:.2f} s  -> {hours * 3600 / wall:,.0f}x real time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--calls-per-hour", type=float, default=360.0)
    args = parser.parse_args()
    asyncio.run(run(args.hours, args.calls_per_hour))


if __name__ == "__main__":
    main()
