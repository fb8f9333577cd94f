"""Agent state checkpoints at 500 agents: ``python -m benchmarks.agent_log_checkpoints``.

Every minute ``AgentStateLog`` writes each logged-in agent's open stretch as it
stands, in one batch (one ``INSERT ... ON CONFLICT (agent_id, started_at) DO UPDATE``
executed for all rows) through the CRM's call-path writer. This logs in 500 agents
(a fifth of them paused), changes the state of a third of them every minute (so a
checkpoint inserts a third of its rows and extends the others), and takes an hour of
checkpoints on fresh databases, timing

* the checkpoint on the event loop: ``AgentStateLog.checkpoint`` building the batch;
* the write: ``CrmService.record_agent_intervals`` of the batch, in the background;
* the fallback: the same batch queued to the outbox when the database is away;

on SQLite and, when its binaries are installed, a throwaway PostgreSQL. The write
timeout of the call path is 2 s, so a batch must stay far below that. It also times
what the stored rows cost a report: reading the period's rows and the time per state
by quarter-hour (``callcenter report --by states --interval 15m``). The rare slow
checkpoint (tens of ms) is the interpreter's full garbage collection, which some
allocation sets off anyway; with ``gc`` disabled the slowest is about 1.3 ms.
"""

import argparse
import asyncio
import statistics
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.crm_screen_pop import _postgres_db, _start_postgres
from callcenter.domain.events import AgentState, AgentStateChanged
from callcenter.domain.ids import AgentId
from callcenter.web.reports import Interval
from callcenter.web.reports_agents import state_time_report
from crm_link.agent_log import CHECKPOINT_SECONDS, AgentStateLog
from crm_link.db import make_engine, make_session_factory
from crm_link.migrate import upgrade
from crm_link.outbox import Outbox, Record
from crm_link.reporting import ReportingReader
from crm_link.service import CrmService

START = 1_767_600_000.0  # 2026-01-05 08:00 UTC
BENCH = Path("var/bench")


class TimedWrite:
    """Writes batches through the CRM and keeps how long each took (ms)."""

    def __init__(self, crm: CrmService) -> None:
        self._crm = crm
        self.ms: list[float] = []
        self.timing = False

    async def __call__(self, records: Sequence[Record]) -> None:
        started = time.perf_counter()
        await self._crm.record_agent_intervals(records)
        if self.timing:
            self.ms.append((time.perf_counter() - started) * 1000)


def _log_in(log: AgentStateLog, agents: int) -> None:
    for number in range(agents):
        paused = number % 5 == 0
        log(AgentStateChanged(
            at=START + number * 0.01, agent_id=AgentId(f"{1000 + number}"),
            state=AgentState.PAUSED if paused else AgentState.AVAILABLE,
            reason="lunch" if paused else "",
        ))  # fmt: skip


def _a_third_change(log: AgentStateLog, agents: int, minute: int) -> None:
    """A third of the agents, in turn, take or end a call during ``minute``."""
    for number in range(minute % 3, agents, 3):
        state = AgentState.ON_CALL if minute % 2 else AgentState.AVAILABLE
        at = START + (minute - 1) * CHECKPOINT_SECONDS + 30 + number * 0.01
        log(AgentStateChanged(at=at, agent_id=AgentId(f"{1000 + number}"),
                              state=state))  # fmt: skip


def _summary(label: str, values: list[float], unit: str = "ms") -> str:
    if len(values) < 2:
        return f"{label} {values[0]:.2f} {unit}"
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return (
        f"{label} p50 {statistics.median(values):.2f} {unit}, "
        f"p99 {cuts[98]:.2f} {unit}, max {max(values):.2f} {unit}"
    )


