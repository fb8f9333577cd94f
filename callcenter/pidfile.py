"""The running server's pid file, and asking it to reload its IVR flows.

``callcenter up`` writes ``<data dir>/callcenter.pid`` and removes it on exit; it
reloads the IVR flows on SIGHUP and logs the outcome in one line starting with
``IVR flows``. ``callcenter ivr reload`` sends the signal and reads that line back.
"""

import itertools
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

PID_FILE = "callcenter.pid"
RELOAD_MARK = "IVR flows"


def pid_path(data_dir: Path) -> Path:
    """Return where the server of ``data_dir`` writes its pid."""
    return data_dir / PID_FILE


def write_pid(data_dir: Path) -> Path:
    """Write this process's pid; return the file."""
    path = pid_path(data_dir)
    path.write_text(f"{os.getpid()}\n", encoding="ascii")
    return path


def remove_pid(data_dir: Path) -> None:
    """Remove the pid file if it is this process's (another server may own it)."""
    path = pid_path(data_dir)
    if running_pid(data_dir) == os.getpid():
        path.unlink(missing_ok=True)


def running_pid(data_dir: Path) -> int | None:
    """Return the pid of the server running on ``data_dir``, None when none runs."""
    try:
        pid = int(pid_path(data_dir).read_text(encoding="ascii").strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


@dataclass(frozen=True, slots=True, kw_only=True)
class ReloadAnswer:
    """What the server logged after the signal (``lines`` empty: no answer)."""

    pid: int
    lines: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether the server says the new flows are in use."""
        return any("IVR flows reloaded" in line for line in self.lines)


def request_reload(pid: int, log_file: Path, *, wait: float = 5.0) -> ReloadAnswer:
    """Send SIGHUP to ``pid`` and wait up to ``wait`` s for its answer in the log."""
    start = log_file.stat().st_size if log_file.exists() else 0
    os.kill(pid, signal.SIGHUP)
    deadline = time.monotonic() + wait
    while True:
        found = _answer(_new_lines(log_file, start))
        if found or time.monotonic() >= deadline:
            return ReloadAnswer(pid=pid, lines=found)
        time.sleep(0.05)


def _answer(lines: list[str]) -> tuple[str, ...]:
    """Return the reload record: its ``IVR flows`` line and indented details."""
    for index, line in enumerate(lines):
        if RELOAD_MARK in line:
            details = itertools.takewhile(
                lambda text: text.startswith(" "), lines[index + 1 :]
            )
            return (line[line.index(RELOAD_MARK) :], *details)
    return ()


def _new_lines(log_file: Path, start: int) -> list[str]:
    try:
        with log_file.open("rb") as handle:
            handle.seek(start)
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    return text.splitlines()
