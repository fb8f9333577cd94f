"""``callcenter staffing`` and ``callcenter simulate``: the ACD's planning commands.

``staffing`` answers "how many agents for this load?" with Erlang C; ``simulate``
runs the real ACD engine on a simulated M/M/N(+M) load to check it (or to try a
routing strategy). Both print a table, or JSON with ``--json``.
"""

import json
import math
import sys

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from acd import erlang
from acd.simulation import SimulationConfig, SimulationResult, simulate
from acd.strategies import STRATEGIES


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


@click.command("staffing")
@click.option(
    "--calls-per-hour", type=click.FloatRange(min=0, min_open=True), required=True
)
@click.option(
    "--aht", type=click.FloatRange(min=0, min_open=True), required=True, help="seconds"
)
@click.option("--sl-target", type=click.FloatRange(0, 1, max_open=True), default=0.8)
@click.option("--sl-seconds", type=click.FloatRange(min=0), default=20.0)
@click.option(
    "--max-occupancy", type=click.FloatRange(0, 1, min_open=True), default=1.0
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def staffing_command(
    calls_per_hour: float,
    aht: float,
    sl_target: float,
    sl_seconds: float,
    max_occupancy: float,
    *,
    as_json: bool,
) -> None:
    """Agents needed for a load (Erlang C), and what nearby staffing achieves."""
    traffic = erlang.traffic_of(calls_per_hour, aht)
    needed = erlang.agents_needed(
        calls_per_hour=calls_per_hour,
        aht=aht,
        sl_target=sl_target,
        sl_seconds=sl_seconds,
        max_occupancy=max_occupancy,
    )
    first = max(1, math.floor(traffic) + 1, needed - 4)
    rows = [erlang.row(traffic, n, aht, sl_seconds) for n in range(first, needed + 4)]
    if as_json:
        click.echo(json.dumps(_staffing_json(traffic, needed, rows), indent=2))
    else:
        _print_staffing(
            traffic, needed, rows, sl_target=sl_target, sl_seconds=sl_seconds
        )


def _staffing_json(
    traffic: float, needed: int, rows: list[erlang.StaffingRow]
) -> dict[str, object]:
    return {
        "traffic_erlangs": traffic,
        "agents_needed": needed,
        "rows": [
            {
                "agents": r.agents,
                "service_level": r.service_level,
                "asa_seconds": _finite(r.asa),
                "prob_wait": r.prob_wait,
                "occupancy": r.occupancy,
            }
            for r in rows
        ],
    }


def _print_staffing(
    traffic: float,
    needed: int,
    rows: list[erlang.StaffingRow],
    *,
    sl_target: float,
    sl_seconds: float,
) -> None:
    console = Console()
    console.print(
        f"Load {traffic:.2f} erlangs: [bold]{needed} agents[/bold] for "
        f"{sl_target:.0%} answered within {sl_seconds:g} s"
    )
    table = Table("agents", "service level", "ASA (s)", "P(wait)", "occupancy")
    for r in rows:
        table.add_row(
            str(r.agents),
            f"{r.service_level:.1%}",
            f"{r.asa:.1f}",
            f"{r.prob_wait:.1%}",
            f"{r.occupancy:.1%}",
            style="bold green" if r.agents == needed else None,
        )
    console.print(table)


def _run_with_progress(config: SimulationConfig) -> SimulationResult:
    if not sys.stdout.isatty():
        return simulate(config)
    columns = (TextColumn("simulating"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("simulate", total=1.0)
        return simulate(config, progress=lambda done: bar.update(task, completed=done))


@click.command("simulate")
@click.option("--agents", type=click.IntRange(min=1), required=True)
@click.option(
    "--calls-per-hour", type=click.FloatRange(min=0, min_open=True), required=True
)
@click.option(
    "--aht", type=click.FloatRange(min=0, min_open=True), required=True, help="seconds"
)
@click.option("--hours", type=click.FloatRange(min=0, min_open=True), default=8.0)
@click.option("--seed", type=int, default=0)
@click.option("--patience", type=click.FloatRange(min=0, min_open=True), default=None)
@click.option(
    "--strategy", type=click.Choice(sorted(STRATEGIES)), default="longest_idle"
)
@click.option("--sl-seconds", type=click.FloatRange(min=0), default=20.0)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def simulate_command(
    agents: int,
    calls_per_hour: float,
    aht: float,
    hours: float,
    seed: int,
    patience: float | None,
    strategy: str,
    sl_seconds: float,
    *,
    as_json: bool,
) -> None:
    """Run the ACD engine on simulated Poisson traffic and print its figures."""
    config = SimulationConfig(
        agents=agents,
        calls_per_hour=calls_per_hour,
        aht=aht,
        hours=hours,
        seed=seed,
        patience=patience,
        strategy=strategy,
        service_level_seconds=sl_seconds,
    )
    result = _run_with_progress(config)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2))
        return
    table = Table("figure", "value")
    for key, value in result.as_json().items():
        table.add_row(key, "-" if value is None else f"{value:.4g}")
    for label, mae in (
        ("EWT MAE asterisk (s)", result.ewt_mae_asterisk),
        ("EWT MAE position (s)", result.ewt_mae_position),
    ):
        table.add_row(label, "-" if mae is None else f"{mae:.1f}")
    Console().print(table)
