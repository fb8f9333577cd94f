"""JSON errors for every bad request, and who may see or do what.

Every error under ``/api/`` and ``/metrics`` is ``{"error": {"code", "message"}}``
with a stable ``code``. Pages redirect an anonymous visitor to ``/login``. Requests
that change state with a session cookie must carry the session's CSRF token in
``X-CSRF-Token``; bearer tokens are not sent by browsers on their own, so they need
none. Supervisor actions are refused to agents (403).
"""

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from callcenter.web.auth import CSRF_HEADER, SESSION_COOKIE, Identity, Role
from callcenter.web.state import STATE

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
IDENTITY = web.RequestKey("identity", Identity)
PUBLIC = ("/login", "/static/", "/healthz", "/api/openapi.json", "/api/stats")
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
}


class ApiError(Exception):
    """An HTTP error with a stable code and a message for the JSON body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        """Make a ``status`` error saying ``message``."""
        super().__init__(message)
        self.status_code, self.code, self.message = status, code, message


def error_body(status: int, code: str, message: str) -> web.Response:
    """Return the JSON error response."""
    return web.json_response(
        {"error": {"code": code, "message": message}}, status=status
    )


def _is_api(request: web.Request) -> bool:
    path = request.path
    return path.startswith(("/api/", "/metrics", "/ws")) or path == "/api"


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every error into JSON under /api; log unexpected ones."""
    try:
        return await handler(request)
    except ApiError as exc:
        return error_body(exc.status_code, exc.code, exc.message)
    except web.HTTPException as exc:
        if not _is_api(request) or exc.status_code < 400:  # noqa: PLR2004
            raise
        code = _CODES.get(exc.status_code, "error")
        message = (
            exc.text
            if exc.text and not exc.text.startswith(str(exc.status))
            else exc.reason
        )
        return error_body(exc.status_code, code, message or code)
    except Exception:
        logger.exception("unexpected error on %s %s", request.method, request.path)
        if not _is_api(request):
            raise
        return error_body(500, "internal", "the server failed; see its log")


def identify(request: web.Request) -> Identity | None:
    """Return who sent the request (session cookie or bearer token), if anyone."""
    auth = request.app[STATE].auth
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return auth.bearer(header.removeprefix("Bearer ").strip())
    session = request.cookies.get(SESSION_COOKIE)
    return auth.session(session) if session else None


@web.middleware
async def access(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Authenticate, check CSRF on changes; anonymous pages go to /login."""
    path = request.path
    if path.startswith(PUBLIC) or (
        path == "/api/v1/session" and request.method == "POST"
    ):
        return await handler(request)
    identity = identify(request)
    if identity is None:
        if not _is_api(request):
            raise web.HTTPFound("/login")
        raise ApiError(
            401, "unauthenticated", "log in or send 'Authorization: Bearer <token>'"
        )
    if request.method not in _SAFE and identity.via == "session":
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), identity.csrf.encode()):
            raise ApiError(403, "csrf", f"missing or wrong {CSRF_HEADER} header")
    request[IDENTITY] = identity
    return await handler(request)


def who(request: web.Request) -> Identity:
    """Return the identity ``access`` established."""
    return request[IDENTITY]


def require_supervisor(request: web.Request) -> Identity:
    """Return the supervisor, or refuse an agent with 403."""
    identity = who(request)
    if identity.role != Role.SUPERVISOR:
        raise ApiError(403, "forbidden", "only supervisors may do this")
    return identity
