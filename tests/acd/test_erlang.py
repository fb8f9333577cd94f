"""Erlang formulas against an independent exact implementation and known figures."""

import math
from fractions import Fraction

import pytest

from acd import erlang


def exact_erlang_c(traffic: Fraction, agents: int) -> Fraction:
    """The textbook formula with exact factorial sums (no recurrence)."""
    top = (
        traffic**agents / math.factorial(agents) * Fraction(agents) / (agents - traffic)
    )
    bottom = sum(traffic**k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


@pytest.mark.parametrize(
    ("calls_per_hour", "aht", "agents"),
    [(100, 180, 6), (300, 240, 25), (720, 240, 55), (50, 600, 10), (1000, 300, 90)],
)
def test_erlang_c_matches_the_factorial_formula(
    calls_per_hour: int, aht: int, agents: int
) -> None:
    traffic = Fraction(calls_per_hour * aht, 3600)
    expected = float(exact_erlang_c(traffic, agents))
    assert erlang.erlang_c(float(traffic), agents) == pytest.approx(expected, rel=1e-9)


def test_staffing_matches_an_exact_search() -> None:
    for calls_per_hour, aht in ((300, 240), (120, 300), (1500, 200)):
        traffic = Fraction(calls_per_hour * aht, 3600)
        n = math.floor(traffic) + 1
        while (
            1
            - float(exact_erlang_c(traffic, n))
            * math.exp(-(n - float(traffic)) * 20 / aht)
        ) < 0.8:
            n += 1
        assert (
            erlang.agents_needed(
                calls_per_hour=calls_per_hour, aht=aht, sl_target=0.8, sl_seconds=20
            )
            == n
        )


def test_the_call_centre_helper_worked_example() -> None:
    # 100 calls per 30 min, AHT 180 s, 80/20: 14 agents, P(wait) ~ 0.17, SL ~ 0.89.
    traffic = erlang.traffic_of(200, 180)
    assert traffic == pytest.approx(10.0)
    assert (
        erlang.agents_needed(calls_per_hour=200, aht=180, sl_target=0.8, sl_seconds=20)
        == 14
    )
    assert erlang.service_level(traffic, 13, 180, 20) < 0.8
    assert erlang.erlang_c(traffic, 14) == pytest.approx(0.1741, abs=1e-3)
    assert erlang.service_level(traffic, 14, 180, 20) == pytest.approx(0.8883, abs=1e-3)


def test_large_centers_stay_finite_and_monotone() -> None:
    traffic = 4_800.0
    previous = 1.0
    for agents in (4_801, 4_850, 4_900, 5_000):
        value = erlang.erlang_c(traffic, agents)
        assert 0.0 <= value <= previous
        previous = value
    assert erlang.erlang_c(traffic, 4_800) == 1.0  # unstable


def test_occupancy_cap_adds_agents() -> None:
    plain = erlang.agents_needed(
        calls_per_hour=300, aht=240, sl_target=0.8, sl_seconds=20
    )
    capped = erlang.agents_needed(
        calls_per_hour=300, aht=240, sl_target=0.8, sl_seconds=20, max_occupancy=0.75
    )
    assert capped == 27 > plain


def test_erlang_a_tends_to_erlang_c_with_endless_patience() -> None:
    a = erlang.erlang_a(calls_per_hour=300, aht=240, patience=1e9, agents=25)
    assert a.prob_wait == pytest.approx(erlang.erlang_c(20.0, 25), abs=1e-4)
    assert a.mean_wait == pytest.approx(
        erlang.average_speed_of_answer(20.0, 25, 240), rel=1e-3
    )


def test_erlang_a_abandonment_lowers_waiting_and_is_stable_when_overloaded() -> None:
    a = erlang.erlang_a(calls_per_hour=300, aht=240, patience=120, agents=22)
    c = erlang.erlang_c(20.0, 22)
    assert a.prob_wait < c
    assert 0 < a.prob_abandon < a.prob_wait
    over = erlang.erlang_a(calls_per_hour=600, aht=240, patience=60, agents=20)
    assert 0.4 < over.prob_abandon < 1.0
    assert over.occupancy == pytest.approx(1 - 0.0, abs=0.05)
