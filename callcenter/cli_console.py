"""``callcenter console --agent ID``: the agent's Textual console over MQTT.

On a broker with per-agent accounts (mosquitto with ``config/mosquitto/acl.example``)
the console logs in with the **agent id as MQTT user name**: the ACL's ``%u`` patterns
then give it ``agents/{id}/events``, ``agents/{id}/replies`` and
``agents/{id}/commands`` and nothing of another agent. ``console_address`` is how the
command builds that login, so tests build it the same way.
"""

import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

import click

from callcenter.cli_up import load_or_exit

if TYPE_CHECKING:
    from agent_console.backend import MqttAddress
    from callcenter.mqtt.settings import MqttSettings

PASSWORD_ENV: Final = "CALLCENTER_MQTT_PASSWORD"  # noqa: S105 - a variable's name
"""On an agent's workstation: that agent's MQTT password (never the server's)."""


def _ask_password(agent_id: str) -> str:
    text: str = click.prompt(f"MQTT password of agent {agent_id}", hide_input=True)
    return text


def console_address(
    mqtt: "MqttSettings",
    agent_id: str,
    *,
    host: str | None = None,
    port: int | None = None,
    user: str | None = None,
    environ: Mapping[str, str] = os.environ,
    ask: Callable[[str], str] = _ask_password,
) -> "MqttAddress":
    """Return where and as whom the console of ``agent_id`` logs in to the broker.

    The user name is the agent id (``user`` overrides it, for a broker with another
    ACL scheme): the example ACL confines user ``1001`` to ``agents/1001/...``. The
    password is ``CALLCENTER_MQTT_PASSWORD``; when it is unset and the broker is not
    the embedded one (which has no accounts), ``ask(agent_id)`` prompts for it. It is
    never the agent's PIN: a PIN is short enough to guess against a broker that does
    not slow down failed logins, and it would have to be kept in two places.
    ``[mqtt] username`` and ``password`` are the server's account and are not used.
    """
    from agent_console.backend import MqttAddress  # noqa: PLC0415 - lazy CLI import

    password = environ.get(PASSWORD_ENV) or None
    if password is None and not mqtt.embedded:
        password = ask(agent_id)
    return MqttAddress(
        host=host or mqtt.host, port=port or mqtt.port, site=mqtt.site,
        username=user or agent_id, password=password, tls=mqtt.tls,
    )  # fmt: skip


def _log_to_file(path: Path) -> None:
    """Send logs to ``path``: stdout and stderr belong to the TUI."""
    path.parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=path,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@click.command()
@click.option("--agent", "agent_id", required=True, help="Agent id, e.g. 1001.")
@click.option("--pin", default=None, help="Log in to the ACD at once with this PIN.")
@click.option("--host", default=None, help="MQTT broker (default from settings).")
@click.option("--port", type=click.IntRange(1, 65535), default=None)
@click.option(
    "--user",
    default=None,
    help="MQTT user name (default: the agent id, as the example mosquitto ACL needs).",
)
@click.option("--theme", type=click.Choice(["dark", "light"]), default="dark")
@click.pass_context
def console_command(
    ctx: click.Context,
    agent_id: str,
    pin: str | None,
    host: str | None,
    port: int | None,
    user: str | None,
    theme: str,
) -> None:
    """Run the agent console against the CTI server (``callcenter up``).

    It logs in to the broker as MQTT user AGENT with the password in
    CALLCENTER_MQTT_PASSWORD, or asks for it when that is unset and the broker is
    not the embedded one (docs/BUS.md, "Access control"). The PIN is only for the
    ACD login: give it with --pin or type it in the console (key l).
    """
    from agent_console.app import AgentConsoleApp  # noqa: PLC0415 - heavy import
    from agent_console.backend import MqttBackend  # noqa: PLC0415

    settings = load_or_exit(ctx)
    address = console_address(settings.mqtt, agent_id, host=host, port=port, user=user)
    _log_to_file(settings.general.data_dir / "logs" / f"console-{agent_id}.log")
    AgentConsoleApp(MqttBackend(agent_id, address), pin=pin, theme=theme).run()
