"""Opening hours with holidays, evaluated at a given instant (pure, no clock).

A calendar is a week of opening intervals in a named time zone, plus holidays (closed
all day) and special days (their own intervals, e.g. a short Christmas Eve). The
instant comes in as POSIX seconds and is turned into local wall time with
``zoneinfo``, so daylight-saving changes are handled by the tz database.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

Interval = tuple[time, time]
"""An opening interval ``[start, end)`` in local wall time; ``end`` 00:00 = midnight."""


def _parse(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _contains(interval: Interval, moment: time) -> bool:
    start, end = interval
    if end == time(0, 0):
        return moment >= start
    return start <= moment < end


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessHours:
    """When a queue is open.

    Attributes:
        timezone: IANA zone name, e.g. ``"Europe/Paris"``.
        weekly: weekday (0 = Monday) to opening intervals; missing days are closed.
        holidays: dates closed all day (local dates).
        special: dates with their own intervals, winning over ``weekly``.
    """

    timezone: str
    weekly: Mapping[int, tuple[Interval, ...]]
    holidays: frozenset[date] = frozenset()
    special: Mapping[date, tuple[Interval, ...]] = field(default_factory=dict)

    @classmethod
    def office(
        cls,
        timezone: str,
        opens: str,
        closes: str,
        *,
        days: Iterable[int] = range(5),
        holidays: Iterable[date] = (),
    ) -> "BusinessHours":
        """Build the common case: the same hours on the given weekdays.

        Args:
            timezone: IANA zone name.
            opens: local opening time ``"HH:MM"``.
            closes: local closing time ``"HH:MM"`` (``"00:00"`` = midnight).
            days: weekdays open, 0 = Monday (default Monday to Friday).
            holidays: local dates closed all day.
        """
        interval = ((_parse(opens), _parse(closes)),)
        return cls(
            timezone=timezone,
            weekly=dict.fromkeys(days, interval),
            holidays=frozenset(holidays),
        )

    def local(self, now: float) -> datetime:
        """Return ``now`` as an aware datetime in the calendar's zone."""
        return datetime.fromtimestamp(now, tz=UTC).astimezone(ZoneInfo(self.timezone))

    def is_open(self, now: float) -> bool:
        """Return whether the queue is open at ``now`` (POSIX seconds)."""
        moment = self.local(now)
        day = moment.date()
        if day in self.holidays:
            return False
        intervals = self.special.get(day, self.weekly.get(day.weekday(), ()))
        wall = moment.time().replace(tzinfo=None)
        return any(_contains(interval, wall) for interval in intervals)
