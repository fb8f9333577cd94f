"""The PBX port on a real Asterisk: AMI for call control, FastAGI for media.

Theory of operation. Every inbound call runs ``AGI(agi://HOST:4573/callcenter)``. The
session's start offers the call (``CallOffered``, call id = the channel's Linkedid)
and attaches it to the call's ``CallLine``, which runs the IVR's media commands one at
a time. ``ConnectToAgent`` sets ``CC_ENDPOINT``/``CC_RING_TIMEOUT`` on the caller's
channel and ``Redirect``s it to ``callcenter-connect,agent,1``, which dials the agent
with the ``g`` option and then re-enters the same AGI: that second session is
recognised by the channel's Uniqueid (and ``CC_CALL_ID``) and attached to the same
line, so a missed ring resumes the hold and a finished talk can run the survey. All
other AMI events go through the pure translator (``translate.py``); on every
(re)connect ``CoreShowChannels`` resynchronises the registry. AMI actions run on one
worker task in command order, so ``execute`` never blocks the runtime. Supervisors
monitor calls by ChanSpy on the agent's channel (``callcenter.pbx.spies``).
"""

import asyncio
import logging

from callcenter.agi.channel import AgiChannel
from callcenter.agi.server import FastAgiServer
from callcenter.ami.client import AmiClient
from callcenter.ami.errors import AmiError
from callcenter.ami.feed import Feed
from callcenter.ami.messages import Action, Event
from callcenter.clock import Clock
from callcenter.domain import commands as cmd
from callcenter.domain.events import (
    AgentCommandRejected,
    AgentNoAnswer,
    AgentRinging,
    CallAnswered,
    CallEnded,
    CallOffered,
    DomainEvent,
    OriginateFinished,
    Party,
)
from callcenter.domain.ids import CallId
from callcenter.errors import CallCenterError
from callcenter.pbx import hold
from callcenter.pbx.agi_line import CallLine, Ending
from callcenter.pbx.ami_actions import AmiActions, Dialplan
from callcenter.pbx.port import EventSink
from callcenter.pbx.registry import CallState, ChannelRegistry, EntryRule
from callcenter.pbx.translate import resync, translate
from callcenter.settings import PbxSettings

AGI_ROUTE = "callcenter"
_HANGUP_REQUESTS = frozenset({"hanguprequest", "softhanguprequest"})
_MONITOR = (cmd.MonitorCall, cmd.StopMonitor)
_HOLD = (cmd.HoldCall, cmd.ResumeCall, hold.Release)
_QUEUED_AS_IS = (cmd.OriginateCallback, cmd.MonitorCall, *_HOLD)


class PbxUnavailableError(CallCenterError):
    """Asterisk could not be reached or refused us; the message says which."""


