"""``callcenter console --agent ID``: the agent's Textual console over MQTT."""

import logging
import os
from pathlib import Path

import click

from callcenter.cli_up import load_or_exit


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
@click.option("--pin", default=None, help="Log in at once with this PIN.")
@click.option("--host", default=None, help="MQTT broker (default from settings).")
@click.option("--port", type=click.IntRange(1, 65535), default=None)
@click.option("--user", default=None, help="MQTT user (default agent-ID with ACLs).")
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

    The MQTT password comes from CALLCENTER_MQTT_PASSWORD; on a broker with
    per-agent accounts (mosquitto, see config/mosquitto/) the PIN is asked for
    and used as the password when that variable is not set.
    """
    from agent_console.app import AgentConsoleApp  # noqa: PLC0415 - heavy import
    from agent_console.backend import MqttAddress, MqttBackend  # noqa: PLC0415

    settings = load_or_exit(ctx)
    mqtt = settings.mqtt
    password = os.environ.get("CALLCENTER_MQTT_PASSWORD")
    if password is None and not mqtt.embedded:
        pin = pin or click.prompt(f"PIN of agent {agent_id}", hide_input=True)
        password = pin
    username = user or (f"agent-{agent_id}" if password else mqtt.username)
    _log_to_file(settings.general.data_dir / "logs" / f"console-{agent_id}.log")
    address = MqttAddress(
        host=host or mqtt.host, port=port or mqtt.port, site=mqtt.site,
        username=username, password=password, tls=mqtt.tls,
    )  # fmt: skip
    AgentConsoleApp(MqttBackend(agent_id, address), pin=pin, theme=theme).run()
