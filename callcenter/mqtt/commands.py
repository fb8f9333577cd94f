"""Agent commands on MQTT: request and reply envelopes, and their dispatcher.

A console publishes ``{"v": 1, "command": "pause", "request_id": "r-17", ...}`` to
``agents/{id}/commands``; the server answers on ``agents/{id}/replies`` with
``{"v": 1, "request_id": "r-17", "command": "pause", "ok": true, ...}`` or, on
failure, ``"ok": false`` with a stable ``error`` code and a human ``message``.
The functions are pure; ``CommandDispatcher`` runs the handler.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

from callcenter.domain.ids import AgentId

CommandHandler = Callable[[AgentId, dict[str, Any]], Awaitable[dict[str, Any]]]
"""Serves one agent command: gets the agent id and the decoded request object,
returns the reply fields (``ok`` defaults to true; set ``ok``/``error`` to fail)."""

COMMAND_VERSION: Final = 1

BAD_REQUEST: Final = "bad_request"
"""The payload is not a version-1 JSON object with a string ``command``."""
TIMEOUT: Final = "timeout"
"""The handler did not answer in time; the command may still take effect."""
INTERNAL_ERROR: Final = "internal_error"
"""The handler raised; details are in the server log, not in the reply."""


class BadCommand(ValueError):  # noqa: N818 - reads as the condition, like KeyError
    """A command payload was rejected; ``request_id`` is kept to answer it."""

    def __init__(self, message: str, request_id: object = None) -> None:
        """Keep the reason and the request id (when one could be read)."""
        super().__init__(message)
        self.request_id = request_id


def parse_command(payload: bytes | str) -> dict[str, Any]:
    """Decode a command payload.

    Raises:
        BadCommand: Not JSON, not an object, wrong version or no string ``command``.
    """
    try:
        body: object = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCommand("payload is not valid JSON") from exc
    if not isinstance(body, dict):
        raise BadCommand("payload is not a JSON object")
    request_id = body.get("request_id")
    if body.get("v") != COMMAND_VERSION:
        msg = f"unsupported command version {body.get('v')!r}"
        raise BadCommand(msg, request_id)
    if not isinstance(body.get("command"), str) or not body["command"]:
        raise BadCommand("missing string field 'command'", request_id)
    return body


def reply(request: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """Return the reply to ``request``: ``ok`` true unless ``result`` says otherwise.

    The envelope fields ``v`` and ``request_id`` always come from the request.
    """
    return {
        "command": request.get("command"),
        "ok": True,
        **result,
        "v": COMMAND_VERSION,
        "request_id": request.get("request_id"),
    }


def error_reply(
    code: str, message: str, *, request_id: object = None, command: object = None
) -> dict[str, Any]:
    """Return a failed reply: a stable ``code`` (also as ``error``) and a message.

    The same shape as the console API's refusals, so a console reads every failure
    the same way, whether the bridge or the handler refused.
    """
    return {
        "v": COMMAND_VERSION,
        "request_id": request_id,
        "command": command,
        "ok": False,
        "code": code,
        "error": code,
        "message": message,
    }


def encode(body: dict[str, Any]) -> bytes:
    """Encode a reply as compact UTF-8 JSON (non-JSON values become strings)."""
    return json.dumps(body, separators=(",", ":"), default=str).encode()


def describe(agent_id: AgentId, body: dict[str, Any]) -> str:
    """Return a short log description of a command (never its arguments)."""
    return f"{body.get('command')!s} from agent {agent_id} ({body.get('request_id')})"


class CommandDispatcher:
    """Runs a ``CommandHandler`` per request and hands each reply to ``send``.

    Commands of one agent run one after the other, in arrival order (a login must
    not overtake the pause after it); different agents run concurrently. A handler
    that raises or overruns ``timeout`` yields an error reply, never a crash.
    """

    def __init__(
        self,
        handler: CommandHandler,
        send: Callable[[AgentId, dict[str, Any]], None],
        *,
        timeout: float,
        logger: logging.Logger,
    ) -> None:
        """Serve requests with ``handler`` and pass replies to ``send``."""
        self._handler = handler
        self._send = send
        self._timeout = timeout
        self._log = logger
        self._tails: dict[AgentId, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.received = 0

    def submit(self, agent_id: AgentId, payload: bytes | str) -> None:
        """Start serving one request payload from ``agent_id``."""
        self.received += 1
        previous = self._tails.get(agent_id)
        task = asyncio.create_task(self._serve(agent_id, payload, previous))
        self._tails[agent_id] = task
        self._tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            if self._tails.get(agent_id) is finished:
                del self._tails[agent_id]

        task.add_done_callback(done)

    async def aclose(self) -> None:
        """Cancel the requests still being served."""
        for task in tuple(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(
        self,
        agent_id: AgentId,
        payload: bytes | str,
        previous: asyncio.Task[None] | None,
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        self._send(agent_id, await self._answer(agent_id, payload))

    async def _answer(self, agent_id: AgentId, payload: bytes | str) -> dict[str, Any]:
        try:
            request = parse_command(payload)
        except BadCommand as exc:
            return error_reply(BAD_REQUEST, str(exc), request_id=exc.request_id)
        rid, name = request.get("request_id"), request.get("command")
        try:
            async with asyncio.timeout(self._timeout):
                result = await self._handler(agent_id, request)
        except TimeoutError:
            self._log.warning("command %s timed out", describe(agent_id, request))
            message = f"no answer within {self._timeout:g} s"
            return error_reply(TIMEOUT, message, request_id=rid, command=name)
        except Exception:  # noqa: BLE001 - task boundary: logged, answered, contained
            self._log.exception("command %s failed", describe(agent_id, request))
            return error_reply(
                INTERNAL_ERROR, "internal error", request_id=rid, command=name
            )
        return reply(request, result)
