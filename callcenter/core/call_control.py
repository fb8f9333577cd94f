"""Call control asked for by an agent: answer, hold, resume, transfer, hang up.

Sans-IO, like the switchboard that calls it: ``CallControl.handle`` checks that the
agent really has the call, appends PBX commands and ACD outputs to ``out`` and
returns a stable result code (``ok``, ``no_call``, ``bad_target`` ...).

Transfers:

* **blind to a number** hands the caller to the PBX (``Transfer``); for the call
  center the call ends there and the agent goes to wrap-up.
* **blind to a queue** ends the agent's talk in the ACD (the agent goes to
  wrap-up) and queues the caller again; **to an agent** does the same with that
  agent reserved (``preferred_agent``) in a queue they serve. ``CallRequeued``
  then tells the caller's IVR session to hold again, unless the next agent rings
  already. A queue that would turn the caller away (``queue_closed``,
  ``queue_full``, ``queue_empty``) refuses the transfer: the caller stays.
* **consulted** first puts the caller on hold while the agent consults the target
  (``transfer_complete`` then transfers as above, ``transfer_cancel`` resumes).
  The simulated PBX has no consultation leg; on a real PBX the agent dials the
  target from the phone while the caller waits on hold.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from acd import inputs as acd_in
from acd.engine import AcdEngine
from acd.errors import AcdError
from callcenter.core.messages import CallRequeued
from callcenter.domain import commands as cmd
from callcenter.domain.events import AgentLegEnded, AgentState
from callcenter.domain.ids import AgentId, CallId, QueueName

COMMANDS = frozenset(
    {"answer", "hangup", "hold", "resume", "transfer", "transfer_complete",
     "transfer_cancel"}
)  # fmt: skip
"""Names of the console commands this module serves."""

TARGET_KINDS = ("queue", "agent", "number")


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferTarget:
    """Where a transfer goes: ``kind`` is queue, agent or number."""

    kind: str
    target: str


class CallControl:
    """Serves the call-control commands of all agents (one per switchboard)."""

    def __init__(self, acd: AcdEngine) -> None:
        """Check calls against ``acd`` and feed transfers to it."""
        self._acd = acd
        self._consulting: dict[CallId, TransferTarget] = {}

    def handle(
        self,
        agent: AgentId,
        name: str,
        args: Mapping[str, str],
        now: float,
        out: list[object],
    ) -> str:
        """Carry out one call-control command; return its result code."""
        call_id = CallId(args.get("call_id", ""))
        if not call_id:
            return "no_call"
        if name == "answer":
            if not self._in(agent, call_id, now, AgentState.RINGING):
                return "no_call"
            out.append(cmd.AnswerForAgent(call_id=call_id, agent_id=agent))
            return "ok"
        if name == "hangup":
            self._consulting.pop(call_id, None)
            out.append(cmd.HangUpAgent(call_id=call_id, agent_id=agent))
            return "ok"
        if not self._in(agent, call_id, now, AgentState.ON_CALL):
            return "no_call"
        return self._on_call(agent, call_id, name, args, now, out)

    def consulting(self, call_id: CallId) -> TransferTarget | None:
        """Return the target a consultation on ``call_id`` is with, if any."""
        return self._consulting.get(call_id)

    def _on_call(  # noqa: PLR0917 - private, mirrors ``handle``
        self,
        agent: AgentId,
        call_id: CallId,
        name: str,
        args: Mapping[str, str],
        now: float,
        out: list[object],
    ) -> str:
        match name:
            case "hold":
                out.append(cmd.HoldCall(call_id=call_id, agent_id=agent))
            case "resume" | "transfer_cancel":
                self._consulting.pop(call_id, None)
                out.append(cmd.ResumeCall(call_id=call_id, agent_id=agent))
            case "transfer":
                target = TransferTarget(
                    kind=args.get("kind", ""), target=args.get("target", "").strip()
                )
                if target.kind not in TARGET_KINDS or not target.target:
                    return "bad_target"
                if args.get("mode", "blind") == "consult":
                    self._consulting[call_id] = target
                    out.append(cmd.HoldCall(call_id=call_id, agent_id=agent))
                    return "ok"
                return self._transfer(agent, call_id, target, now, out)
            case "transfer_complete":
                pending = self._consulting.pop(call_id, None)
                if pending is None:
                    return "no_consultation"
                code = self._transfer(agent, call_id, pending, now, out)
                if code != "ok":  # the caller waits on hold: retry or cancel
                    self._consulting[call_id] = pending
                return code
        return "ok"

    def _in(
        self, agent: AgentId, call_id: CallId, now: float, state: AgentState
    ) -> bool:
        """Tell whether ``agent`` is in ``state`` on ``call_id`` (not another call)."""
        try:
            view = self._acd.agent_view(agent, now)
        except AcdError:
            return False
        return view.state is state and view.call_id == call_id

    def _transfer(
        self,
        agent: AgentId,
        call_id: CallId,
        target: TransferTarget,
        now: float,
        out: list[object],
    ) -> str:
        if target.kind == "number":
            out.append(cmd.Transfer(call_id=call_id, target=target.target))
            return "ok"
        queue, preferred = self._destination(target, now)
        if queue is None:
            return "bad_target"
        refusal = self._acd.refusal(queue, now)
        if refusal:
            return f"queue_{refusal}"  # the caller stays with the agent
        out.extend(
            self._acd.handle(
                AgentLegEnded(at=now, call_id=call_id, agent_id=agent), now
            )
        )
        caller = acd_in.CallerFacts(preferred_agent=preferred)
        queued = self._acd.handle(
            acd_in.EnqueueCall(call_id=call_id, queue=queue, caller=caller), now
        )
        ringing = any(
            isinstance(item, cmd.ConnectToAgent) and item.call_id == call_id
            for item in queued
        )
        out.extend(queued)
        out.append(CallRequeued(call_id=call_id, from_agent=agent, ringing=ringing))
        return "ok"

    def _destination(
        self, target: TransferTarget, now: float
    ) -> tuple[QueueName | None, AgentId | None]:
        if target.kind == "queue":
            queue = QueueName(target.target)
            known = queue in self._acd.queue_names()
            return (queue if known else None), None
        try:
            view = self._acd.agent_view(AgentId(target.target), now)
        except AcdError:
            return None, None
        if not view.queues:
            return None, None
        queue = min(view.queues, key=lambda name: (view.queues[name], name))
        return queue, view.agent_id
