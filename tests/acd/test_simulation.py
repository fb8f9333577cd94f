"""The engine, driven by the simulator, behaves like the queueing theory says.

One FIFO queue, Poisson arrivals, exponential handle times, agents answering at once:
an M/M/N queue, whose Erlang C figures the simulation must reproduce, and with
exponential patience an M/M/N+M queue and its Erlang A figures, service level
included (long runs, fixed seeds; tolerances are several standard errors wide).
"""

import pytest

from acd import erlang
from acd.simulation import SimulationConfig, simulate


def test_simulation_agrees_with_erlang_c() -> None:
    config = SimulationConfig(agents=4, calls_per_hour=180, aht=60, hours=700, seed=3)
    result = simulate(config)
    theory = erlang.row(erlang.traffic_of(180, 60), 4, 60, 20)
    assert result.offered > 120_000
    assert result.abandoned == 0
    assert result.prob_wait == pytest.approx(theory.prob_wait, abs=0.02)
    assert result.service_level == pytest.approx(theory.service_level, abs=0.02)
    assert result.asa_seconds == pytest.approx(theory.asa, rel=0.10)
    assert result.occupancy == pytest.approx(theory.occupancy, abs=0.01)
    assert result.aht_seconds == pytest.approx(60, rel=0.02)


def test_simulation_with_patience_agrees_with_erlang_a() -> None:
    config = SimulationConfig(
        agents=4, calls_per_hour=220, aht=60, hours=200, seed=5, patience=60.0
    )
    result = simulate(config)
    theory = erlang.erlang_a(calls_per_hour=220, aht=60, patience=60.0, agents=4)
    assert result.abandoned / result.offered == pytest.approx(
        theory.prob_abandon, abs=0.01
    )
    assert result.prob_wait == pytest.approx(theory.prob_wait, abs=0.02)
    assert result.service_level == pytest.approx(
        erlang.erlang_a_service_level(
            calls_per_hour=220, aht=60, patience=60.0, agents=4, target=20
        ),
        abs=0.02,
    )


def test_overloaded_simulation_agrees_with_the_erlang_a_service_level() -> None:
    # 4 erlangs on 3 agents: Erlang C has no steady state, abandons make one.
    config = SimulationConfig(
        agents=3,
        calls_per_hour=240,
        aht=60,
        hours=200,
        seed=11,
        patience=30.0,
        service_level_seconds=10,
    )
    result = simulate(config)
    theory = erlang.erlang_a(calls_per_hour=240, aht=60, patience=30.0, agents=3)
    assert result.abandoned / result.offered == pytest.approx(
        theory.prob_abandon, abs=0.01
    )
    assert result.service_level == pytest.approx(
        erlang.erlang_a_service_level(
            calls_per_hour=240, aht=60, patience=30.0, agents=3, target=10
        ),
        abs=0.02,
    )


def test_a_seed_gives_the_same_run() -> None:
    config = SimulationConfig(agents=3, calls_per_hour=100, aht=60, hours=5, seed=9)
    assert simulate(config) == simulate(config)


def test_json_keys_are_the_documented_ones() -> None:
    result = simulate(SimulationConfig(agents=2, calls_per_hour=60, aht=60, hours=1))
    assert list(result.as_json()) == [
        "offered",
        "answered",
        "abandoned",
        "service_level",
        "asa_seconds",
        "prob_wait",
        "occupancy",
        "aht_seconds",
    ]


def test_position_aware_ewt_beats_the_asterisk_average_under_load() -> None:
    config = SimulationConfig(agents=4, calls_per_hour=200, aht=60, hours=100, seed=2)
    result = simulate(config)
    assert result.ewt_mae_position is not None
    assert result.ewt_mae_asterisk is not None
    assert result.ewt_mae_position < result.ewt_mae_asterisk
