"""The IVR core does no I/O: no asyncio, sockets, logging or clock reads."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "ivr"
FORBIDDEN = {
    "asyncio",
    "socket",
    "logging",
    "time",
    "datetime",
    "threading",
    "subprocess",
}
# The loader, its YAML reader and the registry read flow files; nothing else may.
READS_FILES = {"loader.py", "fields.py", "registry.py", "validate.py"}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_core_modules_import_no_io(path: Path) -> None:
    assert imported(path) & FORBIDDEN == set()


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.glob("*.py") if p.name not in READS_FILES),
    ids=lambda p: p.name,
)
def test_only_the_loader_touches_files(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert ".read_text(" not in text
    assert "open(" not in text
