"""A circuit breaker (pure: the caller passes ``now``, monotonic seconds).

Closed: calls go through; ``failure_threshold`` failures in a row open it.
Open: calls are refused at once for ``reset_after`` seconds, so a dead external
system costs the screen pop nothing. Half-open: one trial call is let through; its
success closes the breaker, its failure opens it again.
"""

from enum import StrEnum


class BreakerState(StrEnum):
    """Where the breaker stands."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Count consecutive failures and refuse calls while the far side is down."""

    def __init__(
        self, *, failure_threshold: int = 5, reset_after: float = 30.0
    ) -> None:
        """Open after ``failure_threshold`` failures; retry after ``reset_after`` s."""
        self._threshold = failure_threshold
        self._reset_after = reset_after
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    def state(self, now: float) -> BreakerState:
        """Return the state at ``now``."""
        if self._opened_at is None:
            return BreakerState.CLOSED
        if now - self._opened_at >= self._reset_after:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self, now: float) -> bool:
        """Return whether a call may go out now (claims the half-open trial)."""
        match self.state(now):
            case BreakerState.CLOSED:
                return True
            case BreakerState.OPEN:
                return False
            case BreakerState.HALF_OPEN:
                if self._trial_running:
                    return False
                self._trial_running = True
                return True

    def record_success(self) -> None:
        """Close the breaker: the far side answered."""
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def record_failure(self, now: float) -> None:
        """Count a failure; open (or re-open) the breaker at the threshold."""
        self._failures += 1
        if self._trial_running or self._failures >= self._threshold:
            self._opened_at = now
        self._trial_running = False
