"""Commands from agents' consoles, checked and turned into ACD inputs and PBX commands.

Handler -> rules -> action: the handler parses and authorises (PIN), the ACD enforces
the state rules (an ``AcdError`` becomes a rejected reply with a stable code), and the
PBX carries out call control. Every command gets exactly one ``AgentReply``.
"""

from collections.abc import Callable, Mapping

from acd import inputs as acd_in
from acd.engine import AcdEngine
from acd.errors import AcdError
from callcenter.core import call_control
from callcenter.core.messages import AgentCommand, AgentReply, TakeOverAgent
from callcenter.domain.events import DomainEvent
from callcenter.domain.ids import AgentId

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
        self._pins = dict(pins or {})
        self._calls = call_control.CallControl(acd)

    def handle(self, command: AgentCommand, now: float, out: list[object]) -> None:
        """Carry out ``command``; append ACD outputs, PBX commands and one reply."""
        agent = command.agent_id
        try:
            code = self._dispatch(command, now, out)
        except AcdError as exc:
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
            pin = self._pins.get(agent)
            if pin is not None and args.get("pin") != pin:
                return "bad_pin"
            out.append(TakeOverAgent(agent_id=agent, manual=True))
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


_MESSAGES = {
    "bad_pin": "wrong PIN",
    "no_call": "no call to act on",
    "bad_target": "no such transfer target",
    "no_consultation": "no consultation to complete",
    "unknown_command": "unknown command",
}

__all__ = ["AgentCommandHandler", "DomainEvent"]
