"""``callcenter pbx check``: can the call center drive this Asterisk?

Connects to the AMI with the ``[pbx]`` settings (the secret may come from
``CALLCENTER_AMI_SECRET``), logs in, and prints Asterisk's version, the channels it
has now and the PJSIP endpoints it knows, marking the agents' phones. Any failure is
one line on stderr and exit code 1: refused, bad credentials, timeout.

Examples::

    callcenter pbx check
    callcenter pbx check --host 10.0.0.7 --username callcenter --timeout 3
"""

import asyncio
import sys
from dataclasses import dataclass
from typing import Any

import click

from callcenter.ami.client import AmiClient
from callcenter.ami.errors import AmiError
from callcenter.ami.messages import Action, ActionResult
from callcenter.cli_up import load_or_exit
from callcenter.pbx.asterisk import describe_failure
from callcenter.settings import Settings


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckReport:
    """What ``pbx check`` found."""

    version: str
    ami_version: str
    channels: tuple[dict[str, str], ...]
    endpoints: tuple[dict[str, str], ...] | None
    endpoints_error: str = ""


@click.group(name="pbx")
def pbx_group() -> None:
    """Inspect the PBX the call center drives."""


@pbx_group.command()
@click.option("--host", default=None, help="AMI host (default: [pbx] host).")
@click.option("--port", type=int, default=None, help="AMI port (default: 5038).")
@click.option("--username", default=None, help="AMI user (default: [pbx] username).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=5.0,
    show_default=True,
    help="Seconds to wait for Asterisk at each step.",
)
@click.pass_context
def check(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    username: str | None,
    timeout: float,
) -> None:
    """Log in to Asterisk's AMI and show its version, channels and endpoints."""
    pbx: dict[str, Any] = {
        key: value
        for key, value in (("host", host), ("port", port), ("username", username))
        if value is not None
    }
    settings = load_or_exit(ctx, {"pbx": pbx} if pbx else None)
    client = _client(settings, timeout)
    where = f"{client.username}@{client.host}:{client.port}"
    try:
        report = asyncio.run(run_check(client))
    except (OSError, TimeoutError, AmiError) as exc:
        click.echo(f"error: {describe_failure(exc, client)}", err=True)
        sys.exit(1)
    click.echo(render(report, settings, where))


def _client(settings: Settings, timeout: float) -> AmiClient:
    section = settings.pbx
    secret = section.secret.get_secret_value() if section.secret else ""
    return AmiClient(
        host=section.host,
        port=section.port,
        username=section.username,
        secret=secret,
        connect_timeout=timeout,
        action_timeout=timeout,
        ping_interval=None,
    )


async def run_check(client: AmiClient) -> CheckReport:
    """Connect, ask, log off.

    Raises:
        AmiError: login refused, no answer in time, connection lost.
        OSError: the connection could not be opened.
    """
    async with client:
        settings = await client.action(Action(name="CoreSettings"))
        version = settings.response.get("AsteriskVersion") or ""
        if not version:
            output = await client.action(
                Action.create("Command", Command="core show version")
            )
            version = " ".join(output.response.output[:1])
        channels = await client.action(Action(name="CoreShowChannels"))
        endpoints = await client.action(Action(name="PJSIPShowEndpoints"))
    return CheckReport(
        version=version or "unknown",
        ami_version=client.banner.version if client.banner else "",
        channels=tuple(event.as_dict() for event in channels.events),
        endpoints=_endpoints(endpoints),
        endpoints_error="" if endpoints.ok else endpoints.response.message,
    )


def _endpoints(result: ActionResult) -> tuple[dict[str, str], ...] | None:
    if not result.ok:
        return None
    return tuple(
        event.as_dict() for event in result.events if event.name == "EndpointList"
    )


def render(report: CheckReport, settings: Settings, where: str) -> str:
    """Return the report as lines for an operator."""
    ami = report.ami_version or "?"
    lines = [
        f"ok: logged in to Asterisk {report.version} (AMI {ami}) as {where}",
        f"channels: {len(report.channels)}",
    ]
    lines += [
        f"  {c.get('Channel', '?'):<32} {c.get('ChannelStateDesc', ''):<8} "
        f"{c.get('Application', '')} {c.get('CallerIDNum', '')}".rstrip()
        for c in report.channels
    ]
    if report.endpoints is None:
        lines.append(f"PJSIP endpoints: not available ({report.endpoints_error})")
        return "\n".join(lines)
    states = {
        e.get("ObjectName", ""): e.get("DeviceState", "") for e in report.endpoints
    }
    lines.append(f"PJSIP endpoints: {len(states)}")
    lines += [f"  {name:<16} {state}" for name, state in sorted(states.items())]
    lines.append("agents:")
    for agent in settings.agents:
        endpoint = settings.pbx.agent_endpoint.format(agent=agent.id)
        name = endpoint.removeprefix("PJSIP/")
        state = states.get(name, "NOT FOUND on this Asterisk")
        lines.append(f"  {agent.id:<8} {endpoint:<16} {state}")
    return "\n".join(lines)
