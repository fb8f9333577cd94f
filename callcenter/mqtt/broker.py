"""An MQTT broker inside the process, for single-machine runs and tests.

amqtt (MQTT 3.1.1) runs on our event loop. It binds ``0.0.0.0`` unless told
otherwise, so the bind address is always given; it accepts anonymous clients, which
is why it must stay on loopback. Its loggers are chatty (one INFO line per
connection and packet plugins), so they are lowered to WARNING while it runs.
Production sites use mosquitto with ACLs (``config/mosquitto/``).
"""

import asyncio
import logging
from types import TracebackType
from typing import Any, Self

from amqtt.broker import Broker

from callcenter.errors import CallCenterError

logger = logging.getLogger(__name__)

_NOISY_LOGGERS = ("amqtt", "transitions")
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class BrokerStartError(CallCenterError):
    """The embedded broker could not start (port taken, bad address)."""


class EmbeddedBroker:
    """Run an amqtt broker bound to loopback for the life of an ``async with``.

    Example::

        async with EmbeddedBroker(port=0) as broker:
            print(broker.port)  # the port actually bound
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        quiet: bool = True,
        allow_non_loopback: bool = False,
    ) -> None:
        """Prepare a broker on ``host:port`` (port 0 picks a free one).

        Raises:
            BrokerStartError: ``host`` is not a loopback address and
                ``allow_non_loopback`` is false (the broker has no authentication).
        """
        if host not in _LOOPBACK and not allow_non_loopback:
            msg = f"embedded MQTT broker refuses to bind {host}: it accepts anyone"
            raise BrokerStartError(msg)
        self.host = host
        self._requested_port = port
        self._quiet = quiet
        self._broker: Broker | None = None
        self._saved_levels: dict[str, int] = {}
        self.port = port
        """The port bound, known once started."""

    def _config(self) -> dict[str, Any]:
        bind = f"[{self.host}]" if ":" in self.host else self.host
        return {
            "listeners": {
                "default": {"type": "tcp", "bind": f"{bind}:{self._requested_port}"}
            },
            # No $SYS publisher, no packet logger: only anonymous loopback access.
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {
                    "allow_anonymous": True
                },
            },
        }

    def _silence(self) -> None:
        for name in _NOISY_LOGGERS:
            noisy = logging.getLogger(name)
            self._saved_levels[name] = noisy.level
            if noisy.getEffectiveLevel() < logging.WARNING:
                noisy.setLevel(logging.WARNING)

    def _restore(self) -> None:
        for name, level in self._saved_levels.items():
            logging.getLogger(name).setLevel(level)
        self._saved_levels.clear()

    async def start(self) -> None:
        """Start listening.

        Raises:
            BrokerStartError: The port is taken or the address cannot be bound.
        """
        if self._quiet:
            self._silence()
        broker = Broker(self._config())
        try:
            await broker.start()
        except Exception as exc:
            self._restore()
            msg = f"embedded MQTT broker cannot listen on {self.host}:{self._requested_port}: {exc}"  # noqa: E501
            raise BrokerStartError(msg) from exc
        self._broker = broker
        self.port = _bound_port(broker)
        logger.info("embedded MQTT broker listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Disconnect clients, close the listener and stop the broker's tasks."""
        broker, self._broker = self._broker, None
        if broker is None:
            return
        try:
            await broker.shutdown()
            # Cancelled-but-unfinished tasks of amqtt would otherwise outlive us.
            await asyncio.sleep(0)
        finally:
            self._restore()
            logger.info("embedded MQTT broker on %s:%d stopped", self.host, self.port)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


def _bound_port(broker: Broker) -> int:
    # amqtt keeps its asyncio.Server per listener; port 0 is only known from there.
    server = broker._servers["default"].instance  # noqa: SLF001
    return int(next(iter(server.sockets)).getsockname()[1])
