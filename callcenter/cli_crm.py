"""``callcenter crm`` and ``callcenter db``: the CRM from the command line.

``crm pop NUMBER`` (or ``crm pop --reference H-1234-5678``: the caller keyed a
booking reference; ``--account 79927398713``: an account number) prints the
screen-pop record an agent would see; ``db upgrade`` migrates the schema;
``db seed`` fills it with demo data (the named demo customers plus as many
generated ones as asked, with a progress bar). The database URL comes from
``--db-url``, else ``CALLCENTER_DATABASE__URL``, else ``var/callcenter.db``.
Bad input prints one ``error:`` line and exits with status 2.
"""

import asyncio
import json
import sys
import time
from collections.abc import Coroutine
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy.exc import ArgumentError, DBAPIError

from callcenter.jsonable import jsonable
from crm_link.config import CrmConfig
from crm_link.db import DEFAULT_SQLITE_URL, make_engine
from crm_link.dto import BookingSummary, IdentifiedBy, ScreenPop
from crm_link.errors import CrmError
from crm_link.migrate import upgrade
from crm_link.seed import SeedPlan, SeedSummary, seed
from crm_link.service import CrmService

_T = TypeVar("_T")
_URL_OPTION = click.option(
    "--db-url",
    envvar="CALLCENTER_DATABASE__URL",
    default=DEFAULT_SQLITE_URL,
    show_default=True,
    help="SQLAlchemy async URL (sqlite+aiosqlite:///... or postgresql+asyncpg://...).",
)


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _run(coroutine: Coroutine[Any, Any, _T]) -> _T:
    try:
        return asyncio.run(coroutine)
    except (ArgumentError, CrmError) as exc:
        _fail(str(exc).splitlines()[0])
    except (DBAPIError, OSError) as exc:
        first = str(getattr(exc, "orig", exc) or exc).splitlines()[0]
        _fail(f"database unavailable or not migrated ({first}); "
              "try `callcenter db upgrade`", code=1)  # fmt: skip


@click.group("crm")
@_URL_OPTION
@click.pass_context
def crm_group(ctx: click.Context, db_url: str) -> None:
    """Look up callers in the CRM."""
    ctx.obj = {"db_url": db_url}


@crm_group.command("pop")
@click.argument("number", required=False, default="")
@click.option(
    "--reference",
    default=None,
    help="A booking reference the caller keyed (only its digits count).",
)
@click.option(
    "--account",
    default=None,
    help="An account number the caller keyed (a key account's; not a booking).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--region", default="CN", show_default=True, help="Default country.")
@click.pass_context
def pop_command(
    ctx: click.Context,
    number: str,
    reference: str | None,
    account: str | None,
    region: str,
    *,
    as_json: bool,
) -> None:
    """Show the screen pop of NUMBER, of the booking --reference or the --account.

    Unknown numbers give an unknown caller. With --reference the booking's
    customer is shown whatever NUMBER is, with --account the account holder; a
    reference or account number nobody has falls back to NUMBER.
    """
    _check_pop_options(number, reference, account, region)

    async def lookup() -> ScreenPop:
        async with CrmService.from_url(
            ctx.obj["db_url"], config=CrmConfig(default_region=region.upper())
        ) as crm:
            return await crm.screen_pop(
                number, time.time(), reference=reference, account=account
            )

    pop = _run(lookup())
    if as_json:
        payload = jsonable(pop) | {"routing": jsonable(pop.routing)}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    _print_pop(pop)


def _check_pop_options(
    number: str, reference: str | None, account: str | None, region: str
) -> None:
    if len(region) != 2 or not region.isalpha():  # noqa: PLR2004
        _fail(f"--region must be a two-letter country code, got {region!r}")
    if reference is not None and account is not None:
        _fail("give a --reference or an --account, not both")
    if not number and reference is None and account is None:
        _fail("give a NUMBER, a --reference or an --account, or both")


