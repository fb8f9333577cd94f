"""``callcenter up``: run a whole call center, and ``callcenter config check``."""

import asyncio
import sys
from pathlib import Path
from typing import Any

import click

from callcenter.errors import ConfigError
from callcenter.settings import Settings, load_settings


def load_or_exit(
    ctx: click.Context, overrides: dict[str, dict[str, Any]] | None = None
) -> Settings:
    """Load the settings or print one line per problem and exit with code 2."""
    config_path: Path | None = (ctx.find_object(dict) or {}).get("config_path")
    try:
        return load_settings(config_path, overrides=overrides)
    except ConfigError as exc:
        for line in str(exc).splitlines():
            click.echo(f"error: {line}", err=True)
        sys.exit(2)


@click.command()
@click.option(
    "--for",
    "duration",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Stop by itself after SECONDS.",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the database, logs and recordings live (default ./var).",
)
@click.option(
    "--web-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Supervisor page port (default 8080; 0 picks a free one).",
)
@click.option(
    "--mqtt-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Embedded MQTT broker port (default 1883; 0 picks a free one).",
)
@click.option(
    "--calls-per-hour",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Simulated caller arrival rate.",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed of the simulated traffic (same seed, same calls).",
)
@click.pass_context
def up_command(
    ctx: click.Context,
    duration: float | None,
    data_dir: Path | None,
    web_port: int | None,
    mqtt_port: int | None,
    calls_per_hour: float | None,
    seed: int | None,
) -> None:
    """Run the call center: PBX (simulated by default), IVR, ACD, CRM, bus and web.

    \b
    With no configuration everything runs on this machine: a simulated PBX with
    simulated callers and agents, an in-process MQTT broker, SQLite with demo data
    and the supervisor page at http://127.0.0.1:8080/. Ctrl-C stops it cleanly.

    \b
    Examples:
      callcenter up
      callcenter up --for 30 --web-port 0
      callcenter --config site.toml up
    """  # noqa: D301 - click needs a real \b (backspace) to keep these lines
    overrides: dict[str, dict[str, Any]] = {}
    if data_dir is not None:
        overrides.setdefault("general", {})["data_dir"] = str(data_dir)
    if web_port is not None:
        overrides.setdefault("web", {})["port"] = web_port
    if mqtt_port is not None:
        overrides.setdefault("mqtt", {})["port"] = mqtt_port
    if calls_per_hour is not None:
        overrides.setdefault("simulation", {})["calls_per_hour"] = calls_per_hour
    if seed is not None:
        overrides.setdefault("simulation", {})["seed"] = seed
    settings = load_or_exit(ctx, overrides)
    from callcenter.serve import ServeError, serve  # noqa: PLC0415 - heavy imports

    try:
        asyncio.run(serve(settings, duration=duration))
    except ServeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        sys.exit(130)


@click.group()
def config_group() -> None:
    """Check the configuration."""


@config_group.command("check")
@click.pass_context
def config_check(ctx: click.Context) -> None:
    """Validate the configuration and print a summary (exit 2 on problems)."""
    settings = load_or_exit(
        ctx.parent.parent if ctx.parent and ctx.parent.parent else ctx
    )
    click.echo(
        f"ok: pbx={settings.pbx.kind}, {len(settings.queues)} queues, "
        f"{len(settings.agents)} agents, "
        f"database={'url' if settings.database.url else 'sqlite'}"
    )
