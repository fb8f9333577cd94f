"""Screen pops by booking and account on a big CRM: ``python -m benchmarks.crm_booking_lookup``.

Works on a copy of the seeded screen-pop benchmark database (``var/bench/crm_1000000_
200000.db``, seeded once by ``benchmarks.crm_screen_pop`` if missing), migrated to
the latest schema. A cached database seeded before bookings existed has none: the
copy then gets 1.5 bookings per customer from the bulk seed's generator, and the
time that takes is printed (the bookings stage of a 1M seed); one seeded before
account numbers existed gets them for its key accounts likewise
(``seed_data.account_number_for``). Then it times ``CrmService.screen_pop`` three
ways, interleaved: a stranger's number with a keyed reference (90 % of a booking,
10 % of none), with a keyed account number (90 % held; 10 % some booking's digits,
which name no account), and by number alone (90 % known), the pop every call
makes. With ``--postgres`` the same runs on a copy of the PostgreSQL benchmark
database (``var/bench/pg``), analysed after the fill.
"""

import argparse
import asyncio
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import sqlalchemy as sa

from benchmarks.crm_screen_pop import (
    BENCH,
    NOW,
    _postgres_db,
    _seed_once,
    _start_postgres,
    _warm,
    fill_bookings,
)
from crm_link.bookings import reference_digits
from crm_link.db import make_engine
from crm_link.dto import ScreenPop
from crm_link.enums import Tier
from crm_link.migrate import upgrade
from crm_link.models import Booking, Customer, PhoneNumber
from crm_link.seed import SeedPlan
from crm_link.seed_data import account_number_for
from crm_link.service import CrmService

Pop = Callable[[CrmService], Awaitable[ScreenPop]]


