"""The CTI server's side of the agent console: every command an agent may send.

The MQTT bridge hands each request from ``agents/{id}/commands`` to ``handle`` (a
``CommandHandler``); the broker's ACL guarantees that ``agent_id`` is the sender.

* state and call control (``login``, ``ready``, ``pause``, ``answer``, ``hold``,
  ``transfer`` ...) go to the runtime as ``AgentCommand``; the core checks the
  login's PIN (``callcenter.core.agent_pins``), not this adapter;
* ``status`` answers a (re)connecting console: agent state, current call with its
  screen-pop record, queues with waiting calls and longest wait, and the code lists
  (pause reasons, dispositions, complaint categories and deadlines);
* CRM commands (``customer.create``, ``complaint.open|advance|get``,
  ``wrapup.save``) go to the ``CrmService``. A wrap-up saved while the caller is
  still in the survey is kept and written once the call's record exists.

Every failed reply has one shape: ``{"ok": false, "code": <stable code>, "error":
<the same code>, "message": <for people>}`` (``error`` for consoles that read it).
"""

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from callcenter.center import CallCenter
from callcenter.console_desk import Desks
from callcenter.core.crm_services import CrmServices
from callcenter.core.messages import AgentCommand, BuildScreenPop
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId, CustomerId, QueueName
from callcenter.jsonable import jsonable
from crm_link import workflow
from crm_link.enums import Channel, ComplaintState, Demand, Severity
from crm_link.errors import CrmError
from crm_link.service import CrmService

logger = logging.getLogger(__name__)

PAUSE_REASONS: Final = ("break", "lunch", "training", "meeting")
DISPOSITIONS: Final = (
    "resolved", "booking_made", "booking_changed", "information",
    "complaint_logged", "callback_needed", "transferred", "no_action",
)  # fmt: skip
DEPARTMENTS: Final = ("front_office", "reservations", "housekeeping", "food_beverage",
                      "transport", "tours", "finance", "customer_care")  # fmt: skip
RUNTIME_COMMANDS: Final = frozenset({
    "login", "logout", "ready", "pause", "wrapup_done", "answer", "hangup", "hold",
    "resume", "transfer", "transfer_complete", "transfer_cancel",
})  # fmt: skip
_CALL_STATE_AFTER: Final = {"hold": "held", "resume": "talking",
                            "transfer_cancel": "talking"}  # fmt: skip

Reply = dict[str, Any]
Handler = Callable[[AgentId, dict[str, Any]], Any]


