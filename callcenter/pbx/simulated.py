"""A simulated PBX: callers and agents in memory.

Callers arrive, listen, key digits, leave voicemail and hang up; agents answer, talk
and hang up. It implements the PBX port, so the whole call center runs on this
machine with nothing installed, in real time for the demo or in virtual time for fast
simulation (it never reads a clock itself: ``now`` comes from the runtime's injected
clock). This module moves a caller's leg (``sim_call``) between arrival, the queue,
an agent's phone and hanging up; what the caller hears and keys on the way (prompts,
digits, music on hold, voicemail) is ``sim_media``.

Every outcome is scheduled on a ``Timeline`` keyed per call and purpose, so a newer
command naturally cancels the pending outcome of an older one (a new prompt ends the
music on hold, an assignment ends the wait). Agents taken over by a person (the agent
console) are not answered by the simulation: ``answer`` and ``hang_up_agent`` are
called on their behalf. Supervisors' phones monitoring calls are ``sim_monitor``.
"""

import itertools
from pathlib import Path

from callcenter.clock import Clock
from callcenter.domain import commands as cmd
from callcenter.domain.events import (
    AgentLegEnded,
    AgentNoAnswer,
    AgentRinging,
    CallAnswered,
    CallEnded,
    CallOffered,
    DomainEvent,
    OriginateFinished,
    Party,
)
from callcenter.domain.ids import AgentId, CallId
from callcenter.pbx.port import EventSink
from callcenter.pbx.sim_call import LegState, SimCall
from callcenter.pbx.sim_media import CallerMedia
from callcenter.pbx.sim_monitor import SimMonitors
from callcenter.pbx.timeline import Timeline
from callcenter.pbx.traffic import CallerProfile, TrafficModel

RING_SETUP_SECONDS = 0.3


