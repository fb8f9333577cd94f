"""``callcenter bus tail``: follow the event bus of a running call center over MQTT.

Examples::

    callcenter bus tail                                   # every event of the site
    callcenter bus tail --topic 'callcenter/v1/+/agents/1001/#'
    callcenter bus tail --host 10.0.0.5 --port 1883 --username ops
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import click
from pydantic import SecretStr

from callcenter.bus import EventBus
from callcenter.cli_up import load_or_exit
from callcenter.clock import to_datetime
from callcenter.domain.codec import to_payload
from callcenter.domain.events import DomainEvent
from callcenter.mqtt import topics
from callcenter.mqtt.bridge import MqttBridge
from callcenter.mqtt.settings import MqttSettings


def format_event(event: DomainEvent) -> str:
    """Return one line for an operator: time, type, then the fields as key=value."""
    body = to_payload(event)
    stamp = to_datetime(event.at).isoformat(timespec="milliseconds")
    fields = " ".join(
        f"{key}={_value(value)}"
        for key, value in body.items()
        if key not in {"v", "type", "at"} and value not in (None, "")
    )
    return f"{stamp.replace('+00:00', 'Z')} {body['type']:<20} {fields}".rstrip()


def _value(value: Any) -> str:
    text = str(value)
    return repr(text) if " " in text or not text else text


def _configured(ctx: click.Context) -> MqttSettings:
    """Return the [mqtt] section of the configuration (exit 2 when it is wrong)."""
    return load_or_exit(ctx).mqtt


async def tail(
    settings: MqttSettings,
    topic_filter: str,
    *,
    echo: Callable[[str], None],
    count: int | None = None,
) -> None:
    """Print the events published on ``topic_filter`` until ``count`` or Ctrl-C."""
    bus = EventBus()
    with bus.subscribe() as events:
        async with MqttBridge(
            bus, settings, role="tail", export=False, import_filters=[topic_filter]
        ):
            seen = 0
            async for event in events:
                echo(format_event(event))
                seen += 1
                if count is not None and seen >= count:
                    return


@click.group("bus")
def bus_group() -> None:
    """Look at the event bus of a running call center (over MQTT)."""


@bus_group.command("tail")
@click.option("--topic", "pattern", default=None, help="MQTT topic filter to follow.")
@click.option("--host", default=None, help="Broker host (default: [mqtt] host).")
@click.option("--port", type=click.IntRange(1, 65535), default=None)
@click.option("--site", default=None, help="Site level of the topics.")
@click.option("--username", default=None)
@click.option(
    "--password", default=None, envvar="CALLCENTER_MQTT_PASSWORD", hidden=True
)
@click.option("--count", type=click.IntRange(min=1), default=None, hidden=True)
@click.pass_context
def bus_tail_command(
    ctx: click.Context,
    pattern: str | None,
    host: str | None,
    port: int | None,
    site: str | None,
    username: str | None,
    password: str | None,
    count: int | None,
) -> None:
    """Print every event on the bus, one line each (Ctrl-C to stop).

    By default follows the supervisor feed, which carries each event once. The
    password is read from CALLCENTER_MQTT_PASSWORD.
    """
    overrides = {
        "host": host,
        "port": port,
        "site": site,
        "username": username,
        "password": SecretStr(password) if password else None,
    }
    settings = _configured(ctx).model_copy(
        update={k: v for k, v in overrides.items() if v is not None}
    )
    topic_filter = pattern or topics.supervisor_events(settings.site)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    click.echo(f"following {topic_filter} on {settings.host}:{settings.port}", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(tail(settings, topic_filter, echo=click.echo, count=count))