def _print_pop(pop: ScreenPop) -> None:
    console = Console()
    _print_header(console, pop)
    for card in pop.matches:
        table = Table(title=f"{card.name} (#{card.customer_id})", show_header=False)
        facts = card.facts
        rows = {
            "tier": f"{card.tier} / value {card.value_class.upper()}",
            "phones": ", ".join(card.phones),
            "language": card.language,
            "account manager": f"{card.account_manager or '-'} "
            f"{card.account_manager_name}",
            "flags": ", ".join(
                name for name in ("open_complaint", "urgent_complaint",
                                  "recent_complaint", "repeat_caller")
                if getattr(facts, name)
            ) or "-",
            "stage": f"{card.contact_stage}, satisfaction {card.satisfaction_trend}",
            "notes": card.notes or "-",
            "account number": card.account_number or "-",
        }  # fmt: skip
        for key, value in rows.items():
            table.add_row(key, value)
        for complaint in card.complaints:
            overdue = " OVERDUE" if complaint.overdue else ""
            table.add_row(
                f"complaint #{complaint.complaint_id}",
                f"{complaint.state} {complaint.severity} {complaint.category}"
                f"{overdue}: {complaint.description}",
            )
        for booking in card.bookings:
            table.add_row(f"booking {booking.reference}", _booking_text(booking))
        for call in card.interactions:
            stamp = time.strftime("%Y-%m-%d %H:%M", time.gmtime(call.offered_at))
            table.add_row(f"call {stamp}", f"{call.outcome} {call.queue or ''}")
        console.print(table)


def _print_header(console: Console, pop: ScreenPop) -> None:
    if pop.number:
        number = f"[bold]{pop.number}[/] → {pop.e164 or '(unusable)'}"
        console.print(f"{number}: {pop.status}")
    if pop.reference is not None:
        found = "no such booking"
        if pop.booking:
            found = f"{pop.booking.reference} {_booking_text(pop.booking)}"
        console.print(f"reference {pop.reference}: {found} → {pop.status}")
    if pop.account is not None:
        held = "held" if pop.identified_by is IdentifiedBy.ACCOUNT else "nobody has it"
        console.print(f"account {pop.account}: {held} → {pop.status}")


def _booking_text(booking: BookingSummary) -> str:
    return (
        f"{booking.kind} {booking.status} {booking.starts_on} → {booking.ends_on} "
        f"{booking.place}"
    )


@click.group("db")
@_URL_OPTION
@click.pass_context
def db_group(ctx: click.Context, db_url: str) -> None:
    """Create, migrate and seed the CRM database."""
    ctx.obj = {"db_url": db_url}


@db_group.command("upgrade")
@click.pass_context
def upgrade_command(ctx: click.Context) -> None:
    """Migrate the schema to the latest revision."""
    _run(upgrade(ctx.obj["db_url"]))
    click.echo("database is at the latest revision")


@db_group.command("seed")
@click.option("--customers", type=int, default=193, show_default=True)
@click.option("--complaints", type=int, default=40, show_default=True)
@click.option("--interactions", type=int, default=None, help="Default: = customers.")
@click.option("--seed", "random_seed", type=int, default=7, show_default=True)
@click.pass_context
def seed_command(
    ctx: click.Context,
    customers: int,
    complaints: int,
    interactions: int | None,
    random_seed: int,
) -> None:
    """Migrate, then add demo data (named demo customers on an empty database)."""
    for name, value in (("customers", customers), ("complaints", complaints),
                        ("interactions", interactions or 0)):  # fmt: skip
        if value < 0:
            _fail(f"--{name} must be 0 or more, got {value}")
    if complaints and not customers:
        _fail("--complaints needs --customers above 0")
    plan = SeedPlan(customers=customers, complaints=complaints,
                    interactions=interactions, seed=random_seed)  # fmt: skip
    summary = _run(_seed(ctx.obj["db_url"], plan))
    click.echo(
        f"seeded {summary.customers} customers, {summary.complaints} complaints, "
        f"{summary.interactions} calls, {summary.surveys} surveys, "
        f"{summary.bookings} bookings"
    )


async def _seed(url: str, plan: SeedPlan) -> SeedSummary:
    await upgrade(url)
    engine = make_engine(url)
    columns = (TextColumn("{task.description:<12}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())  # fmt: skip
    try:
        with Progress(*columns, transient=False) as bar:
            tasks: dict[str, Any] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done)

            return await seed(engine, plan, now=time.time(), progress=progress)
    finally:
        await engine.dispose()
