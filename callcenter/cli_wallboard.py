"""``callcenter wallboard`` (terminal wallboard) and ``callcenter report``.

The terminal wallboard follows the web server's live stream with an API token, so it
shows exactly what the browser shows. ``report`` reads the CRM database directly and
prints the same reports as the web page, as a table or CSV: occupancy and time per
agent state come from the agent state intervals the running server stores.
"""

import asyncio
import getpass
import sys
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from callcenter.cli_up import load_or_exit
from callcenter.settings import Settings


def _settings(ctx: click.Context) -> Settings:
    return load_or_exit(ctx)


@click.command("wallboard")
@click.option("--url", default=None, help="Server (default: http://[web] host:port/).")
@click.option(
    "--token",
    envvar="CALLCENTER_API_TOKEN",
    default=None,
    help="API token ([[web.api_tokens]]; env CALLCENTER_API_TOKEN).",
)
@click.option(
    "--hash-password",
    "hash_only",
    is_flag=True,
    help="Ask for a password, print its scrypt hash for [[web.users]] and exit.",
)
@click.pass_context
def wallboard_command(
    ctx: click.Context, url: str | None, token: str | None, hash_only: bool
) -> None:
    """Show the live wallboard in this terminal (q quits)."""
    if hash_only:
        from callcenter.web.auth import hash_password  # noqa: PLC0415

        password = getpass.getpass("password: ")
        if not password or password != getpass.getpass("again: "):
            raise click.ClickException("the passwords are empty or differ")
        click.echo(hash_password(password))
        return
    if not token:
        raise click.ClickException(
            "give an API token with --token or CALLCENTER_API_TOKEN "
            "(configure one under [[web.api_tokens]])"
        )
    settings = _settings(ctx)
    url = url or f"http://{settings.web.host}:{settings.web.port}/"
    from callcenter.wallboard.app import WallboardApp  # noqa: PLC0415 - Textual
    from callcenter.wallboard.source import SseSource  # noqa: PLC0415

    WallboardApp(SseSource(url, token)).run()


def _day(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 - a date
    except ValueError as exc:
        msg = f"not a date (YYYY-MM-DD): {value!r}"
        raise click.BadParameter(msg) from exc


@click.command("report")
@click.option("--from", "first", required=True, help="First day, YYYY-MM-DD.")
@click.option("--to", "last", required=True, help="Last day (inclusive), YYYY-MM-DD.")
@click.option(
    "--by",
    type=click.Choice(["queue", "agent", "hour", "states", "complaints"]),
    default="queue",
    show_default=True,
    help=(
        "Rows per queue, per agent, per hour (whole center), time per agent state "
        "and pause reason, or complaints."
    ),
)
@click.option(
    "--interval",
    type=click.Choice(["15m", "hour", "day"]),
    default="day",
    show_default=True,
    help="Length of one row for --by queue|agent|states.",
)
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@click.pass_context
def report_command(
    ctx: click.Context, first: str, last: str, by: str, interval: str, as_csv: bool
) -> None:
    """Print a report over the call records of a period (local days)."""
    settings = _settings(ctx)
    from callcenter.web import reports  # noqa: PLC0415 - SQLAlchemy on demand

    zone = ZoneInfo(settings.general.timezone)
    try:
        start, end = reports.period(_day(first), _day(last), zone)
    except reports.ReportError as exc:
        raise click.ClickException(str(exc)) from exc
    rows, kind = asyncio.run(_rows(settings, start, end, by, interval))
    if as_csv:
        sys.stdout.write(reports.to_csv(rows, kind))
        return
    _print_table(reports.to_json(rows))


async def _rows(
    settings: Settings, start: float, end: float, by: str, interval: str
) -> tuple[Any, type]:
    from callcenter.web import reports  # noqa: PLC0415
    from callcenter.web import reports_agents as agents  # noqa: PLC0415
    from crm_link.reporting import ReportingReader  # noqa: PLC0415

    reader = ReportingReader.from_url(settings.database_url())
    zone = ZoneInfo(settings.general.timezone)
    length = reports.Interval.HOUR if by == "hour" else reports.Interval(interval)
    try:
        if by == "complaints":
            complaints = await reader.complaints(start, end)
            now = datetime.now().astimezone().timestamp()
            return reports.complaint_report(complaints, now), reports.ComplaintRow
        stretches = await reader.agent_intervals(start, end) if by != "queue" else []
        if by == "states":
            states = agents.state_time_report(
                stretches, interval=length, zone=zone, start=start, end=end
            )
            return states, agents.StateTimeRow
        facts_ = await reader.interactions(start, end)
        surveys = await reader.surveys(start, end)
    except Exception as exc:
        msg = f"cannot read the database: {exc}"
        raise click.ClickException(msg) from exc
    finally:
        await reader.aclose()
    group = reports.GroupBy.CENTER if by == "hour" else reports.GroupBy(by)
    rows = reports.call_report(
        facts_, group_by=group, interval=length, zone=zone,
        sl_seconds={q.name: q.service_level_seconds for q in settings.queues},
        surveys=surveys,
        occupancy=agents.occupancy_by(
            stretches, group_by=group, interval=length, zone=zone, start=start, end=end
        ),
    )  # fmt: skip
    return rows, reports.CallRow


def _print_table(rows: list[dict[str, object]]) -> None:
    if not rows:
        click.echo("nothing recorded in this period")
        return
    headers = list(rows[0])
    cells = [[_cell(row[h]) for h in headers] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    for line in cells:
        click.echo("  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)))


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 1.5 else f"{value:.1f}"  # noqa: PLR2004
    return str(value)
