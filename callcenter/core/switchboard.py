"""The switchboard: one sans-IO state machine that runs the whole call center.

Theory of operation. Every input (a PBX event, a CRM answer, an agent command, a
timer) goes to ``handle(input, now)``, which returns outputs for the runtime to carry
out: PBX commands, domain events to publish, and requests needing I/O (CRM lookups,
storing records, replies to consoles). A call's life:

1. ``CallOffered``: the call gets a record and an IVR session on the main flow.
2. The IVR plays, collects and looks the caller up (``LookupCustomer`` ->
   ``CustomerFound``), then asks to ``Enqueue`` the call: the ACD takes it, with a
   priority from the caller's facts. While it waits, the IVR holds it and announces
   the position, always read from the ACD at that moment.
3. The ACD offers the call (``ConnectToAgent``); the PBX reports ringing (the screen
   pop is built then), answer or no answer; the ACD re-queues a missed offer.
4. When the agent hangs up, the IVR may continue (survey); a voicemail node has the
   PBX record a message (``callcenter.core.voicemail``); when the caller's leg ends,
   the switchboard emits exactly one ``CallCompleted`` and forgets the call.

The switchboard owns no clock, no socket and no task: the same code runs in real time
against Asterisk and in virtual time against the simulated PBX.
"""

import heapq
from collections.abc import Iterable, Mapping

from acd import inputs as acd_in
from acd.calendar import BusinessHours
from acd.engine import AcdEngine
from callcenter.core.agent_commands import AgentCommandHandler
from callcenter.core.call_record import CallRecord, skill_levels
from callcenter.core.hours import hours_variables
from callcenter.core.messages import (
    AgentCommand,
    AgentReply,
    BuildScreenPop,
    CallRequeued,
    CoreRequest,
    CustomerFound,
    PersistCall,
    PersistSurvey,
    SupervisorCommand,
    TakeOverAgent,
    TimerDue,
)
from callcenter.core.monitoring import MonitorBook
from callcenter.core.voicemail import message_recorded, record_message
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId, QueueName
from callcenter.domain.supervision import MONITOR_ACTIONS
from ivr import inputs as ivr_in
from ivr import requests as ivr_req
from ivr.flow_source import FixedFlows, FlowSource
from ivr.model import Flow
from ivr.session import IvrSession

__all__ = ["CallRecord", "Input", "Output", "Switchboard", "skill_levels"]

Output = cmd.PbxCommand | ev.DomainEvent | CoreRequest
Input = ev.DomainEvent | AgentCommand | SupervisorCommand | CustomerFound | TimerDue

# Events the IVR session of a call must hear about.
_TO_IVR = (
    ev.PromptFinished,
    ev.DigitsCollected,
    ev.HoldInterrupted,
    ev.AgentRinging,
    ev.AgentNoAnswer,
    ev.AgentLegEnded,
    ev.CallEnded,
)
# Events the ACD must hear about.
_TO_ACD = (
    ev.AgentRinging,
    ev.CallAnswered,
    ev.AgentNoAnswer,
    ev.CallEnded,
    ev.AgentLegEnded,
    ev.OriginateFinished,
)


