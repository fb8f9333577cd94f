"""Service-level definitions, windows and the Asterisk EWT average."""

import pytest

from acd.ewt import HoldtimeEma, position_ewt
from acd.stats import Counter, SlDefinition, Windows, figures, service_level


def vector(**counts: float) -> list[float]:
    values = [0.0] * len(Counter)
    for name, value in counts.items():
        values[Counter[name.upper()]] = value
    return values


COUNTS = vector(
    offered=100,
    answered=80,
    answered_in_sl=60,
    abandoned=20,
    short_abandoned=5,
    abandoned_in_sl=8,
)


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (SlDefinition.DEFAULT, 60 / (80 + 20 - 5)),
        (SlDefinition.ASTERISK_SL, 60 / 80),
        (SlDefinition.ASTERISK_SL2, (60 + 8) / (80 + 20)),
        (SlDefinition.OFFERED, 60 / (100 - 5)),
    ],
)
def test_service_level_definitions(definition: SlDefinition, expected: float) -> None:
    assert service_level(COUNTS, definition) == pytest.approx(expected)


def test_no_calls_no_service_level() -> None:
    assert service_level(vector(), SlDefinition.DEFAULT) is None


def test_figures_asa_aht_and_abandon_rate() -> None:
    f = figures(
        vector(answered=4, wait_answered=40, talk=400, wrap=40, handled=4, abandoned=1),
        SlDefinition.DEFAULT,
    )
    assert (f.asa, f.aht, f.abandon_rate) == (10.0, 110.0, 0.2)


def test_the_rolling_window_forgets_after_fifteen_minutes() -> None:
    windows = Windows(span=900.0)
    windows.add(1_000.0, Counter.OFFERED)
    windows.add(1_500.0, Counter.OFFERED)
    windows.advance(1_901.0)
    assert windows.rolling[Counter.OFFERED] == 1
    assert windows.total[Counter.OFFERED] == 2


def test_today_restarts_at_local_midnight() -> None:
    windows = Windows(timezone="Asia/Shanghai")  # midnight = 16:00 UTC
    windows.add(1_767_600_000.0, Counter.OFFERED)  # 2026-01-05 08:00 UTC
    windows.advance(1_767_600_000.0 + 8 * 3600)  # 16:00 UTC: a new day there
    assert windows.today[Counter.OFFERED] == 0
    assert windows.total[Counter.OFFERED] == 1


def test_asterisk_holdtime_average() -> None:
    ema = HoldtimeEma()
    ema.observe(40.0)  # the first call seeds it
    ema.observe(80.0)  # (3*40 + 80) / 4
    assert ema.holdtime == 50.0
    assert ema.estimate(waited=20.0) == 30.0
    assert ema.announced_minutes(waited=0.0) == 1  # round((50 + 30) / 60)


def test_position_ewt() -> None:
    assert position_ewt(aht=300.0, position=3, staffed=10) == 90.0
    assert position_ewt(aht=300.0, position=1, staffed=0) is None