class ConsoleApi:
    """Serves agent consoles from a running ``CallCenter`` and its CRM."""

    def __init__(
        self,
        center: CallCenter,
        *,
        crm: CrmService | None = None,
        pause_reasons: Sequence[str] = PAUSE_REASONS,
        dispositions: Sequence[str] = DISPOSITIONS,
        departments: Sequence[str] = DEPARTMENTS,
    ) -> None:
        """Serve the agents of ``center``; without ``crm`` CRM commands fail."""
        self._center = center
        self._crm = crm
        self._names = {AgentId(a.id): a.name for a in center.settings.agents}
        self._wrap_up = {q.name: q.wrap_up for q in center.settings.queues}
        self._lists = {
            "pause_reasons": list(pause_reasons),
            "dispositions": list(dispositions),
            "departments": list(departments),
        }
        self.desks = Desks()
        self._pending: dict[CallId, dict[str, Any]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._remove = center.bus.add_listener(self._on_event, name="console-api")
        self._requests = 0

    def close(self) -> None:
        """Stop listening to the bus and cancel pending wrap-up writes."""
        self._remove()
        for task in self._tasks:
            task.cancel()

    # --- the handler ------------------------------------------------------------------

    async def handle(  # noqa: PLR0911 - one early answer per kind of refusal
        self, agent_id: AgentId, body: dict[str, Any]
    ) -> Reply:
        """Serve one request of ``agent_id``; return the reply fields."""
        name = str(body.get("command", ""))
        args = body.get("args") or {}
        if not isinstance(args, dict):
            return _fail("bad_request", "args must be an object")
        if agent_id not in self._names:
            return _fail("unknown_agent", f"agent {agent_id} is not configured")
        if name in RUNTIME_COMMANDS:
            return await self._runtime(agent_id, name, args)
        if name == "status":
            return self.status(agent_id)
        serve = self._crm_commands().get(name)
        if serve is None:
            return _fail("unknown_command", f"unknown command {name!r}")
        if self._crm is None:
            return _fail("crm_unavailable", "no CRM is connected to this server")
        try:
            result: Reply = await serve(agent_id, args)
        except (CrmError, ValueError) as exc:
            return _fail(_code(exc), str(exc))
        return result

    def _crm_commands(self) -> dict[str, Handler]:
        return {
            "customer.create": self._create_customer,
            "complaint.open": self._open_complaint,
            "complaint.advance": self._advance_complaint,
            "complaint.get": self._get_complaint,
            "wrapup.save": self._save_wrap_up,
        }

    async def _runtime(
        self, agent_id: AgentId, name: str, args: Mapping[str, Any]
    ) -> Reply:
        text = {str(k): str(v) for k, v in args.items()}
        self._requests += 1
        command = AgentCommand(
            agent_id=agent_id, command=name, args=text, request_id=f"c{self._requests}"
        )
        reply = await self._center.runtime.command(command)
        if reply.ok and name in _CALL_STATE_AFTER | {"transfer": ""}:
            state = _CALL_STATE_AFTER.get(name) or (
                "consulting" if text.get("mode") == "consult" else "ended"
            )
            self.desks.set_call_state(agent_id, CallId(text.get("call_id", "")), state)
        if not reply.ok:
            return _fail(reply.code, reply.message or reply.code)
        return {"ok": True, "code": reply.code, "message": reply.message}

    # --- status -----------------------------------------------------------------------

    def status(self, agent_id: AgentId) -> Reply:
        """Return everything a console needs to show after (re)connecting."""
        now = self._center.clock.now()
        acd = self._center.switchboard.acd
        view = acd.agent_view(agent_id, now)
        desk = self.desks.desk(agent_id)
        crm_config = self._crm.config if self._crm is not None else None
        queues = [
            _queue_json(acd.queue_stats(QueueName(name), now)) for name in view.queues
        ]
        return {
            "now": now,
            "agent": {
                "id": agent_id,
                "name": self._names[agent_id],
                "state": view.state.value,
                "reason": view.reason,
                "since": now - view.in_state_for,
            },
            "call": desk.call.to_json() if desk.call is not None else None,
            "queues": queues,
            "wrap_up_seconds": {
                q["name"]: self._wrap_up.get(q["name"], 0.0) for q in queues
            },
            **self._lists,
            "categories": list(crm_config.categories) if crm_config else [],
            "deadlines": {s.value: d for s, d in crm_config.deadlines.items()}
            if crm_config
            else {},
        }

    # --- CRM commands -----------------------------------------------------------------

    async def _create_customer(
        self, agent_id: AgentId, args: Mapping[str, Any]
    ) -> Reply:
        crm = self._need_crm()
        number = str(args.get("number", ""))
        now = self._center.clock.now()
        ref = await crm.create_customer_from_number(
            number, now, name=str(args.get("name", "")), reuse_existing=False
        )
        desk_call = self.desks.desk(agent_id).call
        previous = desk_call.record if desk_call is not None else {}
        path = previous.get("ivr_path", [])
        variables = previous.get("ivr_variables", {})
        request = BuildScreenPop(
            call_id=CallId(str(args.get("call_id", ""))),
            agent_id=agent_id,
            caller_number=number,
            ivr_path=tuple(str(p) for p in path) if isinstance(path, list) else (),
            ivr_variables=dict(variables) if isinstance(variables, dict) else {},
        )
        pop = await CrmServices(crm).screen_pop(request, now)
        if desk_call is not None and desk_call.call_id == request.call_id:
            desk_call.record = pop.record
        return {"customer": jsonable(ref), "record": pop.record}

    async def _open_complaint(
        self, agent_id: AgentId, args: Mapping[str, Any]
    ) -> Reply:
        crm = self._need_crm()
        demands = args.get("demands") or []
        call_id = args.get("call_id")
        record = await crm.open_complaint(
            customer_id=CustomerId(str(args.get("customer_id", ""))),
            category=str(args.get("category", "")),
            severity=Severity(str(args.get("severity", ""))),
            description=str(args.get("description", "")),
            who=agent_id,
            now=self._center.clock.now(),
            channel=Channel(str(args.get("channel") or "phone")),
            demands=[Demand(str(d)) for d in demands],
            department=str(args.get("department", "")),
            owner=agent_id,
            call_id=CallId(str(call_id)) if call_id else None,
        )
        return await self._complaint_reply(record.complaint_id)

    async def _advance_complaint(
        self, agent_id: AgentId, args: Mapping[str, Any]
    ) -> Reply:
        crm = self._need_crm()
        complaint_id = int(args.get("complaint_id", 0))
        await crm.advance_complaint(
            complaint_id,
            ComplaintState(str(args.get("to_state", ""))),
            agent_id,
            str(args.get("comment", "")),
            self._center.clock.now(),
        )
        return await self._complaint_reply(complaint_id)

    async def _get_complaint(self, agent_id: AgentId, args: Mapping[str, Any]) -> Reply:
        del agent_id
        return await self._complaint_reply(int(args.get("complaint_id", 0)))

    async def _complaint_reply(self, complaint_id: int) -> Reply:
        crm = self._need_crm()
        record = await crm.get_complaint(complaint_id)
        history = await crm.complaint_history(complaint_id)
        return {
            "complaint": jsonable(record),
            "history": jsonable(history),
            "allowed": [s.value for s in workflow.allowed_targets(record.state)],
        }

    async def _save_wrap_up(self, agent_id: AgentId, args: Mapping[str, Any]) -> Reply:
        crm = self._need_crm()
        call_id = CallId(str(args.get("call_id", "")))
        disposition = str(args.get("disposition", ""))
        if disposition not in self._lists["dispositions"]:
            return _fail("bad_disposition", f"unknown disposition {disposition!r}")
        callback_at = args.get("callback_at")
        if callback_at is not None:
            desk_call = self.desks.desk(agent_id).call
            number = str(args.get("number") or (desk_call and desk_call.caller_number))
            await crm.record_callback_request(
                call_id=CallId(f"{call_id}-follow-up"), number=number,
                at=self._center.clock.now(), preferred_at=float(callback_at),
                notes=str(args.get("notes", "")),
            )  # fmt: skip
        wrap = {"disposition": disposition, "notes": str(args.get("notes", ""))}
        stored = await crm.save_wrap_up(call_id, **wrap)
        if not stored:
            self._pending[call_id] = wrap
        self.desks.clear_call(agent_id, call_id)
        return {"stored": stored, "pending": not stored}

    def _need_crm(self) -> CrmService:
        if self._crm is None:
            raise CrmError("no CRM is connected to this server")
        return self._crm

    # --- bus ------------------------------------------------------------------------

    def _on_event(self, event: ev.DomainEvent) -> None:
        self.desks(event)
        if isinstance(event, ev.CallCompleted) and event.call_id in self._pending:
            wrap = self._pending.pop(event.call_id)
            task = asyncio.get_running_loop().create_task(
                self._save_later(event.call_id, wrap)
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _save_later(self, call_id: CallId, wrap: dict[str, Any]) -> None:
        crm = self._need_crm()
        # The runtime writes the record right after publishing CallCompleted.
        for delay in (0.0, 0.05, 0.2, 0.5, 1.0, 2.0, 5.0):
            await asyncio.sleep(delay)
            try:
                if await crm.save_wrap_up(call_id, **wrap):
                    return
            except Exception:  # background task boundary: logged, given up
                logger.exception("saving the wrap-up of %s failed", call_id)
                return
        logger.warning("wrap-up of %s not saved: the call has no record", call_id)


def _queue_json(stats: ev.QueueStatsUpdated) -> dict[str, Any]:
    return {
        "name": stats.queue,
        "waiting": stats.waiting,
        "longest_wait": stats.longest_wait,
        "agents_available": stats.agents_available,
    }


def _fail(code: str, message: str) -> Reply:
    return {"ok": False, "code": code, "error": code, "message": message}


def _code(exc: Exception) -> str:
    match type(exc).__name__:
        case "IllegalTransitionError":
            return "illegal_transition"
        case "NotFoundError":
            return "not_found"
        case "InvalidPhoneNumberError":
            return "invalid_number"
        case _:
            return "invalid"
