"""The supervisor web application: wallboard, actions, reports, REST API, metrics.

``create_app`` wires the parts (see ``callcenter.web.state``) over a ``CallCenter``;
``start_web`` serves it. The board is refreshed when an event arrives on the bus
(coalesced to at most one update per ``MIN_SPACING``) and at least every
``REFRESH`` seconds (windows slide, waits grow); complaints are re-read every
``web.complaints_refresh_seconds``. All assets are served from ``static/``: no CDN.
"""

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web

from callcenter.center import CallCenter, recordings_dir
from callcenter.settings import Settings
from callcenter.web import actions, api, metrics, openapi, report_views, streams
from callcenter.web import voicemails as voicemails_api
from callcenter.web.alerts import AlertMonitor
from callcenter.web.auth import Authenticator, Role, hash_password
from callcenter.web.board import Board, complaint_summary, encode
from callcenter.web.hub import Hub
from callcenter.web.middleware import access, errors
from callcenter.web.state import (
    STATE,
    AuditLog,
    NoReports,
    ReportSource,
    VoicemailSource,
    WebState,
)
from callcenter.web.tracking import CallTracker, DayChart

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
REFRESH = 1.0
MIN_SPACING = 0.1


def _users(settings: Settings) -> dict[str, tuple[str, Role]]:
    users = {
        u.name: (u.password_hash.get_secret_value(), Role(u.role))
        for u in settings.web.users
    }
    if not users:
        password = secrets.token_urlsafe(12)
        users["supervisor"] = (hash_password(password), Role.SUPERVISOR)
        logger.warning(
            "no [[web.users]] configured: for this run log in as 'supervisor' with "
            "password %s (see README, Supervisors)",
            password,
        )
    return users


def _build_state(
    center: CallCenter,
    settings: Settings,
    reports: ReportSource,
    voicemails: VoicemailSource | None,
) -> WebState:
    clock = center.clock.now
    calls = CallTracker()
    chart = DayChart(
        zone=ZoneInfo(settings.general.timezone),
        sl_seconds={q.name: q.service_level_seconds for q in settings.queues},
    )
    limits = settings.web.thresholds
    board = Board(
        acd=center.switchboard.acd,
        calls=calls,
        chart=chart,
        alerts=AlertMonitor(limits, center.bus.publish),
        limits=limits,
        clock=clock,
    )
    tokens = {
        t.sha256.get_secret_value().lower(): (t.name, Role(t.role))
        for t in settings.web.api_tokens
    }
    audit_path = settings.web.audit_log or settings.general.data_dir / "audit.jsonl"
    return WebState(
        settings=settings,
        center=center,
        board=board,
        hub=Hub(lambda: encode(board.snapshot())),
        auth=Authenticator(
            users=_users(settings),
            tokens=tokens,
            session_seconds=settings.web.session_hours * 3600,
        ),
        reports=reports,
        calls=calls,
        audit=AuditLog(publish=center.bus.publish, path=audit_path),
        recordings=recordings_dir(settings),
        voicemails=voicemails,
    )


def create_app(
    center: CallCenter,
    settings: Settings | None = None,
    *,
    reports: ReportSource | None = None,
    voicemails: VoicemailSource | None = None,
) -> web.Application:
    """Build the web application over a call center.

    Args:
        center: the running (or about to run) call center.
        settings: defaults to the center's own settings.
        reports: where reports and complaint tiles read facts; without one, every
            period is empty (e.g. a center without a database).
        voicemails: the CRM's voicemail box; without one the voicemail API
            answers 409 ``no_database``.
    """
    settings = settings or center.settings
    state = _build_state(center, settings, reports or NoReports(), voicemails)
    app = web.Application(middlewares=[errors, access], client_max_size=64 * 1024)
    app[STATE] = state
    for listener in (
        state.calls,
        state.board.chart,
        state.changed,
        state.audit.observe,
    ):
        state.unlisten.append(center.bus.add_listener(listener))
    app.on_startup.append(_start)
    app.on_shutdown.append(_wake_streams)
    app.on_cleanup.append(_stop)
    modules = (api, actions, report_views, streams, metrics, openapi, voicemails_api)
    for module in modules:
        app.router.add_routes(module.routes)
    app.router.add_get("/", _page("index.html"))
    app.router.add_get("/login", _page("login.html"))
    app.router.add_get("/reports", _page("reports.html"))
    app.router.add_get("/voicemail", _page("voicemail.html"))
    app.router.add_static("/static/", STATIC)
    return app


def _page(name: str) -> Callable[[web.Request], Awaitable[web.FileResponse]]:
    async def serve(request: web.Request) -> web.FileResponse:
        del request
        return web.FileResponse(STATIC / name, headers={"Cache-Control": "no-store"})

    return serve


async def _start(app: web.Application) -> None:
    state = app[STATE]
    state.board.refresh()
    state.tasks.append(asyncio.create_task(_publish_loop(state), name="wallboard"))
    state.tasks.append(asyncio.create_task(_complaints_loop(state), name="complaints"))


async def _wake_streams(app: web.Application) -> None:
    app[STATE].hub.close()


async def _stop(app: web.Application) -> None:
    state = app[STATE]
    for task in state.tasks:
        task.cancel()
    for task in state.tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    for remove in state.unlisten:
        remove()


async def _publish_loop(state: WebState) -> None:
    """Refresh the board on change (coalesced) or every ``REFRESH`` seconds."""
    last = 0.0
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(state.dirty.wait(), REFRESH)
        spacing = MIN_SPACING - (time.monotonic() - last)
        if spacing > 0:
            await asyncio.sleep(spacing)
        state.dirty.clear()
        changed_at, state.first_change = state.first_change, None
        last = time.monotonic()
        try:
            patch = state.board.refresh()
        except Exception:  # a bad refresh must not end live updates
            logger.exception("wallboard refresh failed")
            continue
        if patch is not None:
            patch["changed_at"] = changed_at or time.time()
            state.hub.publish(encode(patch))


async def _complaints_loop(state: WebState) -> None:
    """Re-read open complaints; alert on the ones that became overdue."""
    every = state.settings.web.complaints_refresh_seconds
    while True:
        try:
            facts = await state.reports.complaints()
        except Exception as exc:  # noqa: BLE001 - the database may come back
            logger.warning("cannot read complaints: %s", exc)
        else:
            now = state.center.clock.now()
            state.board.complaints = complaint_summary(facts, now)
            state.board.alerts.check_complaints(facts, now)
            state.dirty.set()
        await asyncio.sleep(every)


async def start_web(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Start serving ``app``; a taken port raises ``OSError`` saying so."""
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        msg = f"cannot serve the supervisor page on {host}:{port}: {exc.strerror}"
        raise OSError(msg) from exc
    return runner
