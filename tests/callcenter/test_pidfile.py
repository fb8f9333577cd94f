"""The server's pid file and ``callcenter ivr reload`` reading its answer back."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from click.testing import CliRunner

from callcenter.cli_ivr import ivr_group
from callcenter.pidfile import (
    pid_path,
    remove_pid,
    request_reload,
    running_pid,
    write_pid,
)

LOG_PREFIX = "2026-01-05 08:00:00,000 INFO    callcenter.serve: "


def dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def test_the_pid_file_names_this_process_until_removed(tmp_path: Path) -> None:
    assert running_pid(tmp_path) is None
    write_pid(tmp_path)
    assert running_pid(tmp_path) == os.getpid()
    remove_pid(tmp_path)
    assert not pid_path(tmp_path).exists()


def test_a_stale_or_foreign_pid_file_is_no_server_and_is_left_alone(
    tmp_path: Path,
) -> None:
    pid_path(tmp_path).write_text(f"{dead_pid()}\n", encoding="ascii")
    assert running_pid(tmp_path) is None
    remove_pid(tmp_path)  # not ours: another server may be starting
    assert pid_path(tmp_path).exists()
    pid_path(tmp_path).write_text("garbage", encoding="ascii")
    assert running_pid(tmp_path) is None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[list[str]]:
    """This process plays the server: on SIGHUP it logs the given answer."""
    answer: list[str] = []
    log = tmp_path / "logs" / "callcenter.log"
    log.parent.mkdir()
    log.write_text(LOG_PREFIX + "an earlier line\n", encoding="utf-8")

    def on_hup(_sig: int, _frame: FrameType | None) -> None:
        with log.open("a", encoding="utf-8") as handle:
            handle.write("".join(f"{line}\n" for line in answer))

    previous = signal.signal(signal.SIGHUP, on_hup)
    write_pid(tmp_path)
    try:
        yield answer
    finally:
        signal.signal(signal.SIGHUP, previous)
        remove_pid(tmp_path)


def test_a_good_reload_is_reported(tmp_path: Path, server: list[str]) -> None:
    server.append(LOG_PREFIX + "IVR flows reloaded (generation 1): main, survey")
    result = CliRunner().invoke(ivr_group, ["reload", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output == "IVR flows reloaded (generation 1): main, survey\n"


def test_a_refused_reload_shows_the_problems(tmp_path: Path, server: list[str]) -> None:
    server += [
        LOG_PREFIX + "IVR flows not reloaded, the old flows stay in use: 1 problem(s)",
        "  config/ivr/main.yaml:3: node 'a': next -> 'x' points to no node",
        LOG_PREFIX + "something else",
    ]
    result = CliRunner().invoke(ivr_group, ["reload", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "IVR flows not reloaded, the old flows stay in use: 1 problem(s)",
        "  config/ivr/main.yaml:3: node 'a': next -> 'x' points to no node",
    ]


def test_no_answer_in_the_log_is_said(tmp_path: Path, server: list[str]) -> None:
    del server  # the server logs nothing
    answer = request_reload(os.getpid(), tmp_path / "logs" / "callcenter.log", wait=0.2)
    assert answer.lines == ()
    assert not answer.ok
