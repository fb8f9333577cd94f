"""Where the terminal wallboard gets its frames: the server's SSE stream.

``SseSource`` follows ``/api/v1/live`` with a bearer token and reconnects by itself
(1 s, then backing off to 10 s), yielding each decoded frame; a ``status`` frame
(``{"type": "status", ...}``) tells the screen when the link drops or comes back.
"""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol

import aiohttp

logger = logging.getLogger(__name__)


class LiveSource(Protocol):
    """A stream of wallboard frames (snapshot, patches, status)."""

    def frames(self) -> AsyncIterator[dict[str, Any]]:
        """Yield frames until cancelled."""
        ...


class SseSource:
    """Frames from the wallboard server over server-sent events."""

    def __init__(self, base_url: str, token: str, *, max_backoff: float = 10.0) -> None:
        """Follow ``base_url`` + ``api/v1/live`` with ``token``."""
        self._url = base_url.rstrip("/") + "/api/v1/live"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._max_backoff = max_backoff

    async def frames(self) -> AsyncIterator[dict[str, Any]]:
        """Yield frames forever, reconnecting after any failure."""
        backoff = 1.0
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=45)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                try:
                    async for frame in self._follow(session):
                        backoff = 1.0
                        yield frame
                    reason = "the server closed the stream"
                except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                    reason = str(exc) or type(exc).__name__
                yield {"type": "status", "connected": False, "reason": reason}
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)

    async def _follow(
        self, session: aiohttp.ClientSession
    ) -> AsyncIterator[dict[str, Any]]:
        async with session.get(self._url, headers=self._headers) as response:
            if response.status != 200:  # noqa: PLR2004
                body = await response.text()
                msg = f"HTTP {response.status}: {body[:200]}"
                raise aiohttp.ClientError(msg)
            yield {"type": "status", "connected": True, "reason": ""}
            async for line in response.content:
                if line.startswith(b"data: "):
                    yield json.loads(line[6:])
