"""Supervisor actions on agents (web page and REST API), audited.

Each action becomes a ``SupervisorCommand`` that the runtime hands to the
switchboard, whose ACD applies its usual rules; the reply says whether it was
carried out. Every attempt, accepted or refused, is audited (bus, file, memory).
Monitoring (listen, whisper, barge) bridges the supervisor's phone into the agent's
call through the PBX, which answers after the switchboard: those handlers wait
briefly for the PBX's outcome (``callcenter.web.monitoring``) and audit that.
"""

import secrets

from aiohttp import web

from acd.errors import UnknownAgentError
from callcenter.core.messages import AgentReply, SupervisorCommand
from callcenter.domain.events import SupervisorActed
from callcenter.domain.ids import AgentId, QueueName
from callcenter.domain.supervision import (
    MonitorEnded,
    MonitorEvent,
    MonitorFailed,
    MonitorMode,
    MonitorModeChanged,
    MonitorStarted,
)
from callcenter.web.bodies import MonitorBody, PauseBody, PenaltyBody, read_body
from callcenter.web.middleware import ApiError, require_supervisor
from callcenter.web.monitoring import DOING, Outcome, supervisor_phone
from callcenter.web.state import STATE

routes = web.RouteTableDef()
_STATUS = {"bad_request": 422, "unknown-queue": 404, "unknown-agent": 404}


def _agent(request: web.Request) -> AgentId:
    require_supervisor(request)
    agent = AgentId(request.match_info["agent_id"])
    try:
        request.app[STATE].center.switchboard.acd.agent_state(agent)
    except UnknownAgentError:
        raise ApiError(404, "not_found", f"no agent with id {agent!r}") from None
    return agent


async def _act(
    request: web.Request, agent: AgentId, action: str, args: dict[str, str]
) -> web.Response:
    reply = await _submit(request, agent, action, args)
    _audit(request, agent, action, args, ok=reply.ok, code=reply.code)
    if not reply.ok:
        raise ApiError(_STATUS.get(reply.code, 409), reply.code, reply.message)
    return web.json_response(
        {"ok": True, "agent_id": agent, "action": action, "state": reply.state}
    )


async def _submit(
    request: web.Request, agent: AgentId, action: str, args: dict[str, str]
) -> AgentReply:
    command = SupervisorCommand(
        supervisor=require_supervisor(request).name,
        agent_id=agent,
        action=action,
        args=args,
        request_id=secrets.token_hex(8),
    )
    try:
        return await request.app[STATE].center.runtime.command(command)
    except TimeoutError:
        raise ApiError(409, "not_running", "the call center is not running") from None


def _audit(
    request: web.Request,
    agent: AgentId,
    action: str,
    args: dict[str, str],
    *,
    ok: bool,
    code: str,
) -> None:
    state = request.app[STATE]
    state.audit.record(
        SupervisorActed(
            at=state.center.clock.now(), supervisor=require_supervisor(request).name,
            agent_id=agent, action=action, args=args, ok=ok, code=code,
        )
    )  # fmt: skip


@routes.post("/api/v1/agents/{agent_id}/logout")
async def log_agent_out(request: web.Request) -> web.Response:
    """Log the agent out (after the current call, if any)."""
    return await _act(request, _agent(request), "logout", {})


@routes.post("/api/v1/agents/{agent_id}/pause")
async def pause_agent(request: web.Request) -> web.Response:
    """Pause the agent with a reason (after the current call, if any)."""
    agent = _agent(request)
    body = await read_body(request, PauseBody)
    return await _act(request, agent, "pause", {"reason": body.reason})


@routes.post("/api/v1/agents/{agent_id}/unpause")
async def unpause_agent(request: web.Request) -> web.Response:
    """Make a paused agent available again."""
    return await _act(request, _agent(request), "unpause", {})


@routes.put("/api/v1/agents/{agent_id}/queues/{queue}")
async def put_membership(request: web.Request) -> web.Response:
    """Add the agent to a queue at a penalty, or change the penalty."""
    agent = _agent(request)
    queue = _queue(request)
    body = await read_body(request, PenaltyBody)
    view = request.app[STATE].center.switchboard.acd.agent_view(agent, 0.0)
    action = "set_penalty" if queue in view.queues else "add_queue"
    return await _act(
        request, agent, action, {"queue": queue, "penalty": str(body.penalty)}
    )


