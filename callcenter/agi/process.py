"""``callcenter-agi``: classic process AGI, one process per call, over pyst2.

Dialplan ``AGI(callcenter-agi,ivr/main,arg1)`` starts this program with the script name
as first argument; Asterisk talks over stdin/stdout and sends SIGHUP on hang-up. pyst2's
``asterisk.agi.AGI`` is the one part of pyst2 that works well on Python 3.11 (see
docs/AMI_AGI.md), so it reads the environment, installs the SIGHUP handler and writes
commands. Replies are parsed by our ``parse_result`` through an ``AgiSession`` rather
than by pyst2's ``get_result``, which raises on every ``result=-1`` (a missing prompt
is not a hang-up) and drops ``endpos`` and 520 usage text.

The handler is the same coroutine the FastAGI server runs. It is looked up by name in
``routes`` or imported from a ``package.module:function`` path.
"""

import asyncio
import importlib
import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any, cast

from asterisk.agi import AGI, AGIHangup

from callcenter.agi.channel import AgiChannel, Handler
from callcenter.agi.environment import AgiEnvironment
from callcenter.agi.errors import AgiError, AgiHangup
from callcenter.agi.protocol import (
    AgiResult,
    AgiSession,
    HangupRequested,
    SessionClosed,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Discard:
    """pyst2 narrates every line on stderr, which Asterisk copies to its console."""

    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        return None


class PystTransport:
    """Runs commands through a pyst2 ``AGI`` object (stdin/stdout)."""

    def __init__(self, agi: Any) -> None:
        """Wrap an ``asterisk.agi.AGI`` that has already read the environment."""
        self._agi = agi
        env = AgiEnvironment(variables=tuple(cast("dict[str, str]", agi.env).items()))
        self._session = AgiSession.resume(env)

    @property
    def environment(self) -> AgiEnvironment:
        """Return the ``agi_`` variables pyst2 read."""
        env = self._session.environment
        assert env is not None  # noqa: S101 - resume() sets it
        return env

    @property
    def hung_up(self) -> bool:
        """Return whether SIGHUP or a ``HANGUP`` line arrived."""
        return self._session.hung_up or bool(self._agi._got_sighup)  # noqa: SLF001

    async def execute(
        self,
        line: str,
        *,
        timeout: float | None = None,  # noqa: ARG002, ASYNC109 - blocking pipe
    ) -> AgiResult:
        """Send ``line`` and read its reply (blocking: one call per process)."""
        try:
            self._agi.test_hangup()
        except AGIHangup as exc:
            raise AgiHangup("Asterisk sent SIGHUP") from exc
        self._session.send_command(line)
        self._agi.send_command(line)
        while True:
            raw = self._agi.stdin.readline()
            data = raw.encode() if isinstance(raw, str) else bytes(raw)
            for message in self._session.receive_data(data):
                if isinstance(message, AgiResult):
                    return message
                if isinstance(message, SessionClosed):
                    raise AgiHangup("Asterisk closed stdin")
                if not isinstance(message, HangupRequested):
                    raise AgiError(f"unexpected AGI input: {message!r}")


def resolve_handler(name: str, routes: Mapping[str, Handler] | None = None) -> Handler:
    """Return the handler for ``name``: from ``routes``, or a ``module:function`` path.

    Raises:
        LookupError: nothing by that name.
    """
    if routes and name in routes:
        return routes[name]
    module_name, colon, attribute = name.partition(":")
    if not colon:
        raise LookupError(f"no AGI script named {name!r}")
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise LookupError(f"cannot import AGI script {name!r}: {exc}") from exc
    return cast("Handler", handler)


def main(
    argv: Sequence[str] | None = None,
    *,
    routes: Mapping[str, Handler] | None = None,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run one AGI script for one call; return the process exit status.

    The script name is the first argument, else the file name in ``agi_request``.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    err = stderr or sys.stderr
    agi = AGI(stdin=stdin or sys.stdin, stdout=stdout or sys.stdout, stderr=_Discard())
    transport = PystTransport(agi)
    name = args[0] if args else transport.environment.route
    try:
        handler = resolve_handler(name, routes)
    except LookupError as exc:
        err.write(f"callcenter-agi: {exc}\n")
        return EXIT_USAGE
    channel = AgiChannel(transport, transport.environment)
    try:
        asyncio.run(handler(channel))
    except AgiHangup:
        return EXIT_OK  # the caller left: a normal end of a call
    except AgiError as exc:
        err.write(f"callcenter-agi: {name}: {exc}\n")
        return EXIT_FAILED
    return EXIT_OK
