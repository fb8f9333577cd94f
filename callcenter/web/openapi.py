"""The OpenAPI 3.1 document of the REST API, served at ``/api/openapi.json``.

Request bodies and query strings come from the pydantic models that validate them
(``callcenter.web.bodies``), so the document cannot drift from the checks.
"""

from typing import Any

from aiohttp import web
from pydantic import BaseModel

from callcenter.web.bodies import (
    AgentStateReportQuery,
    CallReportQuery,
    ComplaintReportQuery,
    LoginBody,
    MonitorBody,
    PauseBody,
    PenaltyBody,
    VoicemailQuery,
)

routes = web.RouteTableDef()
Json = dict[str, Any]

_ERROR = {"$ref": "#/components/schemas/Error"}
_MESSAGES = {
    "400": "Malformed request (e.g. not JSON)",
    "401": "Not logged in, or no valid bearer token",
    "403": "Not allowed (agents cannot act; CSRF token missing)",
    "404": "No such queue or agent",
    "409": "Refused in the current state (e.g. the agent is not on a call)",
    "413": "Body too large",
    "415": "Body is not JSON",
    "422": "Invalid parameters",
}
_VOICEMAIL_404 = "No such voicemail, no audio kept for it, or its file is missing"
_VOICEMAIL_409 = "No CRM database behind the web server"


def _responses(ok: Json, *errors: str) -> Json:
    responses: Json = {"200": ok} if ok else {}
    for code in ("401", *errors):
        responses[code] = {
            "description": _MESSAGES[code],
            "content": {"application/json": {"schema": _ERROR}},
        }
    return responses


def _json(schema: Json, description: str = "OK") -> Json:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


_OBJECT: Json = {"type": "object"}
_ARRAY: Json = {"type": "array", "items": {"type": "object"}}
_BODY = ("400", "413", "415", "422")


def _body(model: type[BaseModel]) -> Json:
    return {
        "required": False,
        "content": {"application/json": {"schema": model.model_json_schema()}},
    }


def _query(model: type[BaseModel]) -> list[Json]:
    schema = model.model_json_schema(by_alias=True)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required,
         "schema": _inline(prop, schema)}
        for name, prop in schema["properties"].items()
    ]  # fmt: skip


def _inline(prop: Json, schema: Json) -> Json:
    ref = prop.get("$ref")
    if ref:
        return dict(schema["$defs"][ref.rsplit("/", 1)[1]])
    return prop


def _path(name: str, pattern: str = r"^[A-Za-z0-9_-]+$") -> Json:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "string", "pattern": pattern}}  # fmt: skip


_AGENT = _path("agent_id")
_QUEUE = _path("queue", r"^[a-z0-9_]+$")


def _action(summary: str, body: type[BaseModel] | None = None) -> Json:
    operation: Json = {
        "summary": summary,
        "parameters": [_AGENT],
        "responses": _responses(_json(_OBJECT), "403", "404", "409", *_BODY),
    }
    if body is not None:
        operation["requestBody"] = _body(body)
    return operation


def _monitor(summary: str, body: type[BaseModel] | None = None) -> Json:
    """A monitor action: 200 when the PBX answered in time, 202 while it rings."""
    operation = _action(summary, body)
    operation["responses"]["202"] = _json(
        _OBJECT, "Accepted: the PBX is still calling the supervisor's phone"
    )
    return operation


def _get(summary: str, schema: Json = _OBJECT, *errors: str, params: Any = ()) -> Json:
    return {
        "summary": summary,
        "parameters": list(params),
        "responses": _responses(_json(schema), *errors),
    }


def _report(summary: str, query: type[BaseModel]) -> Json:
    content = {
        "application/json": {"schema": _OBJECT},
        "text/csv": {"schema": {"type": "string"}},
    }
    return {
        "summary": summary,
        "parameters": _query(query),
        "responses": {
            "200": {"description": "Rows", "content": content},
            **_responses({}, "422"),
        },
    }


def _voicemail(summary: str, ok: Json, *, post: bool = False) -> Json:
    """A voicemail operation: supervisors only, 404 for a missing message."""
    responses = _responses(ok, "403")
    for code, text in (("404", _VOICEMAIL_404), ("409", _VOICEMAIL_409)):
        responses[code] = {"description": text, "content": _json(_ERROR)["content"]}
    if post:
        summary += "; audited"
    params = [_path("voicemail_id", r"^[0-9]{1,18}$")]
    return {"summary": summary, "parameters": params, "responses": responses}


