"""Screen-pop latency on a big CRM: ``python -m benchmarks.crm_screen_pop``.

Seeds 1,000,000 customers and 200,000 complaints (and one call per customer) into
SQLite, and into a throwaway PostgreSQL when its binaries are installed, then times
``CrmService.screen_pop`` over a few thousand random caller ids (90 % known, 10 %
unknown) and prints p50/p99. Target: p99 under 5 ms on SQLite. Seeded databases are
kept under ``var/bench/`` and reused by later runs with the same sizes; the SQLite
file is read once before timing (a serving database is in the page cache).
"""

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa

from crm_link.db import make_engine
from crm_link.migrate import upgrade
from crm_link.models import Booking, Customer, PhoneNumber
from crm_link.seed import SeedPlan, seed
from crm_link.seed_bookings import booking_rows
from crm_link.service import CrmService

NOW = 1_767_600_000.0
BENCH = Path("var/bench")


def _progress(stage: str, done: int, total: int) -> None:
    if done == total or done % 200_000 == 0:
        print(f"  seeding {stage}: {done:,}/{total:,}", flush=True)


async def _seed_once(url: str, marker: Path, plan: SeedPlan) -> None:
    if marker.exists():  # noqa: ASYNC240
        print(f"  reusing seeded database ({marker.name})")
        await upgrade(url)  # a database seeded before the latest migrations
        await fill_bookings(url)
        return
    await upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    await seed(engine, plan, now=NOW, progress=_progress)
    await engine.dispose()
    print(f"  seeded in {time.perf_counter() - started:.1f} s")
    marker.touch()  # noqa: ASYNC240


async def fill_bookings(url: str) -> None:
    """Give every customer bookings (1.5 on average) unless there are some.

    A database seeded before bookings existed gets those the seed now writes
    (from the same generator, though not the same draws); the time is printed.
    """
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            if await connection.scalar(sa.select(Booking.id).limit(1)) is not None:
                return
            top = await connection.scalar(sa.select(sa.func.max(Customer.id))) or 0
        started = time.perf_counter()
        rng, written = random.Random("bookings-7"), 0
        for first in range(1, top + 1, 20_000):
            rows = list(booking_rows(
                rng, first_id=written + 1, now=NOW, per_customer=1.5,
                customer_ids=range(first, min(first + 20_000, top + 1)),
            ))  # fmt: skip
            async with engine.begin() as connection:
                await connection.execute(sa.insert(Booking), rows)
            written += len(rows)
        seconds = time.perf_counter() - started
        print(f"  added {written:,} bookings for {top:,} customers in {seconds:.1f} s")
        if engine.dialect.name == "postgresql":
            async with engine.begin() as connection:
                await connection.exec_driver_sql("ANALYZE bookings")
    finally:
        await engine.dispose()


async def _numbers(url: str, count: int, rng: random.Random) -> list[str]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        top = await connection.scalar(sa.select(sa.func.max(PhoneNumber.id)))
        ids = [rng.randint(1, top or 1) for _ in range(count)]
        found = list(
            await connection.scalars(
                sa.select(PhoneNumber.e164).where(PhoneNumber.id.in_(ids))
            )
        )
    await engine.dispose()
    unknown = [f"+8614{rng.randint(0, 10**9 - 1):09d}" for _ in range(count // 9)]
    numbers = found + unknown
    rng.shuffle(numbers)
    return numbers


def _warm(path: Path) -> None:
    """Read the database file once, so runs compare the code and not the disk."""
    with path.open("rb") as file:
        while file.read(1 << 24):
            pass


async def _measure(label: str, url: str, lookups: int) -> None:
    rng = random.Random(1)
    numbers = await _numbers(url, lookups, rng)
    async with CrmService.from_url(url) as crm:
        for number in numbers[:200]:
            await crm.screen_pop(number, NOW)
        timings = []
        known = 0
        for number in numbers:
            started = time.perf_counter()
            pop = await crm.screen_pop(number, NOW)
            timings.append((time.perf_counter() - started) * 1000)
            known += bool(pop.matches)
    cuts = statistics.quantiles(timings, n=100)
    print(
        f"{label}: {len(timings)} screen pops ({known} known): "
        f"p50 {cuts[49]:.2f} ms, p99 {cuts[98]:.2f} ms, max {max(timings):.2f} ms",
        flush=True,
    )


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return found[-1].parent if found else None


def _start_postgres(folder: Path, port: int) -> list[str] | None:
    bindir = _postgres_bin()
    if bindir is None:
        return None
    runas = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data = folder / "data"
    if not data.exists():
        folder.mkdir(parents=True, exist_ok=True)
        if runas:
            shutil.chown(folder, "postgres")
        subprocess.run([*runas, str(bindir / "initdb"), "-D", str(data), "-A",  # noqa: S603
                        "trust", "-U", "crm", "-E", "UTF8", "--locale=C.UTF-8"],
                       check=True, capture_output=True)  # fmt: skip
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder.resolve()}"
    subprocess.run([*runas, str(bindir / "pg_ctl"), "-D", str(data), "-o", options,  # noqa: S603
                    "-l", str(folder / "log"), "-w", "start"],
                   check=True, capture_output=True)  # fmt: skip
    return [*runas, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]


async def _postgres_db(port: int, name: str) -> str:
    import asyncpg  # noqa: PLC0415

    connection = await asyncpg.connect(f"postgresql://crm@127.0.0.1:{port}/postgres")
    exists = await connection.fetchval(
        "SELECT 1 FROM pg_database WHERE datname = $1", name
    )
    if not exists:
        await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    return f"postgresql+asyncpg://crm@127.0.0.1:{port}/{name}"


async def main(args: argparse.Namespace) -> None:
    plan = SeedPlan(customers=args.customers, complaints=args.complaints,
                    batch=20_000, seed=7)  # fmt: skip
    tag = f"{args.customers}_{args.complaints}"
    BENCH.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    sqlite_file = BENCH / f"crm_{tag}.db"
    url = f"sqlite+aiosqlite:///{sqlite_file}"
    print(f"SQLite ({args.customers:,} customers, {args.complaints:,} complaints)")
    await _seed_once(url, BENCH / f"crm_{tag}.db.seeded", plan)
    _warm(sqlite_file)
    await _measure("SQLite", url, args.lookups)
    if args.no_postgres:
        return
    stop = _start_postgres(BENCH / "pg", args.pg_port)
    if stop is None:
        print("PostgreSQL: binaries not installed, skipped")
        return
    try:
        print("PostgreSQL")
        pg_url = await _postgres_db(args.pg_port, f"crm_{tag}")
        await _seed_once(pg_url, BENCH / "pg" / f"crm_{tag}.seeded", plan)
        await _measure("PostgreSQL", pg_url, args.lookups)
    finally:
        subprocess.run(stop, check=False, capture_output=True)  # noqa: ASYNC221, S603


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=200_000)
    parser.add_argument("--lookups", type=int, default=3_000)
    parser.add_argument("--pg-port", type=int, default=55_433)
    parser.add_argument("--no-postgres", action="store_true")
    asyncio.run(main(parser.parse_args()))
