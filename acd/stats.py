"""Queue and agent statistics: live figures and windows (15 minutes, today, total).

Definitions (see docs/ACD.md for the sources they follow):

* offered: calls that joined the queue (including those turned away at the door);
* answered: connected to an agent; *answered within T* means ``wait <= T`` (Asterisk);
* abandoned: the caller hung up while waiting; a *short abandon* waited at most
  ``short_abandon_seconds`` and is kept apart (Avaya's phantom abandons);
* delayed: calls that could not be offered at once (waited > 0): P(wait) = delayed /
  (answered + abandoned);
* service level, by ``SlDefinition``: the default is answered within T / (answered +
  abandoned - short abandons); Asterisk's SL and SL2 are available for parity;
* ASA: mean wait of answered calls; AHT: (talk + wrap-up) / handled calls, where
  talk includes hold (the PBX does not tell the ACD about hold);
* occupancy (agents): busy (ringing, talking, wrap-up) / staffed (busy + available).

Rolling windows keep their records in a deque and subtract what falls out; the day
window resets at local midnight of the configured zone; events are counted when they
happen (a talk counts at its end).
"""

from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum, StrEnum
from zoneinfo import ZoneInfo


class Counter(IntEnum):
    """Slots of a window's counter vector."""

    OFFERED = 0
    ANSWERED = 1
    ANSWERED_IN_SL = 2
    ABANDONED = 3
    SHORT_ABANDONED = 4
    ABANDONED_IN_SL = 5
    DELAYED = 6
    WAIT_ANSWERED = 7
    TALK = 8
    WRAP = 9
    HANDLED = 10
    OVERFLOWED = 11
    TURNED_AWAY = 12
    WITHDRAWN = 13
    CALLBACKS = 14
    CALLBACKS_FAILED = 15
    MAX_WAIT_ANSWERED = 16


_N = len(Counter)


class SlDefinition(StrEnum):
    """How service level is computed."""

    DEFAULT = "default"  # in T / (answered + abandoned - short abandons)
    ASTERISK_SL = "asterisk_sl"  # in T / answered
    ASTERISK_SL2 = "asterisk_sl2"  # (answered in T + abandoned in T) / (ans + ab)
    OFFERED = "offered"  # in T / (offered - short abandons)


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowFigures:
    """The figures of one window, derived from its counters."""

    offered: int
    answered: int
    answered_within_sl: int
    abandoned: int
    short_abandoned: int
    overflowed: int
    turned_away: int
    withdrawn: int
    callbacks: int
    callbacks_failed: int
    delayed: int
    service_level: float | None
    asa: float | None
    aht: float | None
    abandon_rate: float | None
    prob_wait: float | None
    max_wait_answered: float


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def service_level(c: list[float], definition: SlDefinition) -> float | None:
    """Return the service level of a counter vector under ``definition``."""
    ans, in_t = c[Counter.ANSWERED], c[Counter.ANSWERED_IN_SL]
    ab, short = c[Counter.ABANDONED], c[Counter.SHORT_ABANDONED]
    match definition:
        case SlDefinition.ASTERISK_SL:
            return _ratio(in_t, ans)
        case SlDefinition.ASTERISK_SL2:
            return _ratio(in_t + c[Counter.ABANDONED_IN_SL], ans + ab)
        case SlDefinition.OFFERED:
            return _ratio(in_t, c[Counter.OFFERED] - short)
        case _:
            return _ratio(in_t, ans + ab - short)