async def _workload(url: str, count: int) -> list[tuple[str, Pop]]:
    """Return ``count`` pops of each kind, shuffled together."""
    rng = random.Random(1)
    engine = make_engine(url)
    async with engine.connect() as connection:
        top = await connection.scalar(sa.select(sa.func.max(Booking.id))) or 1
        ids = [rng.randint(1, top) for _ in range(count)]
        known = list(await connection.scalars(
            sa.select(Booking.reference).where(Booking.id.in_(ids))
        ))[: count - count // 10]  # fmt: skip
        phones = await connection.scalar(sa.select(sa.func.max(PhoneNumber.id))) or 1
        ids = [rng.randint(1, phones) for _ in range(count)]
        numbers = list(await connection.scalars(
            sa.select(PhoneNumber.e164).where(PhoneNumber.id.in_(ids))
        ))[: count - count // 10]  # fmt: skip
    await engine.dispose()
    # digits starting with 0: neither a generated nor a demo reference
    references = known + [
        f"0{rng.randint(0, 10**7 - 1):07d}" for _ in range(count // 10)
    ]
    numbers += [f"+8614{rng.randint(0, 10**9 - 1):09d}" for _ in range(count // 10)]
    # booking digits keyed as account numbers: found by reference, by account never
    keyed = [reference_digits(reference) for reference in known[: count // 10]]
    accounts = await _accounts(url, count - count // 10, rng) + keyed
    stranger = "+8613311112222"
    work = [("by reference", _by_reference(stranger, r)) for r in references]
    work += [("by account", _by_account(stranger, a)) for a in accounts]
    work += [("by number", _by_number(number)) for number in numbers]
    rng.shuffle(work)
    return work


async def _accounts(url: str, count: int, rng: random.Random) -> list[str]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        held = list(await connection.scalars(
            sa.select(Customer.account_number)
            .where(Customer.account_number.is_not(None))
            .order_by(Customer.id)
        ))  # fmt: skip
    await engine.dispose()
    numbers = [number for number in held if number is not None]
    return [rng.choice(numbers) for _ in range(count)] if numbers else []


async def fill_accounts(url: str) -> None:
    """Give the key accounts their account numbers unless some customer has one."""
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            given = Customer.account_number.is_not(None)
            if await connection.scalar(sa.select(Customer.id).where(given).limit(1)):
                return
            keys = list(await connection.scalars(
                sa.select(Customer.id).where(Customer.tier == Tier.KEY)
            ))  # fmt: skip
        started = time.perf_counter()
        update = (
            sa.update(Customer)
            .where(Customer.id == sa.bindparam("key"))
            .values(account_number=sa.bindparam("number"))
        )
        async with engine.begin() as connection:
            await connection.execute(
                update, [{"key": k, "number": account_number_for(k)} for k in keys]
            )
            if engine.dialect.name == "postgresql":
                await connection.exec_driver_sql("ANALYZE customers")
        seconds = time.perf_counter() - started
        print(f"  gave {len(keys):,} key accounts an account number in {seconds:.1f} s")
    finally:
        await engine.dispose()


def _by_reference(number: str, reference: str) -> Pop:
    async def pop(crm: CrmService) -> ScreenPop:
        return await crm.screen_pop(number, NOW, reference=reference)

    return pop


def _by_account(number: str, account: str) -> Pop:
    async def pop(crm: CrmService) -> ScreenPop:
        return await crm.screen_pop(number, NOW, account=account)

    return pop


def _by_number(number: str) -> Pop:
    async def pop(crm: CrmService) -> ScreenPop:
        return await crm.screen_pop(number, NOW)

    return pop


async def _measure(label: str, url: str, count: int) -> None:
    work = await _workload(url, count)
    timings: dict[str, list[float]] = {}
    found: dict[str, int] = {}
    async with CrmService.from_url(url) as crm:
        for _, pop in work[:200]:
            await pop(crm)
        for kind, pop in work:
            started = time.perf_counter()
            result = await pop(crm)
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1e3)
            found[kind] = found.get(kind, 0) + bool(result.matches)
    for kind, values in timings.items():
        cuts = statistics.quantiles(values, n=100)
        print(f"{label} {kind}: {len(values)} pops ({found[kind]} known): "
              f"p50 {cuts[49]:.2f} ms, p99 {cuts[98]:.2f} ms, "
              f"max {max(values):.2f} ms", flush=True)  # fmt: skip


async def _sqlite(args: argparse.Namespace, plan: SeedPlan, tag: str) -> None:
    cached = BENCH / f"crm_{tag}.db"
    marker = cached.with_name(cached.name + ".seeded")
    if not marker.exists():  # seeds bookings too; an older cache is left as it is
        await _seed_once(f"sqlite+aiosqlite:///{cached}", marker, plan)
    with tempfile.TemporaryDirectory(prefix="crm-bookings-", dir=args.work) as work:
        copy = Path(work) / "crm.db"
        shutil.copyfile(cached, copy)
        url = f"sqlite+aiosqlite:///{copy}"
        await upgrade(url)
        await fill_bookings(url)
        await fill_accounts(url)
        _warm(copy)
        await _measure("SQLite", url, args.lookups)


async def _postgres(args: argparse.Namespace, plan: SeedPlan, tag: str) -> None:
    stop = _start_postgres(BENCH / "pg", args.pg_port)
    if stop is None:
        print("PostgreSQL: binaries not installed, skipped")
        return
    try:
        source = await _postgres_db(args.pg_port, f"crm_{tag}")
        marker = BENCH / "pg" / f"crm_{tag}.seeded"
        if not marker.exists():
            await _seed_once(source, marker, plan)
        import asyncpg  # noqa: PLC0415

        admin = await asyncpg.connect(
            f"postgresql://crm@127.0.0.1:{args.pg_port}/postgres"
        )
        copy = f"crm_{tag}_bookings"
        await admin.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        started = time.perf_counter()
        await admin.execute(f'CREATE DATABASE "{copy}" TEMPLATE "crm_{tag}"')
        print(f"  copied the database in {time.perf_counter() - started:.1f} s")
        url = source.rsplit("/", 1)[0] + f"/{copy}"
        try:
            await upgrade(url)
            await fill_bookings(url)
            await fill_accounts(url)
            await _measure("PostgreSQL", url, args.lookups)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
            await admin.close()
    finally:
        subprocess.run(stop, check=False, capture_output=True)  # noqa: ASYNC221, S603


async def main(args: argparse.Namespace) -> None:
    plan = SeedPlan(customers=args.customers, complaints=args.complaints,
                    batch=20_000, seed=7)  # fmt: skip
    tag = f"{args.customers}_{args.complaints}"
    BENCH.mkdir(parents=True, exist_ok=True)
    print(f"SQLite ({args.customers:,} customers)")
    await _sqlite(args, plan, tag)
    if args.postgres:
        print("PostgreSQL")
        await _postgres(args, plan, tag)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=200_000)
    parser.add_argument("--lookups", type=int, default=3_000)
    parser.add_argument("--work", default=None, help="Folder for the SQLite copy.")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--pg-port", type=int, default=55_433)
    asyncio.run(main(parser.parse_args()))
