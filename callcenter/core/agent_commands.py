"""Commands from agents' consoles, checked and turned into ACD inputs and PBX commands.

Handler -> rules -> action: the handler parses and authorises (the PIN of a login,
with its lockout: ``callcenter.core.agent_pins``), the ACD enforces the state rules
(an ``AcdError`` or a refused login becomes a rejected reply with a stable code), and
the PBX carries out call control. Every command gets exactly one ``AgentReply``.
Supervisors' commands (``supervise``) act on an agent without the agent's PIN.
"""

from collections.abc import Callable, Mapping

from acd import inputs as acd_in
from acd.engine import AcdEngine
from acd.errors import AcdError
from callcenter.core import call_control
from callcenter.core.agent_pins import AgentPins, LoginRefusedError
from callcenter.core.messages import (
    AgentCommand,
    AgentReply,
    SupervisorCommand,
    TakeOverAgent,
)
from callcenter.domain.events import AgentState, DomainEvent
from callcenter.domain.ids import AgentId, QueueName

RunAcd = Callable[[object, float, list[object]], None]

_STATE_COMMANDS: dict[str, Callable[[AgentId, Mapping[str, str]], object]] = {
    "ready": lambda agent, _args: acd_in.SetReady(agent_id=agent),
    "pause": lambda agent, args: acd_in.Pause(
        agent_id=agent, reason=args.get("reason", "break")
    ),
    "wrapup_done": lambda agent, _args: acd_in.EndWrapUp(agent_id=agent),
}


class AgentCommandHandler:
    """Turns console commands into ACD inputs, PBX commands and replies."""

    def __init__(
        self, acd: AcdEngine, *, pins: Mapping[AgentId, str] | None = None
    ) -> None:
        """Serve agents of ``acd``; agents with a PIN must give it to log in."""
        self._acd = acd
        self._pins = AgentPins(pins or {})
        self._calls = call_control.CallControl(acd)

    def handle(self, command: AgentCommand, now: float, out: list[object]) -> None:
        """Carry out ``command``; append ACD outputs, PBX commands and one reply."""
        agent = command.agent_id
        try:
            code = self._dispatch(command, now, out)
        except (AcdError, LoginRefusedError) as exc:
            out.append(
                self._reply(
                    command,
                    ok=False,
                    code=getattr(exc, "code", "rejected"),
                    message=str(exc),
                )
            )
            return
        ok = code == "ok"
        out.append(
            self._reply(
                command,
                ok=ok,
                code=code,
                message="" if ok else _MESSAGES.get(code, code),
            )
        )
        del agent

    def _dispatch(self, command: AgentCommand, now: float, out: list[object]) -> str:
        agent, name, args = command.agent_id, command.command, command.args
        if name == "login":
            self._pins.check(agent, args.get("pin"), now)
            logged_out = self._acd.agent_state(agent) is AgentState.LOGGED_OUT
            out.append(TakeOverAgent(agent_id=agent, manual=True))
            if logged_out:  # else the simulation was playing them: a take-over
                self._feed(acd_in.LogIn(agent_id=agent), now, out)
        elif name == "logout":
            self._feed(acd_in.LogOut(agent_id=agent), now, out)
            out.append(TakeOverAgent(agent_id=agent, manual=False))
        elif name in _STATE_COMMANDS:
            self._feed(_STATE_COMMANDS[name](agent, args), now, out)
        elif name in call_control.COMMANDS:
            return self._calls.handle(agent, name, args, now, out)
        elif name != "status":
            return "unknown_command"
        return "ok"

    def supervise(
        self, command: SupervisorCommand, now: float, out: list[object]
    ) -> None:
        """Carry out a supervisor's ``command`` on an agent; append exactly one reply.

        The ACD's rules apply as for the agent's own commands; a rejected command
        (unknown agent or queue, illegal state) becomes a reply with a stable code.
        """
        reply = AgentCommand(
            agent_id=command.agent_id,
            command=command.action,
            request_id=command.request_id,
        )
        try:
            inp = _supervisor_input(command)
        except ValueError as exc:
            out.append(
                self._reply(reply, ok=False, code="bad_request", message=str(exc))
            )
            return
        if inp is None:
            out.append(self._reply(reply, ok=False, code="unknown_command",
                                   message=_MESSAGES["unknown_command"]))  # fmt: skip
            return
        try:
            self._feed(inp, now, out)
        except AcdError as exc:
            code = getattr(exc, "code", "rejected")
            out.append(self._reply(reply, ok=False, code=code, message=str(exc)))
            return
        out.append(self._reply(reply, ok=True, code="ok", message=""))

    def _feed(self, inp: object, now: float, out: list[object]) -> None:
        out.extend(self._acd.handle(inp, now))  # type: ignore[arg-type]

    def _reply(
        self, command: AgentCommand, *, ok: bool, code: str, message: str
    ) -> AgentReply:
        agent = command.agent_id
        try:
            state = str(self._acd.agent_state(agent))
        except AcdError:
            state = "unknown"
        return AgentReply(
            agent_id=agent,
            request_id=command.request_id,
            ok=ok,
            code=code,
            message=message,
            state={"state": state},
        )


def _penalty(args: Mapping[str, str]) -> int:
    penalty = int(args.get("penalty", "0"))
    if penalty < 0:
        msg = "penalty must not be negative"
        raise ValueError(msg)
    return penalty


_SUPERVISOR_COMMANDS: dict[str, Callable[[AgentId, Mapping[str, str]], object]] = {
    "logout": lambda agent, _args: acd_in.LogOut(agent_id=agent),
    "pause": lambda agent, args: acd_in.Pause(
        agent_id=agent, reason=args.get("reason") or "break"
    ),
    "unpause": lambda agent, _args: acd_in.SetReady(agent_id=agent),
    "remove_queue": lambda agent, args: acd_in.RemoveFromQueue(
        agent_id=agent, queue=QueueName(args.get("queue", ""))
    ),
    "add_queue": lambda agent, args: acd_in.AddToQueue(
        agent_id=agent, queue=QueueName(args.get("queue", "")), penalty=_penalty(args)
    ),
    "set_penalty": lambda agent, args: acd_in.SetPenalty(
        agent_id=agent, queue=QueueName(args.get("queue", "")), penalty=_penalty(args)
    ),
}


def _supervisor_input(command: SupervisorCommand) -> object | None:
    build = _SUPERVISOR_COMMANDS.get(command.action)
    return None if build is None else build(command.agent_id, command.args)


_MESSAGES = {
    "no_call": "no call to act on",
    "bad_target": "no such transfer target",
    "no_consultation": "no consultation to complete",
    "queue_closed": "that queue is closed now: the caller stays with you",
    "queue_full": "that queue is full: the caller stays with you",
    "queue_empty": "nobody serves that queue: the caller stays with you",
    "unknown_command": "unknown command",
}

__all__ = ["AgentCommandHandler", "DomainEvent"]
