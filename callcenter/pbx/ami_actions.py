"""The PBX port's call-control commands as AMI actions.

Each command becomes one or a few actions on the caller's or the agent's channel,
found in the registry by call id. ``carry_out`` returns whether Asterisk accepted
them; a channel that is already gone is not an error (hang-ups race with
everything). The dialplan names used here are those of ``config/asterisk``.
``monitor`` sends what ``callcenter.pbx.spies`` plans for a supervisor's phone, ``hold``
what ``callcenter.pbx.hold`` plans for hold, resume and their follow-ups.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from callcenter.ami.client import AmiClient
from callcenter.ami.errors import AmiError
from callcenter.ami.messages import Action
from callcenter.domain import commands as cmd
from callcenter.domain.events import DomainEvent
from callcenter.pbx import hold, spies
from callcenter.pbx.registry import ChannelRegistry


@dataclass(frozen=True, slots=True, kw_only=True)
class Dialplan:
    """Where our ``Redirect``s and ``Originate``s send channels (extensions.conf)."""

    connect_context: str = "callcenter-connect"
    connect_exten: str = "agent"
    transfer_context: str = "callcenter-transfer"
    outbound_context: str = "callcenter-outbound"
    hold_context: str = "callcenter-hold"


class AmiActions:
    """Carries out call-control commands over an ``AmiClient``."""

    def __init__(
        self, ami: AmiClient, registry: ChannelRegistry, dialplan: Dialplan
    ) -> None:
        """Act through ``ami`` on the channels ``registry`` knows."""
        self.ami, self.registry, self.dialplan = ami, registry, dialplan

    async def carry_out(self, command: cmd.PbxCommand) -> bool:  # noqa: PLR0911 - one arm per command
        """Send the actions for ``command``; return whether Asterisk accepted them.

        Raises:
            AmiError: no answer (timeout, connection lost).
        """
        match command:
            case cmd.ConnectToAgent():
                return await self._connect(command)
            case cmd.CancelRing():
                leg = self.registry.agent_leg(command.call_id)
                return await self._hangup(leg.name if leg and leg.cancelled else None)
            case cmd.HangUpAgent():
                leg = self.registry.agent_leg(command.call_id)
                return await self._hangup(leg.name if leg else None)
            case cmd.HangUp():
                leg = self.registry.caller_leg(command.call_id)
                return await self._hangup(leg.name if leg else None)
            case cmd.Transfer(target=target):
                exten, _, context = target.partition("@")
                return await self._redirect(
                    command, context or self.dialplan.transfer_context, exten
                )
            case cmd.OriginateCallback():
                return await self._originate(command)
        return True

    async def monitor(
        self, command: cmd.MonitorCall | cmd.StopMonitor, now: Callable[[], float]
    ) -> list[DomainEvent]:
        """Send what a monitor command needs; return the monitor events it meant.

        A failure to reach Asterisk (timeout, connection lost) counts as a refusal.
        """
        plan = spies.plan(command, self.registry, now())
        if plan.action is None:
            return list(plan.events)
        try:
            ok = (await self.ami.action(plan.action)).ok
        except AmiError:
            ok = False
        return [*plan.events, *spies.settle(command, self.registry, now(), ok=ok)]

    async def report(
        self,
        command: cmd.MonitorCall | cmd.StopMonitor | hold.HoldCommand | hold.Release,
        now: Callable[[], float],
    ) -> list[DomainEvent]:
        """Carry out a monitor or hold command; return the events it meant."""
        if isinstance(command, cmd.MonitorCall | cmd.StopMonitor):
            return await self.monitor(command, now)
        return await self.hold(command, now)

    async def hold(
        self, command: hold.HoldCommand | hold.Release, now: Callable[[], float]
    ) -> list[DomainEvent]:
        """Send what a hold command (or follow-up) needs; return the events it meant.

        A failure to reach Asterisk (timeout, connection lost) counts as a refusal.
        """
        context = self.dialplan.hold_context
        if isinstance(command, hold.Release):
            action: Action | None = hold.release_action(command, context)
            events: tuple[DomainEvent, ...] = ()
        else:
            plan = hold.plan(command, self.registry, context, now())
            action, events = plan.action, plan.events
        if action is None:
            return list(events)
        try:
            ok = (await self.ami.action(action)).ok
        except AmiError:
            ok = False
        if isinstance(command, hold.Release):
            return []  # a channel already gone is no error here
        return [*events, *hold.settle(command, self.registry, now(), ok=ok)]

    async def _connect(self, command: cmd.ConnectToAgent) -> bool:
        caller = self.registry.caller_leg(command.call_id)
        if caller is None:
            return True
        for name, value in (
            ("CC_ENDPOINT", command.endpoint),
            ("CC_RING_TIMEOUT", str(max(1, math.ceil(command.ring_timeout)))),
            ("CC_AGENT", command.agent_id),
        ):
            action = Action.create(
                "Setvar", Channel=caller.name, Variable=name, Value=value
            )
            if not (await self.ami.action(action)).ok:
                return False
        return await self._redirect(
            command, self.dialplan.connect_context, self.dialplan.connect_exten
        )

    async def _redirect(
        self, command: cmd.PbxCommand, context: str, exten: str
    ) -> bool:
        caller = self.registry.caller_leg(command.call_id)
        if caller is None:
            return True
        action = Action.create(
            "Redirect", Channel=caller.name, Context=context, Exten=exten, Priority=1
        )
        return (await self.ami.action(action)).ok

    async def _hangup(self, channel: str | None) -> bool:
        if channel is None:
            return True
        action = Action.create("Hangup", Channel=channel, Cause=16)
        return (await self.ami.action(action)).ok

    async def _originate(self, command: cmd.OriginateCallback) -> bool:
        call_id = command.call_id
        channel_id = f"{call_id}-customer"
        dialed = f"Local/{command.number}@{self.dialplan.outbound_context}"
        self.registry.offer(
            uniqueid=channel_id,
            linkedid=channel_id,
            name=channel_id,  # Channel: accepts a Uniqueid; renamed by events
            number=command.number,
            call_id=call_id,
        )
        call = self.registry.call(call_id)
        if call is not None:
            call.callback = True
        self.registry.expect_agent(call_id, command.agent_id, command.endpoint)
        action_id = f"originate-{call_id}"
        self.registry.expect_originate(action_id, call_id)
        action = Action.create(
            "Originate",
            action_id=action_id,
            Channel=dialed,
            Context=self.dialplan.connect_context,
            Exten=self.dialplan.connect_exten,
            Priority=1,
            Timeout=int(command.timeout * 1000),
            Async="true",
            ChannelId=channel_id,
            OtherChannelId=f"{channel_id}-2",
            Variable=[
                f"CC_CALL_ID={call_id}",
                f"CC_ENDPOINT={command.endpoint}",
                f"CC_AGENT={command.agent_id}",
                "CC_RING_TIMEOUT=20",
            ],
        )
        return (await self.ami.action(action)).ok
