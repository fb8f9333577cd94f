"""Hold and resume from the agent's console on Asterisk (pure planning).

Theory of operation. An answered call is the caller's channel running
``Dial(<agent>,,g)`` in ``[callcenter-connect]``, bridged with the agent's channel.
Hold takes **both** channels out of that bridge with one dual ``Redirect`` into
``[callcenter-hold]``: the caller to ``caller`` (``MusicOnHold``), the agent to
``agent`` (``Wait``: silence, the agent's channel stays up)::

    Action: Redirect
    Channel: PJSIP/sipp-00000001        (the caller)
    Context: callcenter-hold
    Exten: caller
    Priority: 1
    ExtraChannel: PJSIP/1001-00000002   (the agent)
    ExtraContext: callcenter-hold
    ExtraExten: agent
    ExtraPriority: 1

Resume bridges them again::

    Action: Bridge
    Channel1: PJSIP/sipp-00000001
    Channel2: PJSIP/1001-00000002
    Tone: no

The ``Bridge`` action makes each channel go on at the next priority of where it was
when the bridge ends, so the hold context continues like ``Dial(g)`` did: the caller
goes back to our AGI (the survey) when the agent hangs up, the agent's channel hangs
up when the caller does. Both channels are also apart while held, so one side's
hang-up needs a follow-up (``Release``): a caller who hangs up on hold ends the call
as usual and the agent's waiting channel is hung up; an agent who hangs up on hold
ends their part (``AgentLegEnded``) and the caller is sent back to our AGI
(``callcenter-hold,back,1``). A caller moved on while held or talking (a
transfer, another agent) releases the agent's channel the same way (``moved_on``);
a media command for such a caller (queued again) also sends the caller back to the
AGI first (``back_to_ivr``).

``plan`` says what to send for a command (or why not: ``AgentCommandRejected``) and
marks the call held or not at once, so events racing the answer see it; ``settle``
undoes that if Asterisk refused. Asterisk sends no event we need to confirm a hold:
the ``Redirect``/``Bridge`` response is the confirmation.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from callcenter.ami.messages import Action
from callcenter.domain import commands as cmd
from callcenter.domain.events import AgentCommandRejected, DomainEvent
from callcenter.domain.ids import CallId

if TYPE_CHECKING:
    from callcenter.pbx.registry import CallState, ChannelRegistry, Leg

CALLER_EXTEN = "caller"
AGENT_EXTEN = "agent"
BACK_EXTEN = "back"
HoldCommand = cmd.HoldCall | cmd.ResumeCall


@dataclass(frozen=True, slots=True, kw_only=True)
class Release(cmd.PbxCommand):
    """A follow-up for a held call one side of which is gone or moved on.

    ``hang_up``: hang up ``channel`` (the agent's waiting channel); otherwise send
    ``channel`` (the caller) back to our AGI.
    """

    channel: str
    hang_up: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """What a hold command asks of Asterisk: an action, or events at once."""

    action: Action | None = None
    events: tuple[DomainEvent, ...] = ()


def plan(
    command: HoldCommand, registry: "ChannelRegistry", context: str, now: float
) -> Plan:
    """Return the action for ``command`` and mark the call held (or not) at once."""
    call = registry.call(command.call_id)
    caller = registry.caller_leg(command.call_id)
    agent = registry.agent_leg(command.call_id)
    if call is None or caller is None or not _talks(agent, command):
        gone = f"agent {command.agent_id} has no live channel on call {command.call_id}"
        return _rejected(command, now, "no_live_channel", gone)
    assert agent is not None  # noqa: S101 - _talks checked it
    hold = isinstance(command, cmd.HoldCall)
    if call.held is hold:
        return Plan()  # already so: nothing to send
    call.held = hold
    if hold:
        return Plan(action=redirect_both(caller.name, agent.name, context))
    return Plan(action=bridge(caller.name, agent.name))


def settle(
    command: HoldCommand, registry: "ChannelRegistry", now: float, *, ok: bool
) -> list[DomainEvent]:
    """Return what Asterisk's answer to ``plan``'s action means."""
    call = registry.call(command.call_id)
    if ok or call is None:
        return []  # done, or the call ended meanwhile (its CallEnded says so)
    call.held = not isinstance(command, cmd.HoldCall)
    what = "hold" if isinstance(command, cmd.HoldCall) else "resume"
    refused = f"Asterisk refused to {what} call {command.call_id}"
    return list(_rejected(command, now, "refused_by_pbx", refused).events)


def after_hangup(call: "CallState", leg: "Leg", registry: "ChannelRegistry") -> None:
    """Queue the follow-up of a held call whose caller or agent hung up."""
    if not call.held:
        return
    call.held = False
    if leg.uniqueid == call.caller:
        agent = registry.agent_leg(call.call_id)
        if agent is not None:
            registry.releases.append(
                Release(call_id=call.call_id, channel=agent.name, hang_up=True)
            )
        return
    caller = registry.caller_leg(call.call_id)
    if caller is not None and call.leaving is None:
        registry.releases.append(
            Release(call_id=call.call_id, channel=caller.name, hang_up=False)
        )


def moved_on(call_id: CallId, registry: "ChannelRegistry") -> Release | None:
    """Return the release of the agent's channel when the core moves the caller on.

    The caller talks to the agent (bridged) or is held, and a transfer takes them
    elsewhere. The core has already ended the agent's talk, so the agent's leg is
    forgotten at once: its ``Hangup`` is not reported again (an ``AgentLegEnded``
    then would end the transferred caller's wait as if the talk had just ended).
    A held agent waits in ``Wait()`` and must be hung up; a bridged one is hung up
    by Asterisk when the caller leaves the bridge, and our ``Hangup`` finds nothing.
    """
    call = registry.call(call_id)
    agent = registry.agent_leg(call_id)
    if call is None or agent is None or not agent.answered:
        return None
    call.held = False
    registry.drop_leg(agent.uniqueid)
    return Release(call_id=call_id, channel=agent.name, hang_up=True)


def back_to_ivr(call_id: CallId, registry: "ChannelRegistry") -> list[Release]:
    """Return what brings a caller with an agent back to our AGI for a media command.

    A media command (music, announcements) for a call whose agent leg is answered
    means the core queued the caller again (a transfer to a queue or an agent, blind
    or consulted, with nobody free at once): the caller goes back to the AGI, where
    the command runs, and the agent is released.
    """
    caller = registry.caller_leg(call_id)
    release = moved_on(call_id, registry)
    if release is None or caller is None:
        return []
    return [Release(call_id=call_id, channel=caller.name, hang_up=False), release]


def redirect_both(caller: str, agent: str, context: str) -> Action:
    """Return the dual ``Redirect`` that puts a talking call on hold."""
    return Action.create(
        "Redirect",
        Channel=caller,
        Context=context,
        Exten=CALLER_EXTEN,
        Priority=1,
        ExtraChannel=agent,
        ExtraContext=context,
        ExtraExten=AGENT_EXTEN,
        ExtraPriority=1,
    )


def bridge(caller: str, agent: str) -> Action:
    """Return the ``Bridge`` that takes a held call off hold."""
    return Action.create("Bridge", Channel1=caller, Channel2=agent, Tone="no")


def release_action(release: Release, context: str) -> Action:
    """Return the action carrying out ``release``."""
    if release.hang_up:
        return Action.create("Hangup", Channel=release.channel, Cause=16)
    return Action.create(
        "Redirect",
        Channel=release.channel,
        Context=context,
        Exten=BACK_EXTEN,
        Priority=1,
    )


def _talks(agent: "Leg | None", command: HoldCommand) -> bool:
    return agent is not None and agent.answered and agent.agent_id == command.agent_id


def _rejected(command: HoldCommand, now: float, code: str, message: str) -> Plan:
    name = "hold" if isinstance(command, cmd.HoldCall) else "resume"
    rejected = AgentCommandRejected(
        at=now, agent_id=command.agent_id, command=name, code=code, message=message
    )
    return Plan(events=(rejected,))
