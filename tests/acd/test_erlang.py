"""Erlang formulas against an independent exact implementation and known figures."""

import math
from fractions import Fraction
from functools import partial

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


def reference_erlang_a_service_level(
    *, calls_per_hour: float, aht: float, patience: float, agents: int, target: float
) -> float:
    """An independent computation: stationary law by products, tagged caller by
    uniformization of their own chain (j ahead, served, abandoned)."""
    lam, mu, theta = calls_per_hour / 3600, 1 / aht, 1 / patience
    weights = [1.0]
    for n in range(1, agents + 400):
        weights.append(
            weights[-1] * lam / (min(n, agents) * mu + max(0, n - agents) * theta)
        )
    total = sum(weights)
    answered = sum(weights[:agents]) / total
    for k, weight in enumerate(weights[agents:]):
        if weight / total < 1e-18:
            break
        rate = agents * mu + (k + 1) * theta  # the fastest stage: uniformization rate
        ahead = [0.0] * k + [1.0]  # ahead[j]: P(j callers ahead, still waiting)
        served, within = 0.0, 0.0
        poisson = math.exp(-rate * target)
        steps = int(rate * target + 12 * math.sqrt(rate * target) + 30)
        for n in range(steps):
            within += poisson * served
            poisson *= rate * target / (n + 1)
            moves = [(agents * mu + j * theta) / rate * p for j, p in enumerate(ahead)]
            served += moves[0]
            ahead = [
                p * (1 - (agents * mu + (j + 1) * theta) / rate)
                + (moves[j + 1] if j + 1 <= k else 0.0)
                for j, p in enumerate(ahead)
            ]
        answered += weight / total * within
    return answered


@pytest.mark.parametrize(
    ("calls_per_hour", "aht", "patience", "agents", "target"),
    [(150, 60, 45, 3, 20), (240, 60, 30, 3, 10), (100, 180, 300, 6, 30)],
)
def test_erlang_a_service_level_matches_an_independent_computation(
    calls_per_hour: int, aht: int, patience: int, agents: int, target: int
) -> None:
    figures = {
        "calls_per_hour": calls_per_hour,
        "aht": aht,
        "patience": patience,
        "agents": agents,
        "target": target,
    }
    assert erlang.erlang_a_service_level(**figures) == pytest.approx(
        reference_erlang_a_service_level(**figures), abs=1e-9
    )


@pytest.mark.parametrize(
    ("calls_per_hour", "aht", "agents", "target"),
    [(300, 240, 25, 20), (200, 180, 14, 20), (180, 60, 4, 20), (4800, 300, 420, 15)],
)
def test_erlang_a_service_level_tends_to_erlang_c_with_endless_patience(
    calls_per_hour: int, aht: int, agents: int, target: int
) -> None:
    traffic = erlang.traffic_of(calls_per_hour, aht)
    endless = erlang.erlang_a_service_level(
        calls_per_hour=calls_per_hour,
        aht=aht,
        patience=1e9,
        agents=agents,
        target=target,
    )
    expected = erlang.service_level(traffic, agents, aht, target)
    assert endless == pytest.approx(expected, abs=1e-5)


def test_erlang_a_service_level_runs_from_no_wait_to_no_abandon() -> None:
    figures = {"calls_per_hour": 220, "aht": 60, "patience": 60, "agents": 4}
    a = erlang.erlang_a(**figures)
    at_once = erlang.erlang_a_service_level(**figures, target=0)
    eventually = erlang.erlang_a_service_level(**figures, target=100_000)
    assert at_once == pytest.approx(1 - a.prob_wait, abs=1e-12)
    assert eventually == pytest.approx(1 - a.prob_abandon, abs=1e-12)


def test_erlang_a_service_level_grows_with_the_target_and_the_agents() -> None:
    def sl(agents: int, target: float) -> float:
        return erlang.erlang_a_service_level(
            calls_per_hour=600, aht=240, patience=90, agents=agents, target=target
        )

    # 40 erlangs: from badly overloaded (20 agents) to overstaffed (60).
    for agents in (20, 35, 40, 45, 60):
        by_target = [sl(agents, t) for t in (0, 5, 10, 20, 30, 60, 120, 600)]
        assert all(0.0 <= v <= 1.0 for v in by_target)
        assert by_target == sorted(by_target)
        assert by_target[0] < by_target[-1]
    by_agents = [sl(n, 20) for n in range(10, 70, 5)]
    assert all(0.0 <= v <= 1.0 for v in by_agents)
    assert by_agents == sorted(by_agents)
    assert by_agents[0] < 0.05
    assert by_agents[-1] > 0.95


@pytest.mark.parametrize(
    ("calls_per_hour", "patience", "agents", "match"),
    [
        (600.0, math.inf, 10, "positive finite patience"),
        (600.0, 0.0, 10, "positive finite patience"),
        (600.0, 60.0, 0, "positive finite agents"),
        (-1.0, 60.0, 10, "positive finite calls_per_hour"),
        (3600.0, 1e9, 10, "grows without bound"),  # 60 erlangs, 10 agents
    ],
)
def test_erlang_a_refuses_what_has_no_answer_rather_than_hanging(
    calls_per_hour: float, patience: float, agents: int, match: str
) -> None:
    for solve in (erlang.erlang_a, partial(erlang.erlang_a_service_level, target=20.0)):
        with pytest.raises(ValueError, match=match):
            solve(calls_per_hour=calls_per_hour, aht=60.0, patience=patience,
                  agents=agents)  # fmt: skip