def _voicemail_paths() -> Json:
    one = "/api/v1/voicemails/{voicemail_id}"
    wav = {
        "description": "The recording (WAV); Range requests are honoured",
        "content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}},
    }
    listing = _get(
        "Voicemails newest first, by mailbox and handled (supervisors only)",
        _ARRAY, "403", "409", "422", params=_query(VoicemailQuery),
    )  # fmt: skip
    handled = _voicemail(
        "Mark the message handled (who, when; the first one stays)",
        _json(_OBJECT),
        post=True,
    )
    return {
        "/api/v1/voicemails": {"get": listing},
        one: {"get": _voicemail("One voicemail", _json(_OBJECT))},
        f"{one}/audio": {"get": _voicemail("Play the message's recording", wav)},
        f"{one}/handled": {"post": handled},
    }


def _paths() -> Json:
    agent = "/api/v1/agents/{agent_id}"
    both = [_AGENT, _QUEUE]
    return {
        "/api/v1/session": {
            "post": {
                "summary": "Log in (sets the session cookie)",
                "security": [],
                "requestBody": _body(LoginBody),
                "responses": _responses(_json(_OBJECT), *_BODY),
            },
            "get": _get("Who is logged in, and the CSRF token"),
            "delete": {
                "summary": "Log out",
                "responses": {
                    "204": {"description": "Logged out"},
                    **_responses({}, "403"),
                },
            },
        },
        "/api/stats": {
            "get": {
                "summary": "Aggregate counts, public (health checks)",
                "security": [],
                "responses": {"200": _json(_OBJECT)},
            }
        },
        "/api/v1/queues": {"get": _get("Live figures of every queue", _ARRAY)},
        "/api/v1/queues/{name}": {
            "get": _get(
                "One queue and its callers",
                _OBJECT,
                "404",
                params=[_path("name", r"^[a-z0-9_]+$")],
            )
        },
        "/api/v1/agents": {"get": _get("Every agent", _ARRAY)},
        agent: {"get": _get("One agent", _OBJECT, "404", params=[_AGENT])},
        f"{agent}/logout": {"post": _action("Log the agent out")},
        f"{agent}/pause": {"post": _action("Pause with a reason", PauseBody)},
        f"{agent}/unpause": {"post": _action("Make the agent available")},
        f"{agent}/monitor": {
            "post": _monitor(
                "Listen to, whisper to (coach) or barge into the agent's call on the "
                "supervisor's phone; again in another mode switches mode",
                MonitorBody,
            ),
            "delete": _monitor("Stop monitoring the agent (the phone leaves the call)"),
        },
        "/api/v1/monitors": {
            "get": _get("Who monitors whom (supervisors only)", _ARRAY, "403")
        },
        f"{agent}/queues/{{queue}}": {
            "put": {
                **_action("Add to a queue or change the penalty", PenaltyBody),
                "parameters": both,
            },
            "delete": {**_action("Remove from a queue"), "parameters": both},
        },
        "/api/v1/calls": {"get": _get("Calls in progress", _ARRAY)},
        "/api/v1/stats": {"get": _get("The whole wallboard state")},
        "/api/v1/complaints": {"get": _get("Open and overdue complaints")},
        "/api/v1/alerts": {"get": _get("Recent alerts", _ARRAY)},
        "/api/v1/audit": {"get": _get("Recent supervisor actions", _ARRAY, "403")},
        "/api/v1/reports/calls": {
            "get": _report("Calls per queue, agent or center", CallReportQuery)
        },
        "/api/v1/reports/agent-states": {
            "get": _report(
                "Time per agent, state and pause reason", AgentStateReportQuery
            )
        },
        "/api/v1/reports/complaints": {
            "get": _report("Complaints by category and severity", ComplaintReportQuery)
        },
        **_voicemail_paths(),
    }


_COMPONENTS: Json = {
    "securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"},
        "session": {"type": "apiKey", "in": "cookie", "name": "cc_session"},
    },
    "schemas": {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                    },
                }
            },
        }
    },
}


def document() -> Json:
    """Return the OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "callcenter supervisor API", "version": "1"},
        "paths": _paths(),
        "security": [{"bearer": []}, {"session": []}],
        "components": _COMPONENTS,
    }


@routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    """Serve the OpenAPI document."""
    del request
    return web.json_response(document())
