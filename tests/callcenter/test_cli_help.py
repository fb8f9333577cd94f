"""Every command's help reads well: it renders, and its examples keep their lines."""

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from callcenter.cli import main


def commands(
    group: click.Group, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    """Yield the path of ``group`` and of every command below it (lazy ones too)."""
    yield path
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        elif command is not None:
            yield (*path, name)


@pytest.mark.parametrize("path", list(commands(main)), ids=" ".join)
def test_the_help_renders_without_markup_leaking(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output
    assert "\\b" not in result.output  # click's no-rewrap marker, shown literally


@pytest.mark.parametrize("path", [(), ("up",)], ids=["callcenter", "up"])
def test_examples_stay_one_per_line(path: tuple[str, ...]) -> None:
    output = CliRunner().invoke(main, [*path, "--help"]).output
    lines = output.splitlines()
    examples = lines[lines.index("  Examples:") + 1 :]
    assert examples[0].split("#")[0].strip() == "callcenter up"
    assert examples[1].strip().startswith("callcenter up --for 30")