class SimulatedPbx:
    """The PBX port implemented in memory, driven by the runtime's clock."""

    def __init__(
        self,
        traffic: TrafficModel,
        clock: Clock,
        *,
        arrivals: bool = True,
        recordings_dir: Path | None = None,
    ) -> None:
        """Create a PBX whose callers follow ``traffic``.

        Voicemail is written as WAV files under ``recordings_dir`` when given.
        """
        self._traffic = traffic
        self._clock = clock
        self._timeline = Timeline()
        self._media = CallerMedia(
            timeline=self._timeline,
            traffic=traffic,
            emit=self._emit,
            hang_up=self._caller_hung_up,
            recordings_dir=recordings_dir,
        )
        self.monitors = SimMonitors(self._emit)  # supervisors' phones (sim_monitor)
        self._calls: dict[CallId, SimCall] = {}
        self._manual: set[AgentId] = set()
        self._sink: EventSink | None = None
        self._numbers = itertools.count(1)
        self._arrivals = arrivals
        self.offered = 0

    # --- the port -----------------------------------------------------------------

    def attach(self, sink: EventSink) -> None:
        """Deliver events to ``sink``."""
        self._sink = sink

    async def start(self) -> None:
        """Schedule the first caller."""
        if self._arrivals:
            self._schedule_arrival(self._clock.now())

    async def close(self) -> None:
        """Stop producing callers; pending happenings are dropped."""
        self._arrivals = False
        self._timeline.clear()

    def stop_arrivals(self) -> None:
        """Let no new caller in; calls already here carry on."""
        self._arrivals = False
        self._timeline.cancel("arrival")

    def next_due(self) -> float | None:
        """Return the next instant something happens."""
        return self._timeline.next_due()

    def fire_due(self, now: float) -> None:
        """Let everything due by ``now`` happen."""
        self._timeline.run_due(now)

    async def execute(self, command: cmd.PbxCommand) -> None:
        """Carry out a command at the clock's current time."""
        self.apply(command, self._clock.now())

    # --- people at the console --------------------------------------------------------

    def set_manual(self, agent_id: AgentId, *, manual: bool) -> None:
        """Mark an agent as driven by a person (console) instead of the simulation."""
        if manual:
            self._manual.add(agent_id)
        else:
            self._manual.discard(agent_id)

    def answer(self, agent_id: AgentId) -> bool:
        """Answer the call ringing ``agent_id``; return whether one was ringing."""
        call = self._find(agent_id, LegState.RINGING)
        if call is None:
            return False
        self._timeline.schedule(
            self._clock.now(),
            lambda at: self._answered(call, at),
            key=("agent", call.call_id),
        )
        return True

    def hang_up_agent(self, agent_id: AgentId) -> bool:
        """Hang up the agent's side of their current call."""
        call = self._find(agent_id, LegState.TALKING)
        if call is None:
            return False
        self._timeline.schedule(
            self._clock.now(),
            lambda at: self._agent_hung_up(call, at),
            key=("agent", call.call_id),
        )
        return True

    def offer_call(self, number: str, *, digits: tuple[str, ...] = ()) -> CallId:
        """Let a caller with ``number`` in now, keying ``digits`` at each collect.

        For tests and demos that need a given caller rather than a random one; the
        caller is patient and stays until hung up.
        """
        call = SimCall(
            call_id=self._next_call_id(),
            profile=_patient_caller(number),
            scripted_digits=list(digits),
        )
        self._offer(call, self._clock.now())
        return call.call_id

    def hang_up(self, call_id: CallId) -> bool:
        """Make the caller of ``call_id`` hang up now; return whether they were here.

        For tests and demos: a caller hanging up at a chosen moment (at a given IVR
        node, on hold, while ringing) rather than when their patience runs out.
        """
        call = self._calls.get(call_id)
        if call is None or call.state is LegState.GONE:
            return False
        self._timeline.schedule(
            self._clock.now(),
            lambda at: self._gone(call, at, Party.CALLER),
            key=("patience", call_id),
        )
        return True

    def press(self, call_id: CallId, digit: str) -> bool:
        """Make a caller on hold key ``digit`` now (e.g. 2 for a callback)."""
        call = self._calls.get(call_id)
        if call is None or call.state is not LegState.HOLDING:
            return False
        self._timeline.schedule(
            self._clock.now(),
            lambda at: self._media.press(call, at, digit),
            key=("hold-key", call_id),
        )
        return True

    def is_held(self, call_id: CallId) -> bool:
        """Return whether the caller of ``call_id`` is on hold by their agent."""
        call = self._calls.get(call_id)
        return call is not None and call.held

    def state_of(self, call_id: CallId) -> LegState | None:
        """Return where the caller of ``call_id`` is (IVR, holding, talking ...)."""
        call = self._calls.get(call_id)
        return call.state if call is not None else None

    def calls_in_progress(self) -> int:
        """Return how many callers are still on the line."""
        return sum(
            1 for call in self._calls.values() if call.state is not LegState.GONE
        )

    # --- commands ---------------------------------------------------------------------

    def apply(self, command: cmd.PbxCommand, now: float) -> None:
        """Carry out ``command`` at ``now`` (ignored for a caller already gone)."""
        call = self._calls.get(command.call_id)
        if isinstance(command, cmd.OriginateCallback):
            self._originate(command, now)
            return
        if isinstance(command, cmd.MonitorCall | cmd.StopMonitor):
            self.monitors.apply(command, call, now)  # answers even for a gone call
            return
        if call is None or call.state is LegState.GONE:
            return
        if call.state is LegState.TALKING and _takes_caller(command):
            self._release_agent(call, now)
        if not self._media.apply(call, command, now):
            self._apply_control(call, command, now)

    def _release_agent(self, call: SimCall, now: float) -> None:
        """The core passed the talking caller on (a transfer): the agent's part ends.

        Like Asterisk when our Redirect takes the caller out of the bridge: the
        agent's phone hangs up without an ``AgentLegEnded`` (the core ended the talk
        itself), and the caller waits where the command sends them.
        """
        self._timeline.cancel(("agent", call.call_id))
        call.state, call.agent, call.held = LegState.IVR, None, False
        self.monitors.call_over(call.call_id, now)

    def _apply_control(
        self, call: SimCall, command: cmd.PbxCommand, now: float
    ) -> None:
        match command:
            case cmd.ConnectToAgent(agent_id=agent, ring_timeout=ring_timeout):
                self._ring(call, agent, now, ring_timeout)
            case cmd.CancelRing():
                self._cancel_ring(call)
            case cmd.AnswerForAgent(agent_id=agent):
                self.answer(agent)
            case cmd.HangUpAgent(agent_id=agent):
                self.hang_up_agent(agent)
            case cmd.HoldCall() | cmd.ResumeCall():
                call.held = isinstance(command, cmd.HoldCall)
            case cmd.HangUp() | cmd.Transfer():
                self._gone(call, now, Party.SYSTEM)

    def _cancel_ring(self, call: SimCall) -> None:
        self._timeline.cancel(("agent", call.call_id))
        if call.state is LegState.RINGING:
            call.state, call.agent = LegState.HOLDING, None

    def _emit(self, event: DomainEvent) -> None:
        if self._sink is not None:
            self._sink(event)

    def _find(self, agent_id: AgentId, state: LegState) -> SimCall | None:
        for call in self._calls.values():
            if call.agent == agent_id and call.state is state:
                return call
        return None

    def _schedule_arrival(self, now: float) -> None:
        self._timeline.schedule(
            self._traffic.next_arrival(now), self._arrive, key="arrival"
        )

    def _arrive(self, at: float) -> None:
        call = SimCall(call_id=self._next_call_id(), profile=self._traffic.caller())
        self._offer(call, at, dialed_number="100")
        if self._arrivals:
            self._schedule_arrival(at)

    def _next_call_id(self) -> CallId:
        return CallId(f"sim-{next(self._numbers):06d}")

    def _offer(self, call: SimCall, at: float, *, dialed_number: str = "") -> None:
        self._calls[call.call_id] = call
        self.offered += 1
        self._emit(
            CallOffered(
                at=at,
                call_id=call.call_id,
                caller_number=call.profile.number,
                dialed_number=dialed_number,
            )
        )

    def _ring(
        self, call: SimCall, agent: AgentId, now: float, ring_timeout: float
    ) -> None:
        call.state, call.agent, call.held = LegState.RINGING, agent, False
        key = ("agent", call.call_id)
        ring_at = now + RING_SETUP_SECONDS

        def ringing(at: float) -> None:
            self._emit(AgentRinging(at=at, call_id=call.call_id, agent_id=agent))
            delay = None if agent in self._manual else self._traffic.answer_delay()
            if delay is not None and delay < ring_timeout:
                self._timeline.schedule(
                    at + delay, lambda t: self._answered(call, t), key=key
                )
            else:
                self._timeline.schedule(
                    at + ring_timeout,
                    lambda t: self._no_answer(call, agent, t),
                    key=key,
                )

        self._timeline.schedule(ring_at, ringing, key=key)

    def _no_answer(self, call: SimCall, agent: AgentId, at: float) -> None:
        if call.state is LegState.RINGING and call.agent == agent:
            call.state, call.agent = LegState.HOLDING, None
            self._emit(AgentNoAnswer(at=at, call_id=call.call_id, agent_id=agent))

    def _answered(self, call: SimCall, at: float) -> None:
        if call.agent is None or call.state is not LegState.RINGING:
            return
        agent = call.agent
        call.state = LegState.TALKING
        self._timeline.cancel(("patience", call.call_id))
        self._timeline.cancel(("hold-key", call.call_id))
        self._emit(CallAnswered(at=at, call_id=call.call_id, agent_id=agent))
        if agent in self._manual:
            return
        talk = self._traffic.handle_time()
        if call.profile.hangs_up_during_talk:
            self._timeline.schedule(
                at + talk / 2,
                lambda t: self._gone(call, t, Party.CALLER),
                key=("agent", call.call_id),
            )
        else:
            self._timeline.schedule(
                at + talk,
                lambda t: self._agent_hung_up(call, t),
                key=("agent", call.call_id),
            )

    def _agent_hung_up(self, call: SimCall, at: float) -> None:
        if call.state is not LegState.TALKING or call.agent is None:
            return
        agent = call.agent
        call.state = LegState.AFTER_AGENT
        self._emit(AgentLegEnded(at=at, call_id=call.call_id, agent_id=agent))
        self.monitors.call_over(call.call_id, at)
        # A caller left alone with nothing to hear hangs up after a while.
        self._timeline.schedule(
            at + 60.0,
            lambda t: self._gone(call, t, Party.CALLER),
            key=("patience", call.call_id),
        )

    def _caller_hung_up(self, call: SimCall, at: float) -> None:
        self._gone(call, at, Party.CALLER)

    def _gone(self, call: SimCall, at: float, by: Party) -> None:
        if call.state is LegState.GONE:
            return
        call.state = LegState.GONE
        for purpose in ("media", "agent", "patience", "hold-key"):
            self._timeline.cancel((purpose, call.call_id))
        self._emit(CallEnded(at=at, call_id=call.call_id, by=by))
        self.monitors.call_over(call.call_id, at)
        del self._calls[call.call_id]

    def _originate(self, command: cmd.OriginateCallback, now: float) -> None:
        call_id = command.call_id
        answered = self._traffic.callback_answered()
        call = SimCall(
            call_id=call_id,
            profile=_patient_caller(command.number),
            state=LegState.RINGING,
            agent=command.agent_id,
            patience_started=True,
        )
        self._calls[call_id] = call

        def result(at: float) -> None:
            self._emit(
                OriginateFinished(
                    at=at,
                    call_id=call_id,
                    answered=answered,
                    reason="" if answered else "no answer",
                )
            )
            if answered:
                self._answered(call, at)
            else:
                call.state = LegState.GONE
                self._calls.pop(call_id, None)

        self._timeline.schedule(now + 8.0, result, key=("agent", call_id))


def _patient_caller(number: str) -> CallerProfile:
    """Return a caller who stays until hung up (a given caller, a called-back one)."""
    return CallerProfile(
        number=number,
        patience=3600.0,
        hangs_up_during_talk=False,
        wants_callback=False,
    )


def _takes_caller(command: cmd.PbxCommand) -> bool:
    """Whether ``command`` moves a caller away from the agent they talk to."""
    return isinstance(command, (cmd.ConnectToAgent, *cmd.MEDIA_COMMANDS))
