"""Finding the server binaries that tests start on loopback.

A test that needs a real server (mosquitto, PostgreSQL, Chromium) calls
``require_binary``. Where the binary is missing the test is skipped on a developer's
machine, but under ``CI=true`` it fails: CI must never pass by skipping.
"""

import glob
import os
import shutil
import socket

import pytest


def in_ci() -> bool:
    """Return whether we run under CI (``CI=true``)."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_binary(name: str, *candidates: str) -> str:
    """Return the path of a server binary, or skip (fail under CI) when missing.

    ``candidates`` are extra glob patterns tried after ``PATH`` (e.g. Debian puts
    PostgreSQL in ``/usr/lib/postgresql/*/bin/``).
    """
    found = shutil.which(name)
    if found is None:
        for pattern in (*candidates, f"/usr/sbin/{name}"):
            matches = sorted(glob.glob(pattern))  # noqa: PTH207 - absolute patterns
            if matches:
                found = matches[-1]
                break
    if found is None:
        message = f"{name} is not installed (run scripts/ensure-services)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return found


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