@routes.delete("/api/v1/agents/{agent_id}/queues/{queue}")
async def delete_membership(request: web.Request) -> web.Response:
    """Remove the agent from a queue."""
    agent = _agent(request)
    queue = _queue(request)
    return await _act(request, agent, "remove_queue", {"queue": queue})


@routes.post("/api/v1/agents/{agent_id}/monitor")
async def monitor_agent(request: web.Request) -> web.Response:
    """Listen to, whisper to (coach) or barge into the agent's call on one's phone.

    Asking again in another mode switches mode on the same phone call.
    """
    agent = _agent(request)
    body = await read_body(request, MonitorBody)
    name = require_supervisor(request).name
    state = request.app[STATE]
    endpoint = supervisor_phone(state.settings, name, body.extension)
    args = {"mode": body.mode, "endpoint": endpoint}
    with Outcome(state.center.bus, lambda e: e.endpoint == endpoint) as outcome:
        reply = await _submit(request, agent, "monitor", args)
        event = None
        if reply.ok and reply.state.get("monitor") == "requested":
            call = reply.state.get("call_id")
            event = await outcome.first(
                lambda e: e.call_id == call and not isinstance(e, MonitorEnded)
            )
    failed = event if isinstance(event, MonitorFailed) else None
    ok, code = reply.ok and failed is None, failed.code if failed else reply.code
    _audit(request, agent, "monitor", args, ok=ok, code=code)
    if not reply.ok:
        raise ApiError(_STATUS.get(reply.code, 409), reply.code, reply.message)
    if failed is not None:
        raise ApiError(409, failed.code, failed.message)
    return _monitor_answer(agent, MonitorMode(body.mode), endpoint, reply, event)


def _monitor_answer(
    agent: AgentId,
    mode: MonitorMode,
    endpoint: str,
    reply: AgentReply,
    event: MonitorEvent | None,
) -> web.Response:
    doing = f"{DOING[mode]} agent {agent} on {endpoint}"
    match event:
        case MonitorStarted():
            status, message = "started", doing
        case MonitorModeChanged():
            status, message = "changed", doing
        case _ if reply.state.get("monitor") == "unchanged":
            status, message = "unchanged", doing
        case _:
            status = "ringing"
            message = f"calling {endpoint}: pick up to start {DOING[mode]} {agent}"
    body = {
        "ok": True, "agent_id": agent, "action": "monitor", "status": status,
        "mode": mode.value, "endpoint": endpoint, "call_id": reply.state.get("call_id"),
        "message": message, "state": reply.state,
    }  # fmt: skip
    return web.json_response(body, status=202 if status == "ringing" else 200)


@routes.delete("/api/v1/agents/{agent_id}/monitor")
async def stop_monitoring(request: web.Request) -> web.Response:
    """Stop monitoring the agent: the supervisor's phone leaves the call."""
    agent = _agent(request)
    name = require_supervisor(request).name
    state = request.app[STATE]

    def mine(event: MonitorEvent) -> bool:
        return event.agent_id == agent and event.supervisor == name

    with Outcome(state.center.bus, mine) as outcome:
        reply = await _submit(request, agent, "stop_monitor", {})
        ended = None
        if reply.ok:
            ended = await outcome.first(lambda e: isinstance(e, MonitorEnded))
    args = {"endpoint": str(reply.state.get("endpoint") or "")} if reply.ok else {}
    _audit(request, agent, "stop_monitor", args, ok=reply.ok, code=reply.code)
    if not reply.ok:
        raise ApiError(_STATUS.get(reply.code, 409), reply.code, reply.message)
    status = "stopped" if ended is not None else "stopping"
    body = {
        "ok": True, "agent_id": agent, "action": "stop_monitor", "status": status,
        "endpoint": args["endpoint"], "message": f"{status} monitoring agent {agent}",
        "state": reply.state,
    }  # fmt: skip
    return web.json_response(body, status=200 if ended is not None else 202)


@routes.get("/api/v1/monitors")
async def monitors(request: web.Request) -> web.Response:
    """Return who monitors whom: every supervisor's phone in (or ringing for) a call."""
    require_supervisor(request)
    sessions = request.app[STATE].center.switchboard.monitors.sessions
    return web.json_response([s.as_json() for s in sessions])


def _queue(request: web.Request) -> QueueName:
    name = QueueName(request.match_info["queue"])
    if name not in request.app[STATE].center.switchboard.acd.queue_names():
        raise ApiError(404, "not_found", f"no queue named {name!r}")
    return name
