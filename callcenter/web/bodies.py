"""Request bodies and query strings of the REST API, validated by pydantic.

The same models feed the OpenAPI document, so the document and the checks agree.
"""

from datetime import date
from typing import Annotated, Literal, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from callcenter.web.middleware import ApiError
from callcenter.web.reports import GroupBy, Interval

Reason = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w .:-]+$")]
MAX_BODY = 16 * 1024


class Body(BaseModel):
    """Base of request bodies: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LoginBody(Body):
    """Credentials of a supervisor or an agent."""

    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class PauseBody(Body):
    """Why the agent is paused (shown on the wallboard and in reports)."""

    reason: Reason = "supervisor"


class PenaltyBody(Body):
    """The agent's penalty in the queue: lower penalties are offered calls first."""

    penalty: Annotated[int, Field(ge=0, le=100)] = 0


class MonitorBody(Body):
    """Listen to an agent's call, coach the agent (whisper) or join the call (barge).

    ``extension`` is the phone the PBX rings (``PJSIP/2001``, or ``2001``); without
    it, the supervisor's ``phone`` from ``[[web.users]]``.
    """

    mode: Literal["listen", "whisper", "barge"] = "listen"
    extension: (
        Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w/@.-]+$")]
        | None
    ) = None


class CallReportQuery(Body):
    """A call report: period (local dates, inclusive), grouping and interval."""

    from_: date = Field(alias="from")
    to: date
    by: GroupBy = GroupBy.QUEUE
    interval: Interval = Interval.DAY
    format: Literal["json", "csv"] = "json"


class AgentStateReportQuery(Body):
    """Time per agent, state and pause reason: period (local dates) and interval."""

    from_: date = Field(alias="from")
    to: date
    interval: Interval = Interval.DAY
    format: Literal["json", "csv"] = "json"


class ComplaintReportQuery(Body):
    """A complaint report over complaints opened in a period."""

    from_: date = Field(alias="from")
    to: date
    format: Literal["json", "csv"] = "json"


class VoicemailQuery(Body):
    """Which voicemails to list: a mailbox, handled or not, how many (newest first)."""

    mailbox: (
        Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w.-]+$")] | None
    ) = None
    handled: bool | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 100


M = TypeVar("M", bound=BaseModel)


def _explain(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "body"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


async def read_body(request: web.Request, model: type[M]) -> M:
    """Return the JSON body as ``model``; 400/413/415/422 with a clear message."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise ApiError(413, "too_large", f"the body is larger than {MAX_BODY} bytes")
    raw = await request.read()
    if len(raw) > MAX_BODY:
        raise ApiError(413, "too_large", f"the body is larger than {MAX_BODY} bytes")
    if not raw.strip():
        raw = b"{}"
    elif request.content_type not in {"application/json", "application/octet-stream"}:
        msg = f"send JSON (Content-Type: application/json), not {request.content_type}"
        raise ApiError(415, "unsupported_media_type", msg)
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise ApiError(400, "invalid_json", "the body is not valid JSON") from None
        raise ApiError(422, "invalid", _explain(exc)) from None


def read_query(request: web.Request, model: type[M]) -> M:
    """Return the query string as ``model``; 422 with a clear message."""
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        raise ApiError(422, "invalid", _explain(exc)) from None
