"""What the web page's monitor actions need: the supervisor's phone, the outcome.

A monitor request is answered by the switchboard at once (checked, handed to the PBX)
but carried out by the PBX afterwards: the simulation starts it at once, Asterisk
rings the supervisor's phone first. ``Outcome`` catches the PBX's answer from the bus
(a listener installed *before* the request is submitted, so nothing is missed), and
the handler waits for it for at most ``WAIT`` seconds: a definite answer when there
is one (started, changed, stopped, failed), else ``202`` while the phone rings.
"""

import asyncio
import contextlib
from collections.abc import Callable
from types import TracebackType
from typing import Self

from callcenter.bus import EventBus
from callcenter.center import agent_endpoint
from callcenter.domain.events import DomainEvent
from callcenter.domain.supervision import MonitorEvent, MonitorMode
from callcenter.settings import Settings
from callcenter.web.middleware import ApiError

WAIT = 2.0
"""Seconds a request waits for the PBX's answer before it answers 202."""

DOING = {
    MonitorMode.LISTEN: "listening to",
    MonitorMode.WHISPER: "whispering to",
    MonitorMode.BARGE: "barging into the call of",
}


def supervisor_phone(settings: Settings, name: str, extension: str | None) -> str:
    """Return the endpoint that reaches supervisor ``name`` (the request's first).

    A bare extension (``2001``) becomes an endpoint like agents' phones do
    (``[pbx] agent_endpoint``: ``PJSIP/2001``; ``sim/2001`` in the simulation).

    Raises:
        ApiError: 422 ``no_phone`` when neither the request nor the settings name one.
    """
    phone = extension or next(
        (u.phone for u in settings.web.users if u.name == name and u.phone), None
    )
    if phone is None:
        msg = (
            f"no phone to reach {name} on: send extension (e.g. PJSIP/2001) "
            "or set phone under [[web.users]]"
        )
        raise ApiError(422, "no_phone", msg)
    return phone if "/" in phone else agent_endpoint(settings, phone)


class Outcome:
    """The monitor events that a request is waiting for, caught from the bus."""

    def __init__(self, bus: EventBus, match: Callable[[MonitorEvent], bool]) -> None:
        """Catch the monitor events ``match`` accepts once entered."""
        self._bus, self._match = bus, match
        self._seen: list[MonitorEvent] = []
        self._arrived = asyncio.Event()
        self._remove: Callable[[], None] | None = None

    def __enter__(self) -> Self:
        self._remove = self._bus.add_listener(self._hear)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._remove is not None:
            self._remove()

    def _hear(self, event: DomainEvent) -> None:
        if isinstance(event, MonitorEvent) and self._match(event):
            self._seen.append(event)
            self._arrived.set()

    async def first(
        self, accept: Callable[[MonitorEvent], bool], wait: float | None = None
    ) -> MonitorEvent | None:
        """Return the first event caught that ``accept`` takes within ``WAIT`` s."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(WAIT if wait is None else wait):
                while (found := self._find(accept)) is None:
                    self._arrived.clear()
                    await self._arrived.wait()
                return found
        return self._find(accept)

    def _find(self, accept: Callable[[MonitorEvent], bool]) -> MonitorEvent | None:
        return next((e for e in self._seen if accept(e)), None)
