"""The cores stay pure: they import no asyncio, sockets, clocks or frameworks.

import-linter checks first- and third-party imports (pyproject); this AST check adds the
standard-library modules that would let I/O or wall-clock time into a core.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORES = [
    "callcenter/domain",
    "callcenter/ami/protocol.py",
    "callcenter/ami/messages.py",
    "callcenter/agi/protocol.py",
    "callcenter/core/switchboard.py",
    "callcenter/core/agent_commands.py",
    "callcenter/core/agent_pins.py",
    "callcenter/core/monitoring.py",
    "callcenter/pbx/timeline.py",
    "callcenter/pbx/simulated.py",
    "callcenter/pbx/sim_call.py",
    "callcenter/pbx/sim_media.py",
    "callcenter/pbx/sim_monitor.py",
    "callcenter/pbx/spies.py",
    "callcenter/pbx/translate_spies.py",
    "acd",
    "ivr",
]
FORBIDDEN = {
    "asyncio",
    "socket",
    "selectors",
    "threading",
    "time",
    "aiohttp",
    "aiomqtt",
    "sqlalchemy",
    "textual",
}
# The IVR loader reads flow files and the CLI helpers print: they are the edge of ivr/.
EDGES = {"ivr/loader.py", "ivr/registry.py", "ivr/scripted.py"}


def core_files() -> list[Path]:
    files: list[Path] = []
    for entry in CORES:
        path = ROOT / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [f for f in files if f.exists() and str(f.relative_to(ROOT)) not in EDGES]


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_module_imports_nothing_that_does_io_or_reads_time(path: Path) -> None:
    assert imported_roots(path) & FORBIDDEN == set()
