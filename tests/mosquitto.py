"""A real mosquitto on a free loopback port, for tests that need an MQTT broker.

Usage::

    with running_mosquitto() as broker:      # skips (fails under CI) if not installed
        connect("127.0.0.1", broker.port)
        broker.kill()                         # simulate a crash
        broker.start()                        # same port, same config

The broker gets a generated config file (``listener PORT 127.0.0.1``, anonymous
access, ``set_tcp_nodelay true``, no persistence); ``extra_config`` lines are added
(password files, ACLs). Works from sync and async tests alike: starting waits for
the port with short blocking polls.
"""

import contextlib
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from tests.services import free_port, require_binary

START_TIMEOUT = 5.0


class Mosquitto:
    """One mosquitto process that can be stopped, killed and started again."""

    def __init__(
        self,
        *,
        binary: str,
        workdir: Path,
        port: int,
        anonymous: bool = True,
        tcp_nodelay: bool = True,
        extra_config: Sequence[str] = (),
    ) -> None:
        self.binary = binary
        self.port = port
        self.config = workdir / "mosquitto.conf"
        self.log = workdir / "mosquitto.log"
        lines = [
            f"listener {port} 127.0.0.1",
            f"allow_anonymous {'true' if anonymous else 'false'}",
            f"set_tcp_nodelay {'true' if tcp_nodelay else 'false'}",
            "persistence false",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            # As root, mosquitto drops to user "mosquitto", who cannot read our
            # temporary files (password file, ACL): stay who we are.
            *(["user root"] if os.geteuid() == 0 else []),
            *extra_config,
        ]
        self.config.write_text("\n".join(lines) + "\n")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the broker and wait until it accepts connections."""
        if self.running:
            return
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - our binary, our config
                [self.binary, "-c", str(self.config)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                msg = f"mosquitto exited: {self.log.read_text(errors='replace')}"
                raise RuntimeError(msg)
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                return
            time.sleep(0.02)
        self.stop()
        msg = f"mosquitto did not listen on {self.port} within {START_TIMEOUT} s"
        raise RuntimeError(msg)

    def kill(self) -> None:
        """Kill the broker with SIGKILL, as a crash would."""
        self._end(kill=True)

    def stop(self) -> None:
        """Stop the broker with SIGTERM (clean shutdown)."""
        self._end(kill=False)

    def _end(self, *, kill: bool) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def running_mosquitto(
    *,
    port: int | None = None,
    anonymous: bool = True,
    tcp_nodelay: bool = True,
    extra_config: Sequence[str] = (),
) -> Iterator[Mosquitto]:
    """Run mosquitto on a free loopback port for the duration of the block."""
    binary = require_binary("mosquitto")
    with tempfile.TemporaryDirectory(prefix="mosquitto-") as workdir:
        broker = Mosquitto(
            binary=binary,
            workdir=Path(workdir),
            port=port or free_port(),
            anonymous=anonymous,
            tcp_nodelay=tcp_nodelay,
            extra_config=extra_config,
        )
        broker.start()
        try:
            yield broker
        finally:
            broker.stop()
