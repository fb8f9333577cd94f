"""The aiohttp application: the supervisor page, ``/api/stats`` and ``/events``.

Live updates use server-sent events: the page opens ``/events`` and the server pushes a
fresh snapshot whenever the counts change (checked every 250 ms, so an update lands
within a second). The browser reconnects by itself. All assets are served from
``static/``: no CDN.
"""

import asyncio
import json
import logging
from pathlib import Path

from aiohttp import web

from callcenter.web.live import LiveCounters

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
COUNTERS = web.AppKey("counters", LiveCounters)
STOPPING = web.AppKey("stopping", asyncio.Event)
PUSH_INTERVAL = 0.25


async def index(request: web.Request) -> web.FileResponse:
    """Serve the supervisor page."""
    del request
    return web.FileResponse(STATIC / "index.html")


async def stats(request: web.Request) -> web.Response:
    """Return the live counts as JSON."""
    return web.json_response(request.app[COUNTERS].snapshot())


async def health(request: web.Request) -> web.Response:
    """Answer liveness probes."""
    del request
    return web.json_response({"status": "ok"})


async def events(request: web.Request) -> web.StreamResponse:
    """Stream a snapshot whenever the counts change (server-sent events)."""
    counters, stopping = request.app[COUNTERS], request.app[STOPPING]
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    seen = -1
    try:
        while not stopping.is_set():
            if counters.version != seen:
                seen = counters.version
                payload = json.dumps(counters.snapshot(), separators=(",", ":"))
                await response.write(f"data: {payload}\n\n".encode())
            await asyncio.sleep(PUSH_INTERVAL)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return response


async def _wake_streams(app: web.Application) -> None:
    app[STOPPING].set()


def create_app(counters: LiveCounters) -> web.Application:
    """Build the web application over ``counters``."""
    app = web.Application()
    app[COUNTERS] = counters
    app[STOPPING] = asyncio.Event()
    app.on_shutdown.append(_wake_streams)
    app.router.add_get("/", index)
    app.router.add_get("/api/stats", stats)
    app.router.add_get("/healthz", health)
    app.router.add_get("/events", events)
    app.router.add_static("/static/", STATIC)
    return app


async def start_web(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Start serving ``app``; a taken port raises ``OSError`` saying so."""
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        msg = f"cannot serve the supervisor page on {host}:{port}: {exc.strerror}"
        raise OSError(msg) from exc
    return runner
