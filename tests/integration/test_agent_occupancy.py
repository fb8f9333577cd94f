"""Two hours of simulated traffic in virtual time leave agent stretches in the CRM.

The report's occupancy, read back from the database, equals the ACD's own live
figure for the same day, and an independent fold over the published
``AgentStateChanged`` events per hour. A run that crashes after an hour has lost at
most the last minute of each agent's time (the checkpoints).
"""

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from callcenter.center import make_call_center
from callcenter.clock import VirtualClock
from callcenter.core.services import InMemoryServices
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId
from callcenter.settings import load_settings
from callcenter.web.reports import GroupBy, Interval, call_report, period
from callcenter.web.reports_agents import occupancy_by
from crm_link.agent_log import CHECKPOINT_SECONDS, AgentStateLog
from crm_link.migrate import upgrade
from crm_link.reporting import ReportingReader
from crm_link.service import CrmService

BUSY = {ev.AgentState.RINGING, ev.AgentState.ON_CALL, ev.AgentState.WRAP_UP}


def fold_by_hour(
    changes: list[ev.AgentStateChanged], stop: float
) -> dict[tuple[float, str], tuple[float, float]]:
    """Busy and staffed seconds per (UTC hour, agent), straight from the events."""
    totals: dict[tuple[float, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    by_agent: dict[str, list[ev.AgentStateChanged]] = defaultdict(list)
    for change in changes:
        by_agent[change.agent_id].append(change)
    for agent, seen in by_agent.items():
        ends = [c.at for c in seen[1:]] + [stop]
        for change, end in zip(seen, ends, strict=True):
            if change.state in {ev.AgentState.PAUSED, ev.AgentState.LOGGED_OUT}:
                continue
            at = change.at
            while at < end:
                hour = at - at % 3600
                part = min(end, hour + 3600) - at
                totals[hour, agent][1] += part
                totals[hour, agent][0] += part if change.state in BUSY else 0.0
                at += part
    return {key: (busy, staffed) for key, (busy, staffed) in totals.items()}


async def test_virtual_time_run_persists_states_and_reports_occupancy(
    tmp_path: Path,
) -> None:
    settings = load_settings(
        overrides={
            "general": {"timezone": "UTC", "data_dir": str(tmp_path)},
            "simulation": {"seed": 9, "calls_per_hour": 300},
        },
        environ={},
    )
    url = f"sqlite+aiosqlite:///{tmp_path / 'crm.db'}"
    await upgrade(url)
    crm = CrmService.from_url(url, outbox_path=tmp_path / "outbox.jsonl")
    clock = VirtualClock()
    center = make_call_center(settings, clock=clock, services=InMemoryServices())
    log = AgentStateLog(crm.record_agent_intervals)
    center.bus.add_listener(log)
    changes: list[ev.AgentStateChanged] = []
    center.bus.add_listener(
        lambda e: changes.append(e) if isinstance(e, ev.AgentStateChanged) else None
    )
    await center.pbx.start()
    center.log_in_simulated_agents()
    await center.runtime.run(until=clock.now() + 2 * 3600)
    stop = clock.now()
    live = {v.agent_id: v.occupancy for v in center.switchboard.acd.agents(stop)}
    await log.aclose(stop)
    await center.pbx.close()
    await crm.aclose()
    assert log.failed == 0
    assert log.written > 100
    assert not (tmp_path / "outbox.jsonl").exists()

    day = datetime.fromtimestamp(stop, tz=UTC).date()
    start, end = period(day, day, ZoneInfo("UTC"))
    reader = ReportingReader.from_url(url)
    stretches = await reader.agent_intervals(start, end)
    calls = await reader.interactions(start, end)  # none: InMemoryServices kept them
    await reader.aclose()
    assert len(stretches) < log.written  # a row is written again at checkpoints
    assert len(stretches) <= len(changes)  # but stays one row per stretch

    def report(interval: Interval) -> dict[tuple[str, str], float | None]:
        rows = call_report(
            calls, group_by=GroupBy.AGENT, interval=interval, zone=ZoneInfo("UTC"),
            sl_seconds={}, occupancy=occupancy_by(
                stretches, group_by=GroupBy.AGENT, interval=interval,
                zone=ZoneInfo("UTC"), start=start, end=end,
            ),
        )  # fmt: skip
        return {(r.interval_start, r.group): r.occupancy for r in rows}

    daily = report(Interval.DAY)
    assert {agent for _, agent in daily} == set(live)
    for (_, agent), occupancy in daily.items():
        assert occupancy is not None
        assert 0.0 < occupancy <= 1.0
        assert occupancy == pytest.approx(live[AgentId(agent)])  # the ACD's live figure
    hourly = report(Interval.HOUR)
    expected = fold_by_hour(changes, stop)
    assert len(hourly) == len(expected) >= 2 * len(live)
    for (first, agent), occupancy in hourly.items():
        busy, staffed = expected[datetime.fromisoformat(first).timestamp(), agent]
        assert occupancy == pytest.approx(busy / staffed)
        assert occupancy is not None
        assert 0.0 <= occupancy <= 1.0


def seconds_until(
    changes: list[ev.AgentStateChanged], until: float
) -> dict[str, float]:
    """Logged-in seconds per agent up to ``until``, straight from the events."""
    totals: dict[str, float] = defaultdict(float)
    opened: dict[str, float] = {}
    for change in changes:
        if change.at >= until:
            break
        if change.agent_id in opened:
            totals[change.agent_id] += change.at - opened.pop(change.agent_id)
        if change.state != ev.AgentState.LOGGED_OUT:
            opened[change.agent_id] = change.at
    for agent, at in opened.items():
        totals[agent] += until - at
    return dict(totals)


async def test_a_crash_after_an_hour_loses_at_most_a_checkpoint_period(
    tmp_path: Path,
) -> None:
    settings = load_settings(
        overrides={
            "general": {"timezone": "UTC", "data_dir": str(tmp_path)},
            "simulation": {"seed": 4, "calls_per_hour": 30},  # long idle stretches
        },
        environ={},
    )
    url = f"sqlite+aiosqlite:///{tmp_path / 'crm.db'}"
    await upgrade(url)
    crm = CrmService.from_url(url, outbox_path=tmp_path / "outbox.jsonl")
    clock = VirtualClock()
    center = make_call_center(settings, clock=clock, services=InMemoryServices())
    log = AgentStateLog(crm.record_agent_intervals)
    center.bus.add_listener(log)
    log.start(clock)  # a no-op in virtual time: below, the test plays the clock
    changes: list[ev.AgentStateChanged] = []
    center.bus.add_listener(
        lambda e: changes.append(e) if isinstance(e, ev.AgentStateChanged) else None
    )
    await center.pbx.start()
    center.log_in_simulated_agents()
    start = clock.now()
    for minute in range(1, 61):
        await center.runtime.run(until=start + minute * CHECKPOINT_SECONDS)
        log.checkpoint(clock.now())  # what the wall clock does in real time
    crash = start + 3600 + 41
    await center.runtime.run(until=crash)
    await log.flush()  # the 09:00 checkpoint's write is long done by 09:00:41
    await center.pbx.close()
    await crm.aclose()  # and the log is dropped without aclose: a crash

    reader = ReportingReader.from_url(url)
    stretches = await reader.agent_intervals(start, crash + 3600)
    await reader.aclose()
    stored: dict[str, float] = defaultdict(float)
    for stretch in stretches:
        stored[stretch.agent_id] += stretch.ended_at - stretch.started_at
    checkpoint = start + 3600
    truth = seconds_until(changes, crash)
    assert len(truth) == len(settings.agents) >= 2
    assert sum(truth.values()) > 0.9 * 3600 * len(truth)  # logged in all along
    last_change: dict[str, float] = {c.agent_id: c.at for c in changes if c.at < crash}
    for agent, seconds in truth.items():
        lost = seconds - stored[agent]
        # only the stretch open at the crash, since 09:00 or its later start
        assert lost == pytest.approx(crash - max(checkpoint, last_change[agent]))
        assert 0 < lost <= CHECKPOINT_SECONDS
