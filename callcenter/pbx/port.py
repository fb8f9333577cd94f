"""The PBX port: how the call-center core drives any PBX.

The core sends ``PbxCommand`` objects (answer, play, say, collect digits, hold,
connect to an agent, hang up, transfer, originate a callback) and hears back domain
events through the sink it attached. A simulated PBX also has a timeline of its own
(callers arriving, agents answering): the runtime asks it for ``next_due`` and lets it
``fire_due`` so virtual time can jump from one happening to the next. A real PBX has
no timeline (``next_due`` is ``None``); its events arrive whenever the wire says so.
"""

from collections.abc import Callable
from typing import Protocol

from callcenter.domain.commands import PbxCommand
from callcenter.domain.events import DomainEvent

EventSink = Callable[[DomainEvent], None]


class PbxPort(Protocol):
    """A PBX as the call-center core sees it."""

    def attach(self, sink: EventSink) -> None:
        """Deliver every PBX event to ``sink`` from now on."""
        ...

    async def start(self) -> None:
        """Connect or start; return when commands can be executed."""
        ...

    async def close(self) -> None:
        """Stop cleanly: no task left running, no socket left open."""
        ...

    async def execute(self, command: PbxCommand) -> None:
        """Carry out a command; outcomes arrive later as events.

        A command for a call that is already gone is ignored (the PBX reports the
        hang-up as an event), never raised: hang-ups race with everything.
        """
        ...

    def next_due(self) -> float | None:
        """Return when the PBX's own timeline next produces events, if it has one."""
        ...

    def fire_due(self, now: float) -> None:
        """Deliver the events of the timeline that are due by ``now``."""
        ...
