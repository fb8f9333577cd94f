"""Supervisor actions on agents (web page and REST API), audited.

Each action becomes a ``SupervisorCommand`` that the runtime hands to the
switchboard, whose ACD applies its usual rules; the reply says whether it was
carried out. Every attempt, accepted or refused, is audited (bus, file, memory).
Silent monitoring and whisper need a PBX that can bridge a supervisor's phone into a
call: neither the simulated PBX nor the Asterisk adapter offers it yet, so the
endpoint answers 409 ``pbx_unsupported`` rather than pretending.
"""

import secrets

from aiohttp import web

from acd.errors import UnknownAgentError
from callcenter.core.messages import SupervisorCommand
from callcenter.domain.events import SupervisorActed
from callcenter.domain.ids import AgentId, QueueName
from callcenter.web.bodies import MonitorBody, PauseBody, PenaltyBody, read_body
from callcenter.web.middleware import ApiError, require_supervisor
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
    supervisor = require_supervisor(request)
    state = request.app[STATE]
    command = SupervisorCommand(
        supervisor=supervisor.name,
        agent_id=agent,
        action=action,
        args=args,
        request_id=secrets.token_hex(8),
    )
    try:
        reply = await state.center.runtime.command(command)
    except TimeoutError:
        raise ApiError(409, "not_running", "the call center is not running") from None
    state.audit.record(
        SupervisorActed(
            at=state.center.clock.now(), supervisor=supervisor.name, agent_id=agent,
            action=action, args=args, ok=reply.ok, code=reply.code,
        )
    )  # fmt: skip
    if not reply.ok:
        raise ApiError(_STATUS.get(reply.code, 409), reply.code, reply.message)
    return web.json_response(
        {"ok": True, "agent_id": agent, "action": action, "state": reply.state}
    )


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
    """Listen to (or whisper into) the agent's call, where the PBX supports it."""
    agent = _agent(request)
    body = await read_body(request, MonitorBody)
    del agent, body
    kind = request.app[STATE].settings.pbx.kind
    msg = f"the {kind} PBX adapter cannot monitor or whisper into calls"
    raise ApiError(409, "pbx_unsupported", msg)


def _queue(request: web.Request) -> QueueName:
    name = QueueName(request.match_info["queue"])
    if name not in request.app[STATE].center.switchboard.acd.queue_names():
        raise ApiError(404, "not_found", f"no queue named {name!r}")
    return name