class AsteriskPbx:
    """The PBX port over Asterisk's AMI and a FastAGI server of ours."""

    def __init__(
        self,
        settings: PbxSettings,
        clock: Clock,
        *,
        dialplan: Dialplan | None = None,
        logger: logging.Logger | None = None,
        hold_poll_ms: int = 1000,
    ) -> None:
        """Configure from ``[pbx]``; nothing connects until ``start``."""
        self.log = logger or logging.getLogger(__name__)
        self.clock = clock
        self.registry = ChannelRegistry(
            entry=(EntryRule(application="AGI", data_contains=f"/{AGI_ROUTE}"),),
            agent_endpoint=settings.agent_endpoint,
        )
        self.ami = AmiClient(
            host=settings.host,
            port=settings.port,
            username=settings.username,
            secret=settings.secret.get_secret_value() if settings.secret else "",
            connect_timeout=settings.connect_timeout,
            logger=self.log,
            on_connected=self._resync,
        )
        self.agi = FastAgiServer(
            host=settings.agi_host,
            port=settings.agi_port,
            routes={AGI_ROUTE: self._serve_call},
            logger=self.log,
        )
        self.actions = AmiActions(self.ami, self.registry, dialplan or Dialplan())
        self._hold_poll_ms = hold_poll_ms
        self._recordings_dir = settings.recordings_dir
        self._sink: EventSink | None = None
        self._lines: dict[CallId, CallLine] = {}
        self._feed: Feed[Event] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._commands: asyncio.Queue[cmd.PbxCommand] = asyncio.Queue()

    # --- the port -------------------------------------------------------------------

    def attach(self, sink: EventSink) -> None:
        """Deliver events to ``sink``."""
        self._sink = sink

    async def start(self) -> None:
        """Listen for FastAGI, log in to the AMI and read the channels.

        Raises:
            PbxUnavailableError: the AGI port is taken, or the AMI refused us.
        """
        self._feed = self.ami.subscribe()
        try:
            await self.agi.start()
        except OSError as exc:
            msg = f"cannot listen for FastAGI on {self.agi.host}:{self.agi.port}: {exc}"
            raise PbxUnavailableError(msg) from exc
        try:
            await self.ami.__aenter__()
        except (OSError, TimeoutError, AmiError) as exc:
            await self.close()
            raise PbxUnavailableError(describe_failure(exc, self.ami)) from exc
        self._tasks = [
            asyncio.create_task(self._pump(self._feed), name="asterisk-events"),
            asyncio.create_task(self._work(), name="asterisk-actions"),
        ]

    async def close(self) -> None:
        """Stop both tasks, end every AGI session, log off."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        for line in self._lines.values():
            line.stop()
        for _ in range(50):  # let stopped sessions close their sockets themselves
            if not self.agi.active_sessions:
                break
            await asyncio.sleep(0.01)
        await self.agi.close()
        await self.ami.close()

    async def execute(self, command: cmd.PbxCommand) -> None:
        """Queue ``command``: media on the call's AGI line, the rest on the AMI."""
        call = self.registry.call(command.call_id)
        line = self._lines.get(command.call_id)
        if isinstance(command, _QUEUED_AS_IS):
            self._commands.put_nowait(command)  # a gone call: Monitor/Hold failure
        elif call is None or line is None:
            self.log.debug(
                "ignoring %s for a call already gone", type(command).__name__
            )
        elif isinstance(command, cmd.MEDIA_COMMANDS) or (
            isinstance(command, cmd.HangUp) and line.attached
        ):
            for back in hold.back_to_ivr(call.call_id, self.registry):
                self._commands.put_nowait(back)  # a held caller queued again
            line.push(command)
        elif isinstance(command, cmd.AnswerForAgent):
            self._reject(command)
        else:
            freed = self._prepare(command, call, line)
            self._commands.put_nowait(command)
            if freed is not None:  # a held caller moves on: free the agent
                self._commands.put_nowait(freed)

    def next_due(self) -> float | None:
        """Return ``None``: Asterisk has no timeline of ours."""
        return None

    def fire_due(self, now: float) -> None:
        """Do nothing: events arrive from the wire."""
        del now

    # --- commands -------------------------------------------------------------------

    def _prepare(
        self, command: cmd.PbxCommand, call: CallState, line: CallLine
    ) -> hold.Release | None:
        """Change local state at once, so later commands and events see it."""
        moves = isinstance(command, cmd.ConnectToAgent | cmd.Transfer)
        release = hold.moved_on(call.call_id, self.registry) if moves else None
        match command:
            case cmd.ConnectToAgent(agent_id=agent, endpoint=endpoint):
                self.registry.expect_agent(call.call_id, agent, endpoint)
                line.detach(wait_class="default")
            case cmd.Transfer():
                line.detach()
            case cmd.CancelRing():
                self.registry.cancel_ring(call.call_id)
            case cmd.HangUp():
                call.leaving = call.leaving or Party.SYSTEM
        return release

    def _reject(self, command: cmd.AnswerForAgent) -> None:
        self.log.warning(
            "AnswerForAgent(%s): generic SIP phones cannot be answered remotely; "
            "the agent answers on the phone",
            command.agent_id,
        )
        self._emit(
            AgentCommandRejected(
                at=self.clock.now(),
                agent_id=command.agent_id,
                command="answer",
                code="unsupported_by_pbx",
                message="answer on your phone: Asterisk cannot answer it remotely",
            )
        )

    async def _work(self) -> None:
        while True:
            command = await self._commands.get()
            if isinstance(command, (*_MONITOR, *_HOLD)):
                for event in await self.actions.report(command, self.clock.now):
                    self._emit(event)
                continue
            try:
                outcome = await self.actions.carry_out(command)
            except AmiError as exc:
                self.log.warning("%s failed: %s", type(command).__name__, exc)
                outcome = False
            self._after(command, ok=outcome)

    def _after(self, command: cmd.PbxCommand, *, ok: bool) -> None:
        call_id = command.call_id
        match command:
            case cmd.ConnectToAgent(agent_id=agent) if not ok:
                if self.registry.call(call_id) is not None:
                    self._emit(
                        AgentNoAnswer(
                            at=self.clock.now(), call_id=call_id, agent_id=agent
                        )
                    )
            case cmd.Transfer() if ok:
                self._end(call_id, Party.SYSTEM)
            case cmd.HangUp() if not ok:
                self._end(call_id, Party.SYSTEM)  # no such channel: gone already
            case cmd.OriginateCallback() if not ok:
                if self.registry.end(call_id) is not None:
                    self._emit(
                        OriginateFinished(
                            at=self.clock.now(),
                            call_id=call_id,
                            answered=False,
                            reason="refused by Asterisk",
                        )
                    )

    # --- events ---------------------------------------------------------------------

    async def _pump(self, feed: Feed[Event]) -> None:
        async for event in feed:
            try:
                self._on_ami_event(event)
            except Exception:
                self.log.exception("translating AMI %s failed", event.name)

    def _on_ami_event(self, event: Event) -> None:
        if event.name.lower() in _HANGUP_REQUESTS:
            call = self.registry.call_of(event.uniqueid)
            if call is not None and call.caller == event.uniqueid:
                line = self._lines.get(call.call_id)
                if line is not None:
                    line.stop()  # close the AGI socket: Asterisk waits for it
        for domain in translate(event, self.registry, self.clock.now()):
            self._deliver(domain)

    async def _resync(self, client: AmiClient) -> None:
        result = await client.action(Action(name="CoreShowChannels"))
        events = resync(result.events, self.registry, self.clock.now())
        self.log.info(
            "AMI resync: %d channels, %d calls live, %d events",
            len(result.events),
            len(self.registry.calls),
            len(events),
        )
        for event in events:
            self._deliver(event)

    def _deliver(self, event: DomainEvent) -> None:
        for release in self.registry.take_releases():  # a held call's other side
            self._commands.put_nowait(release)
        match event:
            case CallOffered(call_id=call_id):
                self._line(call_id)
            case CallEnded(call_id=call_id):
                line = self._lines.pop(call_id, None)
                if line is not None:
                    line.stop()
            case AgentRinging(call_id=call_id):
                self._line(call_id).ringing()
            case CallAnswered(call_id=call_id):
                self._line(call_id).talking()
        self._emit(event)

    def _emit(self, event: DomainEvent) -> None:
        if self._sink is not None:
            self._sink(event)

    def _line(self, call_id: CallId) -> CallLine:
        line = self._lines.get(call_id)
        if line is None:
            line = CallLine(
                call_id,
                emit=self._emit,
                now=self.clock.now,
                hold_poll_ms=self._hold_poll_ms,
                recordings_dir=self._recordings_dir,
            )
            self._lines[call_id] = line
        return line

    def _end(self, call_id: CallId, by: Party) -> None:
        call = self.registry.end(call_id)
        if call is not None:
            self._deliver(
                CallEnded(at=self.clock.now(), call_id=call_id, by=call.leaving or by)
            )

    # --- FastAGI --------------------------------------------------------------------

    async def _serve_call(self, channel: AgiChannel) -> None:
        call = await self._call_of_session(channel)
        if call is None:
            return
        line = self._line(call.call_id)
        ending = await line.serve(channel)
        self.log.debug("AGI session of %s ended: %s", call.call_id, ending)
        if ending is Ending.CALLER_GONE:
            self._end(call.call_id, Party.CALLER)
        elif ending is Ending.HUNG_UP:
            self._end(call.call_id, Party.SYSTEM)

    async def _call_of_session(self, channel: AgiChannel) -> CallState | None:
        """Return the call this AGI session belongs to, offering it if it is new."""
        env = channel.env
        call = self.registry.call_of(env.uniqueid)
        if call is None:
            known = await channel.get_variable("CC_CALL_ID")
            call = self.registry.call(CallId(known)) if known else None
        if call is not None:
            return call
        linkedid = await channel.get_variable("CHANNEL(linkedid)") or env.uniqueid
        call = self.registry.call_of(env.uniqueid)  # the AMI may have been quicker
        if call is None:
            number = "" if env.callerid in {"", "unknown"} else env.callerid
            call = self.registry.offer(
                uniqueid=env.uniqueid,
                linkedid=linkedid,
                name=env.channel,
                number=number,
            ) or self.registry.offer(
                uniqueid=env.uniqueid,
                linkedid=linkedid,
                name=env.channel,
                number=number,
                call_id=CallId(env.uniqueid),
            )
            if call is None:
                return None
            self._deliver(
                CallOffered(
                    at=self.clock.now(),
                    call_id=call.call_id,
                    caller_number=number,
                    dialed_number=env.extension,
                    caller_name=""
                    if env.calleridname == "unknown"
                    else env.calleridname,
                )
            )
        await channel.set_variable("CC_CALL_ID", call.call_id)
        return call


def describe_failure(exc: BaseException, ami: AmiClient) -> str:
    """Return one clear line for a failed connection (no traceback)."""
    where = f"{ami.host}:{ami.port}"
    match exc:
        case ConnectionRefusedError():
            return f"Asterisk AMI at {where} refused the connection (is it running?)"
        case TimeoutError():
            return f"Asterisk AMI at {where} did not answer in time"
        case OSError() if not isinstance(exc, AmiError):
            return f"cannot reach {where}: {exc.strerror or exc}"
        case _:
            return f"Asterisk AMI at {where}: {exc}"
