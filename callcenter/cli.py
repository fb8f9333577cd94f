"""The ``callcenter`` command: a thin shell over the composition root.

Subcommands are imported lazily, so ``callcenter --help`` is instant and one part's
heavy imports (Textual, SQLAlchemy) are only paid by the commands that use them.
"""

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

import click

from callcenter import __version__

# name -> "module:attribute" of a click command or group.
SUBCOMMANDS: dict[str, str] = {
    "up": "callcenter.cli_up:up_command",
    "console": "callcenter.cli_console:console_command",
    "config": "callcenter.cli_up:config_group",
    "staffing": "callcenter.cli_acd:staffing_command",
    "simulate": "callcenter.cli_acd:simulate_command",
    "ivr": "callcenter.cli_ivr:ivr_group",
    "crm": "callcenter.cli_crm:crm_group",
    "db": "callcenter.cli_crm:db_group",
    "bus": "callcenter.cli_bus:bus_group",
    "pbx": "callcenter.cli_pbx:pbx_group",
    "wallboard": "callcenter.cli_wallboard:wallboard_command",
    "report": "callcenter.cli_wallboard:report_command",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """List the subcommands whose module is present."""
        del ctx
        return sorted(name for name in SUBCOMMANDS if self._available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return one subcommand."""
        del ctx
        target = SUBCOMMANDS.get(cmd_name)
        if target is None or not self._available(cmd_name):
            return None
        module_name, attribute = target.split(":")
        command: Any = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            return None
        command.name = cmd_name
        return command

    @staticmethod
    def _available(name: str) -> bool:
        module_name = SUBCOMMANDS[name].split(":")[0]
        return importlib.util.find_spec(module_name) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="callcenter")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    envvar="CALLCENTER_CONFIG",
    help="TOML configuration (default: config/callcenter.toml if present, "
    "else built-in defaults).",
)
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """A call-center CTI toolkit: ACD, IVR, Asterisk CTI bridge, CRM and consoles.

    \b
    Examples:
      callcenter up                      # a whole call center on this machine
      callcenter up --for 30             # ... that stops by itself after 30 s
      callcenter console --agent 1001    # the agent console (second terminal)
      callcenter staffing --calls-per-hour 300 --aht 240
      callcenter ivr run main --caller +8613800138000 --dtmf 1
    """  # noqa: D301 - click needs a real \b (backspace) to keep these lines
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
