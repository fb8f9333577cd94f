"""Agent time in reports: stretches cut at interval boundaries, occupancy as the ACD's."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from acd.agent_state import BUSY as ACD_BUSY
from acd.agent_state import STAFFED as ACD_STAFFED
from callcenter.web.reports import GroupBy, Interval, bucket, period
from callcenter.web.reports_agents import (
    BUSY,
    STAFFED,
    agent_time,
    occupancy_by,
    pieces,
    state_time_report,
)
from crm_link.reporting import AgentIntervalFact
from tests.callcenter.web.conftest import SUP, MemoryReports, WebClient

UTC = ZoneInfo("UTC")
DAY0 = 1_767_571_200.0  # 2026-01-05 00:00 UTC
H = 3600.0


def stretch(
    agent: str, state: str, start: float, end: float, reason: str = ""
) -> AgentIntervalFact:
    return AgentIntervalFact(agent_id=agent, state=state, reason=reason,
                             started_at=DAY0 + start, ended_at=DAY0 + end)  # fmt: skip


def test_busy_and_staffed_states_are_the_acds() -> None:
    assert {s.value for s in ACD_BUSY} == BUSY
    assert {s.value for s in ACD_STAFFED} == STAFFED


def test_a_stretch_across_hours_is_cut_at_each_boundary() -> None:
    facts = [stretch("1001", "on_call", 0.5 * H, 2.25 * H)]
    cut = [(first.hour, seconds) for first, _, seconds in pieces(
        facts, interval=Interval.HOUR, zone=UTC, start=DAY0, end=DAY0 + 86400
    )]  # fmt: skip
    assert cut == [(0, 0.5 * H), (1, H), (2, 0.25 * H)]


def test_a_stretch_is_clipped_to_the_period() -> None:
    facts = [stretch("1001", "available", -2 * H, 0.5 * H)]
    cut = list(pieces(facts, interval=Interval.DAY, zone=UTC, start=DAY0,
                      end=DAY0 + 86400))  # fmt: skip
    assert [seconds for _, _, seconds in cut] == [0.5 * H]


def test_local_days_are_cut_at_local_midnight_even_across_dst() -> None:
    paris = ZoneInfo("Europe/Paris")
    start, end = period(date(2026, 3, 28), date(2026, 3, 29), paris)
    facts = [AgentIntervalFact(agent_id="1001", state="available", reason="",
                               started_at=start, ended_at=end)]  # fmt: skip
    days = [(first.day, seconds) for first, _, seconds in pieces(
        facts, interval=Interval.DAY, zone=paris, start=start, end=end
    )]  # fmt: skip
    assert days == [(28, 86400.0), (29, 23 * H)]  # spring forward: a 23-hour day


def test_occupancy_is_busy_over_staffed_and_ignores_pauses() -> None:
    facts = [
        stretch("1001", "available", 0, 600),
        stretch("1001", "ringing", 600, 610),
        stretch("1001", "on_call", 610, 1810),
        stretch("1001", "wrap_up", 1810, 1870),
        stretch("1001", "paused", 1870, 3600, reason="lunch"),
        stretch("1002", "available", 0, 3600),
    ]
    times = agent_time(facts, group_by=GroupBy.AGENT, interval=Interval.HOUR,
                       zone=UTC, start=DAY0, end=DAY0 + H)  # fmt: skip
    hour = bucket(DAY0, Interval.HOUR, UTC)
    assert times[hour, "1001"].busy == 1270
    assert times[hour, "1001"].staffed == 1870
    assert times[hour, "1001"].occupancy == pytest.approx(1270 / 1870)
    assert times[hour, "1002"].occupancy == 0.0
    center = occupancy_by(facts, group_by=GroupBy.CENTER, interval=Interval.HOUR,
                          zone=UTC, start=DAY0, end=DAY0 + H)  # fmt: skip
    assert center == {(hour, "all"): pytest.approx(1270 / (1870 + 3600))}
    by_queue = occupancy_by(facts, group_by=GroupBy.QUEUE, interval=Interval.HOUR,
                            zone=UTC, start=DAY0, end=DAY0 + H)  # fmt: skip
    assert by_queue == {}


def test_an_agent_paused_all_interval_has_no_occupancy() -> None:
    facts = [stretch("1001", "paused", 0, H, reason="training")]
    times = agent_time(facts, group_by=GroupBy.AGENT, interval=Interval.HOUR,
                       zone=UTC, start=DAY0, end=DAY0 + H)  # fmt: skip
    assert times == {}


def test_time_per_state_and_pause_reason_adds_up_to_logged_in_time() -> None:
    facts = [
        stretch("1001", "available", 0, 1000),
        stretch("1001", "paused", 1000, 1500, reason="break"),
        stretch("1001", "paused", 1500, 4000, reason="lunch"),
        stretch("1001", "on_call", 4000, 5000),
    ]
    rows = state_time_report(facts, interval=Interval.HOUR, zone=UTC, start=DAY0,
                             end=DAY0 + 86400)  # fmt: skip
    first = [(r.state, r.reason, r.seconds) for r in rows if r.interval_start.endswith(
        "T00:00:00+00:00")]  # fmt: skip
    assert first == [("available", "", 1000), ("paused", "break", 500),
                     ("paused", "lunch", 2100)]  # fmt: skip
    second = [(r.state, r.reason, r.seconds, r.share) for r in rows
              if r.interval_start.endswith("T01:00:00+00:00")]  # fmt: skip
    assert second == [("on_call", "", 1000, 1000 / 1400),
                      ("paused", "lunch", 400, 400 / 1400)]  # fmt: skip
    assert sum(r.seconds for r in rows) == 5000


async def test_the_web_reports_read_the_stored_stretches(
    client: WebClient, reports: MemoryReports
) -> None:
    reports.stretches += [
        stretch("1001", "available", 9 * H, 9.5 * H),
        stretch("1001", "wrap_up", 9.5 * H, 10 * H),
    ]
    query = "from=2026-01-05&to=2026-01-05"
    response = await client.get(f"/api/v1/reports/calls?{query}&by=agent", headers=SUP)
    assert response.status == 200
    (row,) = (await response.json())["rows"]
    assert (row["group"], row["offered"], row["occupancy"]) == ("1001", 0, 0.5)
    response = await client.get(
        f"/api/v1/reports/agent-states?{query}&interval=hour&format=csv", headers=SUP
    )
    assert response.status == 200
    lines = (await response.text()).splitlines()
    assert lines[0] == "interval_start,agent,state,reason,seconds,share"
    assert lines[1:] == [
        "2026-01-05T09:00:00+00:00,1001,available,,1800,0.5",
        "2026-01-05T09:00:00+00:00,1001,wrap_up,,1800,0.5",
    ]