async def _measure(label: str, url: str, agents: int, minutes: int) -> None:
    crm = CrmService.from_url(url)
    write = TimedWrite(crm)
    log = AgentStateLog(write)
    _log_in(log, agents)
    cuts = []
    for minute in range(1, minutes + 1):
        _a_third_change(log, agents, minute)
        await log.flush()  # those stretches ended half a minute ago: written
        write.timing = True
        started = time.perf_counter()
        cut = log.checkpoint(START + minute * CHECKPOINT_SECONDS)
        cuts.append((time.perf_counter() - started) * 1000)
        await log.flush()
        write.timing = False
        if cut != agents:
            msg = f"the checkpoint wrote {cut} stretches, not {agents}"
            raise RuntimeError(msg)
    await crm.aclose()
    if log.failed:
        msg = f"{log.failed} records failed"
        raise RuntimeError(msg)
    print(
        f"{label}: {minutes} checkpoints of {agents} agents\n"
        f"  {_summary('checkpoint on the loop:', cuts)}\n"
        f"  {_summary('write of its batch:    ', write.ms)}",
        flush=True,
    )


async def _measure_report(url: str, minutes: int) -> None:
    reader = ReportingReader.from_url(url)
    end = START + minutes * CHECKPOINT_SECONDS
    started = time.perf_counter()
    facts = await reader.agent_intervals(START, end)
    read = time.perf_counter() - started
    await reader.aclose()
    started = time.perf_counter()
    rows = state_time_report(facts, interval=Interval.QUARTER, zone=ZoneInfo("UTC"),
                             start=START, end=end)  # fmt: skip
    summed = time.perf_counter() - started
    print(
        f"  report: read {len(facts):,} rows in {read * 1000:.0f} ms, time per state "
        f"by quarter-hour ({len(rows):,} rows) in {summed * 1000:.0f} ms",
        flush=True,
    )


async def _measure_outbox(folder: Path, agents: int) -> None:
    database = folder / "away.db"
    database.mkdir(parents=True, exist_ok=True)  # the outage: not a file
    outbox = folder / "outbox.jsonl"
    outbox.unlink(missing_ok=True)
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    crm = CrmService(make_session_factory(engine), engine=engine, outbox=Outbox(outbox))
    write = TimedWrite(crm)
    write.timing = True
    log = AgentStateLog(write)
    _log_in(log, agents)
    await log.flush()
    write.ms.clear()
    for minute in range(1, 4):
        log.checkpoint(START + minute * CHECKPOINT_SECONDS)
        await log.flush()
    await crm.aclose()
    lines = outbox.read_text().count("\n")
    print(
        f"database away: {lines:,} rows queued to the outbox (fsync each)\n"
        f"  {_summary('one batch to the outbox:', write.ms)}",
        flush=True,
    )


async def _drop_database(port: int, name: str) -> None:
    import asyncpg  # noqa: PLC0415

    connection = await asyncpg.connect(f"postgresql://crm@127.0.0.1:{port}/postgres")
    await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await connection.close()


async def main(args: argparse.Namespace) -> None:
    folder = BENCH / "agent_log"
    folder.mkdir(parents=True, exist_ok=True)
    sqlite_file = folder / "crm.db"
    for stale in folder.glob("crm.db*"):
        stale.unlink()
    url = f"sqlite+aiosqlite:///{sqlite_file}"
    await upgrade(url)
    await _measure("SQLite", url, args.agents, args.minutes)
    await _measure_report(url, args.minutes)
    size = sqlite_file.stat().st_size
    print(f"  file {size / 1e6:.1f} MB")
    await _measure_outbox(folder, args.agents)
    if args.no_postgres:
        return
    stop = _start_postgres(BENCH / "pg_agent_log", args.pg_port)
    if stop is None:
        print("PostgreSQL: binaries not installed, skipped")
        return
    try:
        await _drop_database(args.pg_port, "agent_log")  # a fresh one each run
        pg_url = await _postgres_db(args.pg_port, "agent_log")
        await upgrade(pg_url)
        await _measure("PostgreSQL", pg_url, args.agents, args.minutes)
        await _measure_report(pg_url, args.minutes)
    finally:
        subprocess.run(stop, check=False, capture_output=True)  # noqa: ASYNC221, S603


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--pg-port", type=int, default=55_434)
    parser.add_argument("--no-postgres", action="store_true")
    asyncio.run(main(parser.parse_args()))
