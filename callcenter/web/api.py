"""The read side of the REST API and the log-in session (``/api/v1``)."""

from aiohttp import web

from acd.errors import UnknownAgentError
from callcenter.domain.ids import AgentId
from callcenter.web.auth import SESSION_COOKIE
from callcenter.web.board import agent_row, complaint_summary, queue_rows
from callcenter.web.bodies import LoginBody, read_body
from callcenter.web.middleware import ApiError, require_supervisor, who
from callcenter.web.state import STATE

routes = web.RouteTableDef()


@routes.post("/api/v1/session")
async def log_in(request: web.Request) -> web.Response:
    """Check the credentials and open a session (cookie) with a CSRF token."""
    state = request.app[STATE]
    body = await read_body(request, LoginBody)
    opened = state.auth.log_in(body.username, body.password)
    if opened is None:
        raise ApiError(401, "bad_credentials", "unknown user or wrong password")
    session_id, identity = opened
    response = web.json_response(
        {
            "name": identity.name,
            "role": identity.role.value,
            "csrf_token": identity.csrf,
        }
    )
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        httponly=True,
        samesite="Strict",
        secure=state.settings.web.secure_cookies,
        path="/",
        max_age=int(state.settings.web.session_hours * 3600),
    )
    return response


@routes.get("/api/v1/session")
async def session_info(request: web.Request) -> web.Response:
    """Return who is logged in (and the CSRF token the page must send)."""
    identity = who(request)
    return web.json_response(
        {
            "name": identity.name,
            "role": identity.role.value,
            "csrf_token": identity.csrf,
        }
    )


@routes.delete("/api/v1/session")
async def log_out(request: web.Request) -> web.Response:
    """Close the session."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        request.app[STATE].auth.log_out(session)
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@routes.get("/api/v1/queues")
async def list_queues(request: web.Request) -> web.Response:
    """Return every queue's live figures."""
    state = request.app[STATE]
    now = state.center.clock.now()
    return web.json_response(
        queue_rows(state.center.switchboard.acd, now, state.settings.web.thresholds)
    )


@routes.get("/api/v1/queues/{name}")
async def one_queue(request: web.Request) -> web.Response:
    """Return one queue's live figures and the callers it holds."""
    state = request.app[STATE]
    acd, now = state.center.switchboard.acd, state.center.clock.now()
    name = request.match_info["name"]
    for row in queue_rows(acd, now, state.settings.web.thresholds):
        if row["name"] == name:
            waiting = [
                {"call_id": c.call_id, "position": c.position, "priority": c.priority,
                 "waited": round(c.waited, 1), "phase": c.phase, "callback": c.callback}
                for c in acd.waiting_calls(row["name"], now)
            ]  # fmt: skip
            return web.json_response({**row, "calls": waiting})
    raise ApiError(404, "not_found", f"no queue named {name!r}")


@routes.get("/api/v1/agents")
async def list_agents(request: web.Request) -> web.Response:
    """Return every agent: state, since when, calls handled, current caller."""
    state = request.app[STATE]
    now = state.center.clock.now()
    views = state.center.switchboard.acd.agents(now)
    return web.json_response([agent_row(v, state.calls, now) for v in views])


@routes.get("/api/v1/agents/{agent_id}")
async def one_agent(request: web.Request) -> web.Response:
    """Return one agent, with time per state and pause reason today."""
    state = request.app[STATE]
    now = state.center.clock.now()
    agent_id = request.match_info["agent_id"]
    try:
        view = state.center.switchboard.acd.agent_view(AgentId(agent_id), now)
    except UnknownAgentError:
        raise ApiError(404, "not_found", f"no agent with id {agent_id!r}") from None
    return web.json_response(
        {
            **agent_row(view, state.calls, now),
            "occupancy": view.occupancy,
            "seconds_by_state": view.seconds_by_state,
            "seconds_by_pause_reason": view.seconds_by_pause_reason,
        }
    )


@routes.get("/api/v1/calls")
async def calls_in_progress(request: web.Request) -> web.Response:
    """Return the calls in progress, oldest first."""
    calls = request.app[STATE].calls.calls.values()
    return web.json_response(
        [c.as_json() for c in sorted(calls, key=lambda c: c.offered_at)]
    )


@routes.get("/api/v1/stats")
async def stats(request: web.Request) -> web.Response:
    """Return the whole wallboard state (what the live stream starts with)."""
    return web.json_response(request.app[STATE].board.snapshot())


@routes.get("/api/v1/complaints")
async def complaints(request: web.Request) -> web.Response:
    """Return open and overdue complaints by severity, and the most overdue."""
    state = request.app[STATE]
    facts = await state.reports.complaints()
    return web.json_response(complaint_summary(facts, state.center.clock.now()))


@routes.get("/api/v1/alerts")
async def alerts(request: web.Request) -> web.Response:
    """Return the recent alerts, newest first."""
    return web.json_response(request.app[STATE].board.alerts.as_json())


@routes.get("/api/v1/audit")
async def audit(request: web.Request) -> web.Response:
    """Return the recent supervisor actions, newest first (supervisors only)."""
    require_supervisor(request)
    entries = request.app[STATE].audit.recent
    return web.json_response(
        [
            {"at": e.at, "supervisor": e.supervisor, "agent_id": e.agent_id,
             "action": e.action, "args": e.args, "ok": e.ok, "code": e.code}
            for e in entries
        ]
    )  # fmt: skip


@routes.get("/api/stats")
async def public_counts(request: web.Request) -> web.Response:
    """Return the center's aggregate counts (no names, no numbers), without log-in.

    Kept public for health checks and ``callcenter up``'s smoke test; the server
    binds to 127.0.0.1 unless configured otherwise.
    """
    return web.json_response(request.app[STATE].center.counters.snapshot())


@routes.get("/healthz")
async def health(request: web.Request) -> web.Response:
    """Answer liveness probes."""
    del request
    return web.json_response({"status": "ok"})
