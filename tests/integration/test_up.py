"""``callcenter up --for N`` as a user runs it: a real process, real ports, SQLite."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.services import free_port

REPO = Path(__file__).resolve().parents[2]


def poll_stats(
    port: int, process: subprocess.Popen[str], deadline: float
) -> dict[str, object] | None:
    """Return the first /api/stats snapshot that shows traffic, while the run lasts."""
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/stats", timeout=1
            ) as reply:
                assert reply.status == 200
                body: dict[str, object] = json.load(reply)
        except OSError:
            time.sleep(0.2)
            continue
        if isinstance(body.get("offered"), int) and body["offered"] > 0:  # type: ignore[operator]
            return body
        time.sleep(0.2)
    return None


def test_up_for_runs_serves_live_numbers_and_records_every_call(tmp_path: Path) -> None:
    web_port = free_port()
    command = [
        sys.executable,
        "-m",
        "callcenter",
        "up",
        "--for",
        "12",
        "--data-dir",
        str(tmp_path / "var"),
        "--web-port",
        str(web_port),
        "--mqtt-port",
        "0",
        "--calls-per-hour",
        "1800",
        "--seed",
        "5",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        snapshot = poll_stats(web_port, process, time.monotonic() + 60)
        stdout, stderr = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "supervisor page  http://127.0.0.1:" in stdout
    assert snapshot is not None, "the supervisor page never showed a call"
    assert "Traceback" not in stderr
    recorded = int(stderr.rsplit("callcenter stopped: ", 1)[1].split()[0])
    assert recorded > 0
    with sqlite3.connect(tmp_path / "var" / "callcenter.db") as db:
        rows = db.execute(
            "select call_id, outcome from interactions where call_id like 'sim-%'"
        ).fetchall()
    assert len(rows) == recorded
    assert len({call_id for call_id, _ in rows}) == recorded
    assert {outcome for _, outcome in rows} <= {
        "answered",
        "abandoned",
        "ivr_only",
        "callback",
        "voicemail",
        "overflowed",
        "unfinished",
        "failed",
    }


def test_ctrl_c_stops_cleanly_frees_ports_and_loses_no_record(tmp_path: Path) -> None:
    web_port, mqtt_port = free_port(), free_port()
    command = [
        sys.executable,
        "-m",
        "callcenter",
        "up",
        "--data-dir",
        str(tmp_path / "var"),
        "--web-port",
        str(web_port),
        "--mqtt-port",
        str(mqtt_port),
        "--calls-per-hour",
        "3600",
    ]
    process = subprocess.Popen(  # noqa: S603
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert poll_stats(web_port, process, time.monotonic() + 60) is not None
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    for port in (web_port, mqtt_port):  # nothing is left listening
        with socket.socket() as probe:
            # SO_REUSEADDR passes connections in TIME_WAIT but never a live listener.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
            probe.listen()
    recorded = int(stderr.rsplit("callcenter stopped: ", 1)[1].split()[0])
    with sqlite3.connect(tmp_path / "var" / "callcenter.db") as db:
        (rows,) = db.execute(
            "select count(*) from interactions where call_id like 'sim-%'"
        ).fetchone()
    assert rows == recorded > 0
