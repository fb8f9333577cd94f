"""Models of simulated callers and agents: seeded, so runs are reproducible.

Arrivals are a Poisson process (exponential gaps), optionally shaped through the day
by an hourly profile; patience and handle times are drawn per call. All randomness
comes from one ``random.Random`` seeded from the configuration.
"""

import math
import random
from dataclasses import dataclass

from callcenter.settings import SimulationSettings

# Relative call volume per hour of day for a hotel or travel agency: quiet at night,
# a morning peak, a lunch dip and an evening shoulder. Mean of the profile is 1.
_RAW_PROFILE = (
    0.1, 0.05, 0.05, 0.05, 0.1, 0.2, 0.5, 1.0, 1.6, 1.9, 1.8, 1.5,
    1.2, 1.4, 1.6, 1.5, 1.3, 1.2, 1.1, 1.0, 0.8, 0.5, 0.3, 0.2,
)  # fmt: skip
DAILY_PROFILE = tuple(v * 24 / sum(_RAW_PROFILE) for v in _RAW_PROFILE)

KNOWN_CALLER_SHARE = 0.5
HANG_UP_DURING_TALK = 0.02
CALLBACK_PICKUP = 0.85

DEMO_NUMBERS = (
    "+8613800138000",
    "+8613900139000",
    "+8613700137000",
    "+442079460958",
    "+8613600136000",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CallerProfile:
    """What one simulated caller will do."""

    number: str
    patience: float
    hangs_up_during_talk: bool
    wants_callback: bool


class TrafficModel:
    """Draws arrivals, callers, key presses and agent behaviour."""

    def __init__(
        self,
        settings: SimulationSettings,
        *,
        known_numbers: tuple[str, ...] = DEMO_NUMBERS,
    ) -> None:
        """Seed the generator from the settings."""
        self._settings = settings
        self._rng = random.Random(settings.seed)
        self._known = known_numbers

    def next_arrival(self, now: float) -> float:
        """Return the instant of the next call arrival after ``now``."""
        rate = self._settings.calls_per_hour / 3600.0
        if self._settings.daily_profile:
            hour = int((now % 86400) // 3600)
            rate *= DAILY_PROFILE[hour]
        return now + self._rng.expovariate(max(rate, 1e-9))

    def caller(self) -> CallerProfile:
        """Draw a caller: a known customer's number about half of the time."""
        rng = self._rng
        if self._known and rng.random() < KNOWN_CALLER_SHARE:
            number = rng.choice(self._known)
        else:
            number = f"+86139{rng.randrange(10**8):08d}"
        return CallerProfile(
            number=number,
            patience=rng.expovariate(1.0 / self._settings.patience_seconds),
            hangs_up_during_talk=rng.random() < HANG_UP_DURING_TALK,
            wants_callback=rng.random() < self._settings.callback_probability,
        )

    def digits(self, max_digits: int) -> str:
        """Draw what a caller keys: a menu choice, or a number of that length."""
        rng = self._rng
        if max_digits <= 1:
            return rng.choices("12341", weights=(40, 30, 20, 5, 5))[0]
        return "".join(str(rng.randrange(10)) for _ in range(max_digits))

    def think_time(self) -> float:
        """Seconds a caller takes to key a choice."""
        return self._rng.uniform(0.5, 3.0)

    def message_seconds(self, max_seconds: float) -> float:
        """Seconds a caller speaks into voicemail (a few, up to ``max_seconds``)."""
        return round(self._rng.uniform(min(5.0, max_seconds), max_seconds), 1)

    def answer_delay(self) -> float | None:
        """Seconds until a simulated agent answers, or ``None`` when they miss it."""
        if self._rng.random() < self._settings.no_answer_probability:
            return None
        low, high = self._settings.answer_delay_seconds
        return self._rng.uniform(low, max(low, high))

    def handle_time(self) -> float:
        """Draw a talk time around the configured mean."""
        mean = self._settings.handle_time_seconds
        if self._settings.handle_time_distribution == "exponential":
            return self._rng.expovariate(1.0 / mean)
        sigma = 0.6
        return self._rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)

    def callback_answered(self) -> bool:
        """Whether a called-back customer picks up."""
        return self._rng.random() < CALLBACK_PICKUP

    def chance(self, probability: float) -> bool:
        """Return True with the given probability."""
        return self._rng.random() < probability
