"""asyncio FastAGI server: one ``AgiSession`` per connection, routed by script name.

Dialplan ``AGI(agi://host:4573/ivr/main,arg1)`` opens a TCP connection per call; the
server reads the environment, picks the handler registered for ``ivr/main`` and runs
``await handler(channel)``. Three rules keep calls healthy:

* Asterisk never closes the socket: the channel is not released until *we* close, so
  the socket is closed the moment the handler returns, fails or times out.
* A caller hanging up is normal: ``AgiHangup`` inside a handler ends the session with
  one info line, never a traceback.
* A stalled peer cannot pin a session: the environment, every command and (optionally)
  the whole session have timeouts.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Self

from callcenter.agi.channel import AgiChannel, Handler
from callcenter.agi.environment import AgiEnvironment
from callcenter.agi.errors import (
    AgiError,
    AgiHangup,
    AgiRemoteProtocolError,
    AgiTimeout,
)
from callcenter.agi.protocol import (
    AgiResult,
    AgiSession,
    HangupRequested,
    ProtocolViolation,
    SessionClosed,
)

_READ_SIZE = 65536


class StreamTransport:
    """Runs AGI commands over one FastAGI TCP connection."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        command_timeout: float | None,
    ) -> None:
        """Wrap an accepted connection; nothing is read until asked."""
        self._reader, self._writer = reader, writer
        self._session = AgiSession()
        self._command_timeout = command_timeout
        self._results: list[AgiResult] = []

    @property
    def hung_up(self) -> bool:
        """Return whether Asterisk sent the ``HANGUP`` line."""
        return self._session.hung_up

    async def read_environment(self, timeout: float) -> AgiEnvironment:  # noqa: ASYNC109
        """Read the ``agi_`` block.

        Raises:
            AgiTimeout: not complete within ``timeout`` seconds.
            AgiHangup: the peer closed first.
        """
        try:
            async with asyncio.timeout(timeout):
                while self._session.environment is None:
                    await self._pump()
        except TimeoutError:
            raise AgiTimeout("no AGI environment in time") from None
        return self._session.environment

    async def execute(
        self,
        line: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - per command
    ) -> AgiResult:
        """Send one command and wait for its reply (noting ``HANGUP`` lines)."""
        self._writer.write(self._session.send_command(line))
        try:
            async with asyncio.timeout(timeout or self._command_timeout):
                while not self._results:
                    await self._pump()
        except TimeoutError:
            raise AgiTimeout(f"no reply to {line!r} in time") from None
        return self._results.pop(0)

    async def _pump(self) -> None:
        data = await self._reader.read(_READ_SIZE)
        for message in self._session.receive_data(data):
            match message:
                case AgiResult():
                    self._results.append(message)
                case HangupRequested() | AgiEnvironment():
                    pass
                case ProtocolViolation():
                    raise AgiRemoteProtocolError(
                        f"{message.reason}: {message.excerpt!r}"
                    )
                case SessionClosed():
                    raise AgiHangup("Asterisk closed the AGI connection")


class FastAgiServer:
    """FastAGI server: ``async with FastAgiServer(routes={"ivr/main": h}) as srv:``."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 4573,
        routes: Mapping[str, Handler] | None = None,
        logger: logging.Logger | None = None,
        env_timeout: float = 10.0,
        command_timeout: float | None = 3600.0,
        session_timeout: float | None = None,
        backlog: int = 1024,
    ) -> None:
        """Configure; ``port=0`` picks a free port (read it back from ``port``).

        Args:
            host: address to bind; loopback by default, Asterisk usually runs beside us.
            port: TCP port (4573 is the FastAGI default).
            routes: script name (``ivr/main``) to handler.
            logger: where session outcomes are logged.
            env_timeout: seconds to wait for the ``agi_`` block.
            command_timeout: seconds to wait for one command's reply (EXEC Dial may
                legitimately run long; a stalled peer must not run forever).
            session_timeout: optional cap on one whole handler run.
            backlog: listen backlog; call bursts open many connections at once.
        """
        self.host, self.port = host, port
        self.routes: dict[str, Handler] = dict(routes or {})
        self.log = logger or logging.getLogger(__name__)
        self.env_timeout = env_timeout
        self.command_timeout = command_timeout
        self.session_timeout = session_timeout
        self.backlog = backlog
        self._server: asyncio.Server | None = None
        self._sessions: set[asyncio.Task[None]] = set()

    def route(self, name: str) -> Callable[[Handler], Handler]:
        """Register the decorated coroutine as the handler of script ``name``."""

        def register(handler: Handler) -> Handler:
            self.routes[name.strip("/")] = handler
            return handler

        return register

    @property
    def active_sessions(self) -> int:
        """Return how many calls are being served now."""
        return len(self._sessions)

    async def start(self) -> None:
        """Bind and start accepting connections."""
        self._server = await asyncio.start_server(
            self._serve, self.host, self.port, backlog=self.backlog
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self.log.info("FastAGI listening on %s:%d", self.host, self.port)

    async def close(self) -> None:
        """Stop accepting, end running sessions (closing their sockets) and wait."""
        if self._server is not None:
            self._server.close()
        for task in list(self._sessions):
            task.cancel()
        await asyncio.gather(*self._sessions, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None  # noqa: S101 - always inside a task here
        self._sessions.add(task)
        peer = writer.get_extra_info("peername")
        try:
            await self._run_session(reader, writer, peer)
        except asyncio.CancelledError:
            # Only close() (or loop shutdown) cancels a session. The task belongs to
            # asyncio's stream server, whose done-callback calls task.exception(),
            # which raises for a cancelled task and is logged as "Exception in
            # callback": end normally instead.
            task.uncancel()
            self.log.debug("FastAGI session from %s ended by server close", peer)
        finally:
            self._sessions.discard(task)
            writer.close()
            with contextlib.suppress(OSError, TimeoutError, asyncio.CancelledError):
                async with asyncio.timeout(1.0):
                    await writer.wait_closed()

    async def _run_session(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: object
    ) -> None:
        transport = StreamTransport(
            reader, writer, command_timeout=self.command_timeout
        )
        script = "?"
        try:
            env = await transport.read_environment(self.env_timeout)
            script = env.route
            handler = self.routes.get(script)
            if handler is None:
                self.log.warning(
                    "FastAGI: no handler for script %r from %s", script, peer
                )
                return
            async with asyncio.timeout(self.session_timeout):
                await handler(AgiChannel(transport, env))
            self.log.debug("FastAGI %s on %s done", script, env.channel)
        except AgiHangup as exc:
            self.log.info("FastAGI %s: caller hung up (%s)", script, exc)
        except (AgiTimeout, TimeoutError):
            self.log.warning(
                "FastAGI %s from %s stalled; closing the session", script, peer
            )
        except AgiError as exc:
            self.log.warning("FastAGI %s failed: %s", script, exc)
        except (ConnectionError, OSError) as exc:
            self.log.info("FastAGI %s: connection lost (%s)", script, exc)
        except Exception:
            self.log.exception("FastAGI handler for %r raised", script)
