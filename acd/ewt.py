"""Estimated wait time (EWT): two estimators behind one small interface.

* ``HoldtimeEma`` copies Asterisk app_queue: an exponential average of the queue
  wait of answered calls, ``holdtime = (3*old + new) / 4`` seeded by the first call
  (``recalc_holdtime()``). It ignores the caller's position; Asterisk announces
  ``round((holdtime + 30 - already_waited) / 60)`` minutes (``say_position()``).
  Kept for parity with what callers of an Asterisk queue hear.
* ``position_ewt`` is the position-aware estimate: a caller at position ``k`` (``k - 1``
  ahead) needs ``k`` agents to free up; with ``n`` staffed agents each freeing one
  every AHT on average, that takes ``AHT * k / n`` (Little's law; Genesys Stat
  Server and Expertflow use the same shape).

The simulator scores both against realised waits (mean absolute error).
"""

from dataclasses import dataclass
from enum import StrEnum


class EwtMethod(StrEnum):
    """Which estimator ``AcdEngine.estimated_wait`` uses."""

    POSITION = "position"  # AHT * position / staffed
    ASTERISK = "asterisk"  # app_queue's holdtime EMA minus time already waited


DEFAULT_AHT = 180.0
"""Handle time assumed before a queue has handled any call (seconds)."""


@dataclass(slots=True)
class HoldtimeEma:
    """Asterisk's holdtime: EMA with weight 1/4 on the newest answered wait."""

    holdtime: float = 0.0
    seeded: bool = False

    def observe(self, wait: float) -> None:
        """Feed the queue wait of a call that was just answered."""
        if self.seeded:
            self.holdtime = (3.0 * self.holdtime + wait) / 4.0
        else:
            self.holdtime, self.seeded = wait, True

    def estimate(self, waited: float = 0.0) -> float:
        """Return the remaining wait Asterisk would compute (seconds, >= 0)."""
        return max(0.0, self.holdtime - waited)

    def announced_minutes(self, waited: float) -> int:
        """Return the minutes app_queue announces: round((h + 30 - waited)/60)."""
        return max(0, round((self.holdtime + 30.0 - waited) / 60.0))


def position_ewt(*, aht: float, position: int, staffed: int) -> float | None:
    """Return ``AHT * position / staffed``: the wait before ``position`` agents free up.

    Args:
        aht: average handle time of the queue (seconds).
        position: the caller's 1-based position (``ahead + 1``).
        staffed: agents logged in and not paused on the queue.

    Returns:
        Seconds, or ``None`` when nobody staffs the queue (no honest estimate).
    """
    if staffed <= 0:
        return None
    return aht * position / staffed
