"""Bulk seeding speed: ``python -m benchmarks.crm_seed [--customers 20000]``.

Seeds a fresh SQLite file (in a temporary folder) with ``SeedPlan(customers=N,
complaints=N/5, batch=20000)``, the plan of the screen-pop benchmarks, and prints the
time of each stage and the total, best of ``--runs``. The 1,000,000-customer seed of
``benchmarks.crm_screen_pop`` takes about 50 times the 20,000 figure.
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from crm_link.db import make_engine
from crm_link.migrate import upgrade
from crm_link.seed import SeedPlan, seed

NOW = 1_767_600_000.0


async def _once(folder: Path, customers: int) -> dict[str, float]:
    url = f"sqlite+aiosqlite:///{folder / 'seed.db'}"
    await upgrade(url)
    engine = make_engine(url)
    plan = SeedPlan(customers=customers, complaints=customers // 5, batch=20_000)
    ends: dict[str, float] = {}
    started = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        if done == total:
            ends[stage] = time.perf_counter()

    try:
        await seed(engine, plan, now=NOW, progress=progress)
    finally:
        await engine.dispose()
    stages: dict[str, float] = {}
    previous = started
    for stage, end in ends.items():
        stages[stage] = end - previous
        previous = end
    stages["total"] = time.perf_counter() - started
    return stages


async def main(args: argparse.Namespace) -> None:
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="crm-seed-") as folder:
            runs.append(await _once(Path(folder), args.customers))
    best = min(runs, key=lambda stages: stages["total"])
    figures = ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in best.items())
    totals = ", ".join(f"{stages['total']:.2f}" for stages in runs)
    print(f"seed {args.customers:,} customers (best of {args.runs}): {figures}")
    print(f"  totals of every run: {totals} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
