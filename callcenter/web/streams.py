"""Live wallboard streams: WebSocket (``/ws``) and SSE (``/api/v1/live``).

Both send the same frames: a full ``snapshot`` first, then ``patch``es. Each client
reads its own bounded queue (``callcenter.web.hub``). The browser page uses the
WebSocket and reconnects by itself with backoff; terminals and ``curl`` use SSE,
whose ``retry:`` field makes ``EventSource`` reconnect after 1 s. Shutdown wakes
both kinds of handler at once.
"""

import asyncio
import contextlib

from aiohttp import WSMsgType, web

from callcenter.web.hub import CLOSED
from callcenter.web.state import STATE

routes = web.RouteTableDef()
HEARTBEAT = 15.0


@routes.get("/ws")
async def websocket(request: web.Request) -> web.WebSocketResponse:
    """Stream wallboard frames over a WebSocket."""
    hub = request.app[STATE].hub
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=4096)
    await ws.prepare(request)
    subscriber = hub.subscribe()
    reader = asyncio.create_task(_drain_incoming(ws))
    try:
        while not ws.closed:
            frame = await subscriber.next_frame()
            if frame == CLOSED:
                break
            await ws.send_str(frame.decode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        hub.unsubscribe(subscriber)
        reader.cancel()
        with contextlib.suppress(Exception):
            await ws.close()
    return ws


async def _drain_incoming(ws: web.WebSocketResponse) -> None:
    """Read (and ignore) what the client sends, so pings and closes are seen."""
    async for message in ws:
        if message.type in {WSMsgType.CLOSE, WSMsgType.ERROR}:
            break


@routes.get("/api/v1/live")
async def server_sent_events(request: web.Request) -> web.StreamResponse:
    """Stream wallboard frames as server-sent events (``event: snapshot|patch``)."""
    hub = request.app[STATE].hub
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    subscriber = hub.subscribe()
    try:
        await response.write(b"retry: 1000\n\n")
        while True:
            try:
                frame = await asyncio.wait_for(subscriber.next_frame(), HEARTBEAT)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if frame == CLOSED:
                break
            kind = b"snapshot" if frame.startswith(b'{"type":"snapshot"') else b"patch"
            await response.write(b"event: " + kind + b"\ndata: " + frame + b"\n\n")
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        hub.unsubscribe(subscriber)
    return response
