"""Agent time in historical reports: occupancy, and time per state and pause reason.

Pure arithmetic over the stored agent state intervals (``crm_link.reporting``), so
the figures can be recomputed independently in tests. Definitions follow the ACD's
live ones (``acd.stats``, ``acd.agent_state.BUSY`` and ``STAFFED``):

* staffed: logged in and not paused, i.e. available, ringing, on call or wrap-up;
* busy: ringing, on call or wrap-up (the agent is taken by a call);
* occupancy = busy / staffed; paused time counts in neither (``None`` when the
  group was never staffed in the interval).

A stretch counts in each interval it overlaps, cut at the interval's boundaries
(local time of the configured zone) and at the period's bounds. Occupancy of the
whole center sums busy and staffed seconds over agents before dividing.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from callcenter.web.reports import GroupBy, Interval, bucket
from crm_link.reporting import AgentIntervalFact

BUSY = frozenset({"ringing", "on_call", "wrap_up"})
"""States in the occupancy numerator (as ``acd.agent_state.BUSY``)."""
STAFFED = BUSY | {"available"}
"""States in the occupancy denominator (as ``acd.agent_state.STAFFED``)."""
_STEP = {Interval.QUARTER: 900.0, Interval.HOUR: 3600.0}


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentTime:
    """Busy and staffed seconds of one group over one interval."""

    busy: float
    staffed: float

    @property
    def occupancy(self) -> float | None:
        """Return busy / staffed, or ``None`` when never staffed."""
        return self.busy / self.staffed if self.staffed > 0 else None


@dataclass(frozen=True, slots=True, kw_only=True)
class StateTimeRow:
    """Seconds one agent spent in one state (and pause reason) over one interval.

    ``share`` is the part of the agent's logged-in time in the interval.
    """

    interval_start: str
    agent: str
    state: str
    reason: str
    seconds: float
    share: float


def next_start(first: datetime, interval: Interval, zone: ZoneInfo) -> datetime:
    """Return the start of the interval after the one starting at ``first``."""
    if interval == Interval.DAY:
        day = first.date() + timedelta(days=1)
        return datetime(day.year, day.month, day.day, tzinfo=zone)
    return datetime.fromtimestamp(first.timestamp() + _STEP[interval], tz=zone)


def pieces(
    facts: Iterable[AgentIntervalFact],
    *,
    interval: Interval,
    zone: ZoneInfo,
    start: float,
    end: float,
) -> Iterator[tuple[datetime, AgentIntervalFact, float]]:
    """Yield (interval start, stretch, seconds) for each part inside the period."""
    for fact in facts:
        at, stop = max(fact.started_at, start), min(fact.ended_at, end)
        while at < stop:
            first = bucket(at, interval, zone)
            cut = min(stop, next_start(first, interval, zone).timestamp())
            yield first, fact, cut - at
            at = cut


def agent_time(
    facts: Iterable[AgentIntervalFact],
    *,
    group_by: GroupBy,
    interval: Interval,
    zone: ZoneInfo,
    start: float,
    end: float,
) -> dict[tuple[datetime, str], AgentTime]:
    """Return busy and staffed seconds per (interval, agent or ``all``).

    Empty when grouping by queue: an agent's time is not one queue's.
    """
    if group_by == GroupBy.QUEUE:
        return {}
    busy: dict[tuple[datetime, str], float] = defaultdict(float)
    staffed: dict[tuple[datetime, str], float] = defaultdict(float)
    chunks = pieces(facts, interval=interval, zone=zone, start=start, end=end)
    for first, fact, seconds in chunks:
        if fact.state not in STAFFED:
            continue
        key = first, fact.agent_id if group_by == GroupBy.AGENT else "all"
        staffed[key] += seconds
        busy[key] += seconds if fact.state in BUSY else 0.0
    return {key: AgentTime(busy=busy[key], staffed=staffed[key]) for key in staffed}


def state_time_report(
    facts: Iterable[AgentIntervalFact],
    *,
    interval: Interval,
    zone: ZoneInfo,
    start: float,
    end: float,
) -> list[StateTimeRow]:
    """Return seconds per (interval, agent, state, pause reason), in that order."""
    seconds: dict[tuple[datetime, str, str, str], float] = defaultdict(float)
    logged_in: dict[tuple[datetime, str], float] = defaultdict(float)
    chunks = pieces(facts, interval=interval, zone=zone, start=start, end=end)
    for first, fact, part in chunks:
        seconds[first, fact.agent_id, fact.state, fact.reason] += part
        logged_in[first, fact.agent_id] += part
    return [
        StateTimeRow(
            interval_start=first.isoformat(),
            agent=agent,
            state=state,
            reason=reason,
            seconds=part,
            share=part / logged_in[first, agent],
        )
        for (first, agent, state, reason), part in sorted(seconds.items())
    ]


def occupancy_by(
    facts: Iterable[AgentIntervalFact],
    *,
    group_by: GroupBy,
    interval: Interval,
    zone: ZoneInfo,
    start: float,
    end: float,
) -> dict[tuple[datetime, str], float | None]:
    """Return occupancy per (interval, group): the ``occupancy`` of ``call_report``."""
    times = agent_time(
        facts, group_by=group_by, interval=interval, zone=zone, start=start, end=end
    )
    return {key: time.occupancy for key, time in times.items()}