def figures(c: list[float], definition: SlDefinition) -> WindowFigures:
    """Turn a counter vector into figures."""
    ans, ab = c[Counter.ANSWERED], c[Counter.ABANDONED]
    return WindowFigures(
        offered=int(c[Counter.OFFERED]),
        answered=int(ans),
        answered_within_sl=int(c[Counter.ANSWERED_IN_SL]),
        abandoned=int(ab),
        short_abandoned=int(c[Counter.SHORT_ABANDONED]),
        overflowed=int(c[Counter.OVERFLOWED]),
        turned_away=int(c[Counter.TURNED_AWAY]),
        withdrawn=int(c[Counter.WITHDRAWN]),
        callbacks=int(c[Counter.CALLBACKS]),
        callbacks_failed=int(c[Counter.CALLBACKS_FAILED]),
        delayed=int(c[Counter.DELAYED]),
        service_level=service_level(c, definition),
        asa=_ratio(c[Counter.WAIT_ANSWERED], ans),
        aht=_ratio(c[Counter.TALK] + c[Counter.WRAP], c[Counter.HANDLED]),
        abandon_rate=_ratio(ab - c[Counter.SHORT_ABANDONED], ans + ab),
        prob_wait=_ratio(c[Counter.DELAYED], ans + ab),
        max_wait_answered=c[Counter.MAX_WAIT_ANSWERED],
    )


class Windows:
    """Counters over the last ``span`` seconds, since local midnight, and in total."""

    __slots__ = (
        "_next_midnight",
        "_records",
        "_zone",
        "rolling",
        "span",
        "today",
        "total",
    )

    def __init__(self, *, span: float = 900.0, timezone: str = "UTC") -> None:
        self.span = span
        self._zone = ZoneInfo(timezone)
        self.rolling = [0.0] * _N
        self.today = [0.0] * _N
        self.total = [0.0] * _N
        self._records: deque[tuple[float, int, float]] = deque()
        self._next_midnight = float("-inf")

    def add(self, now: float, counter: Counter, amount: float = 1.0) -> None:
        """Count ``amount`` on ``counter`` at ``now``."""
        self.advance(now)
        self.rolling[counter] += amount
        self.today[counter] += amount
        self.total[counter] += amount
        self._records.append((now, counter, amount))

    def peak(self, now: float, counter: Counter, value: float) -> None:
        """Raise a maximum counter (rolling maxima are kept as today's)."""
        self.advance(now)
        for vector in (self.rolling, self.today, self.total):
            vector[counter] = max(vector[counter], value)

    def advance(self, now: float) -> None:
        """Drop what left the rolling window; reset the day at local midnight."""
        if now >= self._next_midnight:
            self.today = [0.0] * _N
            self._next_midnight = _midnight_after(now, self._zone)
        records, rolling, horizon = self._records, self.rolling, now - self.span
        while records and records[0][0] <= horizon:
            _, counter, amount = records.popleft()
            rolling[counter] -= amount


def _midnight_after(now: float, zone: ZoneInfo) -> float:
    local = datetime.fromtimestamp(now, tz=UTC).astimezone(zone)
    tomorrow = (local + timedelta(days=1)).date()
    midnight = datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=zone)
    return midnight.timestamp()


class AgentTimes:
    """Seconds an agent spent per state and per pause reason, today and in total.

    A stretch is counted when it ends, in the day it ends (the live stretch is added
    by ``acd.views`` at query time).
    """

    __slots__ = (
        "_next_midnight",
        "_zone",
        "pause_today",
        "pause_total",
        "today",
        "total",
    )

    def __init__(self, *, timezone: str = "UTC") -> None:
        self._zone = ZoneInfo(timezone)
        self._next_midnight = float("-inf")
        self.today: dict[str, float] = {}
        self.total: dict[str, float] = {}
        self.pause_today: dict[str, float] = {}
        self.pause_total: dict[str, float] = {}

    def add(self, now: float, state: str, reason: str, seconds: float) -> None:
        """Count a finished stretch in ``state`` (``reason`` when paused)."""
        if now >= self._next_midnight:
            self.today, self.pause_today = {}, {}
            self._next_midnight = _midnight_after(now, self._zone)
        self.today[state] = self.today.get(state, 0.0) + seconds
        self.total[state] = self.total.get(state, 0.0) + seconds
        if reason:
            self.pause_today[reason] = self.pause_today.get(reason, 0.0) + seconds
            self.pause_total[reason] = self.pause_total.get(reason, 0.0) + seconds