class Switchboard:
    """Joins the PBX, the IVR and the ACD; see the module docstring."""

    def __init__(
        self,
        *,
        acd: AcdEngine,
        flows: Mapping[str, Flow] | FlowSource,
        main_flow: str,
        hours: BusinessHours | None = None,
        pins: Mapping[AgentId, str] | None = None,
    ) -> None:
        """Serve calls with the flow ``main_flow`` in front of ``acd``.

        Args:
            acd: the ACD engine.
            flows: the flows, or a source of them (a ``FlowRegistry``): each new
                call takes the source's flows of that moment, so a reload reaches
                new calls while calls in progress keep the flows they started with.
            main_flow: the flow that answers calls.
            hours: the opening calendar behind the ``business_hours`` and
                ``holiday`` variables; None is always open.
            pins: agent -> PIN, checked at every login (``core.agent_pins``).
        """
        source = FixedFlows(flows) if isinstance(flows, Mapping) else flows
        if main_flow not in source.flows:
            have = ", ".join(sorted(source.flows))
            msg = f"IVR flow {main_flow!r} not found (have: {have})"
            raise KeyError(msg)
        self.acd = acd
        self.flow_source = source
        self.hours = hours
        self._main_flow = main_flow
        self._calls: dict[CallId, CallRecord] = {}
        self._timers: list[tuple[float, CallId]] = []
        self._agents = AgentCommandHandler(acd, pins=pins)
        self.monitors = MonitorBook(acd)  # supervisors listening, coaching, barging
        self.completed = 0

    # --- public API ------------------------------------------------------------------

    def handle(self, inp: Input, now: float) -> list[Output]:
        """Process one input at ``now`` and return what must happen."""
        out: list[Output] = []
        match inp:
            case TimerDue():
                self._on_timer(now, out)
            case AgentCommand():
                raw: list[object] = []
                self._agents.handle(inp, now, raw)
                self._run_acd(raw, now, out)
            case SupervisorCommand(action=action) if action in MONITOR_ACTIONS:
                self._run_acd(self.monitors.handle(inp, now), now, out)
            case SupervisorCommand():
                raw = []
                self._agents.supervise(inp, now, raw)
                self._run_acd(raw, now, out)
            case CustomerFound():
                self._on_customer(inp, now, out)
            case ev.CallOffered():
                self._on_offered(inp, now, out)
            case ev.DomainEvent():
                self._on_pbx_event(inp, now, out)
        return out

    def next_deadline(self) -> float | None:
        """Return the earliest instant a timer of the ACD or an IVR session is due."""
        timers = self._timers
        while timers:
            due, call_id = timers[0]
            call = self._calls.get(call_id)
            session = call.session if call else None
            if session is not None and session.next_deadline() == due:
                break
            heapq.heappop(timers)
        candidates = [
            t
            for t in (self.acd.next_deadline(), timers[0][0] if timers else None)
            if t is not None
        ]
        return min(candidates) if candidates else None

    def calls_in_progress(self) -> int:
        """Return how many calls are still alive."""
        return len(self._calls)

    def shut_down(self, now: float) -> list[Output]:
        """Hang up every live call and emit its final record.

        The outcome is ``unfinished`` unless the ACD had already settled the call, so
        no call goes unrecorded when the center stops.
        """
        out: list[Output] = []
        for call in list(self._calls.values()):
            out.append(cmd.HangUp(call_id=call.call_id))
            call.outcome = call.outcome or ev.CallOutcome.UNFINISHED
            self._finish(call, now, out)
        return out

    def call(self, call_id: CallId) -> CallRecord | None:
        """Return the live record of a call (for consoles and tests)."""
        return self._calls.get(call_id)

    # --- PBX events ------------------------------------------------------------------

    def _on_offered(self, event: ev.CallOffered, now: float, out: list[Output]) -> None:
        call = CallRecord(
            call_id=event.call_id,
            caller_number=event.caller_number,
            offered_at=event.at,
        )
        self._calls[event.call_id] = call
        flows = self.flow_source.flows  # this call keeps this snapshot to its end
        call.session = IvrSession(
            flows[self._main_flow],
            call_id=event.call_id,
            caller_number=event.caller_number,
            flows=flows,
            variables=hours_variables(self.hours, now),
        )
        out.append(ev.IvrEntered(at=now, call_id=event.call_id, flow=self._main_flow))
        self._run_ivr(call, call.session.start(now), now, out)

    def _on_pbx_event(
        self, event: ev.DomainEvent, now: float, out: list[Output]
    ) -> None:
        call_id: CallId | None = getattr(event, "call_id", None)
        call = self._calls.get(call_id) if call_id is not None else None
        self.monitors.observe(event)
        if call is not None:
            self._track(call, event)
        if isinstance(event, _TO_ACD):
            self._run_acd(self.acd.handle(event, now), now, out)
        if call is not None and isinstance(event, ev.AgentRinging):
            out.append(self._screen_pop(call, event.agent_id))
        if call is not None and call.session is not None and isinstance(event, _TO_IVR):
            self._feed(call, event, now, out)
        elif call is not None and isinstance(event, ev.AgentLegEnded):
            out.append(cmd.HangUp(call_id=call.call_id))
        if call is not None and isinstance(event, ev.MessageRecorded):
            out.extend(message_recorded(call, event))
        if call is not None and isinstance(event, ev.CallEnded):
            self._finish(call, now, out)

    def _track(self, call: CallRecord, event: ev.DomainEvent) -> None:
        match event:
            case ev.CallAnswered(agent_id=agent):
                call.agent_id, call.answered_at = agent, event.at
            case ev.AgentLegEnded() | ev.CallEnded() if (
                call.answered_at and not call.talk_ended_at
            ):
                call.talk_ended_at = event.at

    def _screen_pop(self, call: CallRecord, agent_id: AgentId) -> BuildScreenPop:
        session = call.session
        return BuildScreenPop(
            call_id=call.call_id,
            agent_id=agent_id,
            caller_number=call.caller_number,
            ivr_path=session.path if session else (),
            ivr_variables=dict(session.variables) if session else {},
            reference=call.reference,
            account=call.account,
        )

    def _on_customer(self, found: CustomerFound, now: float, out: list[Output]) -> None:
        call = self._calls.get(found.call_id)
        if call is None:
            return
        call.facts = dict(found.facts)
        out.append(call.identified(now))
        if call.session is not None:
            self._feed(call, ivr_in.CustomerFound(facts=call.facts), now, out)

    # --- timers ----------------------------------------------------------------------

    def _on_timer(self, now: float, out: list[Output]) -> None:
        deadline = self.acd.next_deadline()
        if deadline is not None and deadline <= now:
            self._run_acd(self.acd.handle(acd_in.Tick(), now), now, out)
        while self._timers and self._timers[0][0] <= now:
            due, call_id = heapq.heappop(self._timers)
            call = self._calls.get(call_id)
            if call and call.session and call.session.next_deadline() == due:
                self._feed(call, ivr_in.Tick(), now, out)

    # --- IVR -------------------------------------------------------------------------

    def _feed(
        self, call: CallRecord, inp: ivr_in.IvrInput, now: float, out: list[Output]
    ) -> None:
        session = call.session
        if session is None or session.finished:
            return
        self._run_ivr(call, session.handle(inp, now), now, out)

    def _run_ivr(
        self, call: CallRecord, outputs: Iterable[object], now: float, out: list[Output]
    ) -> None:
        for item in outputs:
            self._ivr_output(call, item, now, out)
        session = call.session
        if session is not None:
            due = session.next_deadline()
            if due is not None:
                heapq.heappush(self._timers, (due, call.call_id))

    def _ivr_output(
        self, call: CallRecord, item: object, now: float, out: list[Output]
    ) -> None:
        match item:
            case cmd.PbxCommand() | ev.DomainEvent():
                out.append(item)
            case ivr_req.LookupCustomer(by=by, value=value):
                out.append(call.lookup(by, value))
            case ivr_req.Enqueue():
                self._enqueue(call, item, now, out)
            case ivr_req.QueryQueueStatus():
                self._feed(call, self._queue_status(call, now), now, out)
            case ivr_req.RequestCallback(number=number):
                number = number or call.caller_number
                request = acd_in.RequestCallback(call_id=call.call_id, number=number)
                self._run_acd(self.acd.handle(request, now), now, out)
            case ivr_req.LeaveQueue(reason=reason):
                if call.queue is not None and call.outcome is None:
                    leave = acd_in.WithdrawCall(call_id=call.call_id, reason=reason)
                    self._run_acd(self.acd.handle(leave, now), now, out)
            case _:
                self._ivr_ending(call, item, out)

    def _ivr_ending(self, call: CallRecord, item: object, out: list[Output]) -> None:
        match item:
            case ivr_req.SaveSurvey(answers=answers):
                out.append(PersistSurvey(call_id=call.call_id, answers=dict(answers)))
            case ivr_req.RecordVoicemail():
                out.append(record_message(call, item))
            case ivr_req.IvrFinished(outcome="callback"):
                call.outcome = call.outcome or ev.CallOutcome.CALLBACK
            case _:
                pass  # IvrFinished: the record is written when the leg ends.

    def _queue_status(self, call: CallRecord, now: float) -> ivr_in.QueueStatus:
        position = self.acd.position(call.call_id)
        ewt = (
            self.acd.estimated_wait(call.call_id, now) if position is not None else None
        )
        return ivr_in.QueueStatus(position=position, ewt_seconds=ewt, open=True)

    def _enqueue(
        self, call: CallRecord, request: ivr_req.Enqueue, now: float, out: list[Output]
    ) -> None:
        call.queue, call.queued_at = QueueName(request.queue), now
        enqueue = acd_in.EnqueueCall(
            call_id=call.call_id,
            queue=QueueName(request.queue),
            caller=call.caller_facts(),
            required_skills=skill_levels(request.skills),
        )
        self._run_acd(self.acd.handle(enqueue, now), now, out)

    # --- ACD -------------------------------------------------------------------------

    def _run_acd(
        self, outputs: Iterable[object], now: float, out: list[Output]
    ) -> None:
        for item in outputs:
            if isinstance(item, ev.AcdCallFinished):
                call = self._calls.get(item.call_id)
                if call is not None:
                    call.outcome, call.waited = item.outcome, item.waited
                    call.agent_id = item.agent_id or call.agent_id
                out.append(item)
            elif isinstance(
                item, cmd.PbxCommand | ev.DomainEvent | AgentReply | TakeOverAgent
            ):
                out.append(item)
            elif isinstance(item, CallRequeued):
                self._requeued(item, now, out)
            else:
                self._acd_action(item, now, out)

    def _requeued(self, item: CallRequeued, now: float, out: list[Output]) -> None:
        """A transferred caller waits again: on hold, by their IVR session if any."""
        call = self._calls.get(item.call_id)
        if call is not None and call.session is not None and call.session.queued:
            inp = ivr_in.Requeued(from_agent=item.from_agent, ringing=item.ringing)
            self._feed(call, inp, now, out)
        elif not item.ringing:
            out.append(cmd.StartHold(call_id=item.call_id, moh_class="default"))

    def _acd_action(self, item: object, now: float, out: list[Output]) -> None:
        call_id: CallId | None = getattr(item, "call_id", None)
        call = self._calls.get(call_id) if call_id is not None else None
        if call is None or call.session is None:
            return
        status = ivr_in.QueueStatus(position=None, ewt_seconds=None, open=False)
        self._feed(call, status, now, out)

    # --- end of a call ---------------------------------------------------------------

    def _finish(self, call: CallRecord, now: float, out: list[Output]) -> None:
        del self._calls[call.call_id]
        record = call.final_record(now)
        self.completed += 1
        out.append(record)
        out.append(
            PersistCall(
                record=record, ivr_path=call.session.path if call.session else ()
            )
        )
