"""What every handler of the web app shares, under one typed ``web.AppKey``."""

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from aiohttp import web

from callcenter.center import CallCenter
from callcenter.domain.events import DomainEvent, SupervisorActed
from callcenter.domain.supervision import ended_by_itself
from callcenter.settings import Settings
from callcenter.web.auth import Authenticator
from callcenter.web.board import Board
from callcenter.web.hub import Hub
from callcenter.web.tracking import CallTracker
from crm_link.dto import VoicemailRecord
from crm_link.reporting import (
    AgentIntervalFact,
    ComplaintFact,
    InteractionFact,
    SurveyFact,
)

logger = logging.getLogger(__name__)


class ReportSource(Protocol):
    """Where reports and complaint tiles read their facts (``ReportingReader``)."""

    async def interactions(self, start: float, end: float) -> list[InteractionFact]:
        """Return the calls offered in ``[start, end)``."""
        ...

    async def complaints(
        self, start: float | None = None, end: float | None = None
    ) -> list[ComplaintFact]:
        """Return complaints opened in ``[start, end)``; no bounds: the open ones."""
        ...

    async def surveys(self, start: float, end: float) -> list[SurveyFact]:
        """Return survey scores given in ``[start, end)``."""
        ...

    async def agent_intervals(
        self, start: float, end: float
    ) -> list[AgentIntervalFact]:
        """Return the agent state stretches overlapping ``[start, end)``."""
        ...


class VoicemailSource(Protocol):
    """Where the voicemail pages read and handle messages (``VoicemailBox``)."""

    async def list_voicemails(
        self,
        *,
        mailbox: str | None = None,
        handled: bool | None = None,
        limit: int = 100,
    ) -> list[VoicemailRecord]:
        """Return messages newest first, of one mailbox and handled or not."""
        ...  # fmt: skip

    async def get_voicemail(self, voicemail_id: int) -> VoicemailRecord:
        """Return one message (``NotFoundError`` when none has that id)."""
        ...

    async def mark_handled(
        self, voicemail_id: int, *, by: str, at: float
    ) -> VoicemailRecord:
        """Record who dealt with the message and when (once); return it."""
        ...


class NoReports:
    """A report source without a database: every period is empty."""

    async def interactions(self, start: float, end: float) -> list[InteractionFact]:
        """Return nothing."""
        del start, end
        return []

    async def complaints(
        self, start: float | None = None, end: float | None = None
    ) -> list[ComplaintFact]:
        """Return nothing."""
        del start, end
        return []

    async def surveys(self, start: float, end: float) -> list[SurveyFact]:
        """Return nothing."""
        del start, end
        return []

    async def agent_intervals(
        self, start: float, end: float
    ) -> list[AgentIntervalFact]:
        """Return nothing."""
        del start, end
        return []


@dataclass(slots=True)
class AuditLog:
    """Every supervisor action, on the bus, in a JSON-lines file and in memory."""

    publish: Callable[[DomainEvent], None]
    path: Path | None = None
    recent: deque[SupervisorActed] = field(default_factory=lambda: deque(maxlen=200))

    def observe(self, event: DomainEvent) -> None:
        """Audit a monitor that ended by itself (a bus listener)."""
        entry = ended_by_itself(event)
        if entry is not None:
            self.record(entry)

    def record(self, entry: SupervisorActed) -> None:
        """Keep ``entry``; a file that cannot be written is logged, never fatal."""
        self.recent.appendleft(entry)
        self.publish(entry)
        if self.path is None:
            return
        line = json.dumps(
            {
                "at": entry.at,
                "supervisor": entry.supervisor,
                "agent_id": entry.agent_id,
                "action": entry.action,
                "args": entry.args,
                "ok": entry.ok,
                "code": entry.code,
            }
        )
        try:
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line + "\n")
        except OSError as exc:
            logger.warning("cannot write the audit log %s: %s", self.path, exc)


@dataclass(slots=True)
class WebState:
    """The parts of a running wallboard server."""

    settings: Settings
    center: CallCenter
    board: Board
    hub: Hub
    auth: Authenticator
    reports: ReportSource
    calls: CallTracker
    audit: AuditLog
    recordings: Path
    voicemails: VoicemailSource | None = None
    dirty: asyncio.Event = field(default_factory=asyncio.Event)
    first_change: float | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    unlisten: list[Callable[[], None]] = field(default_factory=list)

    def changed(self, event: DomainEvent) -> None:
        """Bus listener: something happened, refresh the board soon."""
        del event
        if self.first_change is None:
            self.first_change = time.time()
        self.dirty.set()


STATE = web.AppKey("state", WebState)
