"""``python -m benchmarks [NAME ...]``: run the benchmarks and print their figures.

Each benchmark is a module of this package runnable on its own
(``python -m benchmarks.acd_routing --help``); this runner runs the named ones, or all,
one after the other in fresh processes so they do not disturb each other's figures.
"""

import pkgutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def available() -> list[str]:
    """Return the benchmark module names."""
    return sorted(
        m.name for m in pkgutil.iter_modules([str(HERE)]) if not m.name.startswith("_")
    )


def main(argv: list[str]) -> int:
    """Run the named benchmarks (all when none is named); return the worst exit code."""
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        have = ", ".join(available())
        print(f"unknown benchmark(s): {', '.join(unknown)}; have: {have}")
        return 2
    worst = 0
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        done = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], check=False)  # noqa: S603
        worst = max(worst, done.returncode)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
