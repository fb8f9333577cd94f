"""The enqueue node: queueing, music on hold, announcements, callback offer.

While queued the session waits on hold for a timer (next announcement, callback
offer, overflow) or a key. Every announcement first asks the orchestrator for the
queue status (``QueryQueueStatus``, answered synchronously with ``QueueStatus``), so
the position spoken is always the ACD's at that moment. ``AgentRinging`` stops all
of it at once; ``AgentNoAnswer`` resumes holding; ``AgentLegEnded`` runs the
after-call flow (survey) or hangs up. ``Requeued`` (the agent transferred the
caller to a queue) starts the wait over: on hold again unless the next agent rings.
"""

from collections.abc import Callable
from dataclasses import dataclass

from callcenter.domain.commands import PlayPrompts, SayValue, StartHold
from callcenter.domain.events import (
    AgentLegEnded,
    AgentNoAnswer,
    AgentRinging,
    DigitsCollected,
    HoldInterrupted,
)
from callcenter.domain.ids import AgentId, QueueName
from ivr.announce import announcement, figures, figures_after_intro
from ivr.core import Outcome
from ivr.dialogs import Dialogs
from ivr.inputs import QueueStatus, Requeued
from ivr.model import AnnounceMode, CallbackNode, EnqueueNode
from ivr.requests import Enqueue, IvrOutput, LeaveQueue, QueryQueueStatus

CALLBACK_DIGIT = "2"
"""The key that asks for a callback while waiting (the offer says so)."""


@dataclass(slots=True)
class Queued:
    """The call's life in a queue, as the session tracks it."""

    node: EnqueueNode
    entered: float
    next_announce: float | None = None
    next_offer: float | None = None
    overflow_at: float | None = None
    said: tuple[int | None, int | None] | None = None
    with_agent: bool = False
    passed_on_by: AgentId | None = None  # the agent who transferred the caller

    def next_timer(self) -> float | None:
        """Return the earliest pending timer, if any."""
        timers = [
            t for t in (self.next_announce, self.next_offer, self.overflow_at) if t
        ]
        return min(timers) if timers else None


class Holding(Dialogs):
    """Enqueue handling for :class:`IvrSession`."""

    _queue: Queued | None = None

    @property
    def queued(self) -> bool:
        """Whether the call is in a queue (or ringing an agent from it)."""
        return self._queue is not None

    def _run_enqueue(self, node: EnqueueNode, now: float) -> list[IvrOutput]:
        self._queue = _waiting(node, now)
        enqueue = Enqueue(
            call_id=self.call_id,
            queue=QueueName(node.queue),
            skills=node.skills,
            hold=node.hold,
        )
        return [enqueue, *self._query(now, self._entry_status)]

    def _requeued(self, inp: Requeued, now: float) -> list[IvrOutput]:
        """An agent transferred the caller: the wait starts over in the same node.

        Its timers (announcements, callback offer, overflow) start again; while the
        ACD already rings the next agent nothing plays, else the caller hears the
        entry announcement and the music again. A session that is not queued (the
        caller reached the agent some other way) ignores it.
        """
        if self._queue is None:
            return []
        self._clear_wait()
        self._queue = _waiting(self._queue.node, now)
        self._queue.passed_on_by = inp.from_agent
        if inp.ringing:
            self._queue.with_agent = True
            return []
        return self._query(now, self._entry_status)

    def _query(
        self, now: float, then: Callable[[QueueStatus, float], list[IvrOutput]]
    ) -> list[IvrOutput]:
        del now
        self._expect(QueueStatus, then)
        return [QueryQueueStatus(call_id=self.call_id)]

    def _current(self) -> Queued:
        if self._queue is None:  # pragma: no cover - handlers run only while queued
            raise AssertionError("not queued")
        return self._queue

    def _entry_status(self, status: QueueStatus, now: float) -> list[IvrOutput]:
        queue = self._current()
        if not status.open:
            return self._leave(Outcome.CLOSED, queue.node.on_closed, now)
        if queue.node.hold.announce_on_entry:
            return self._announce(status, now)
        self._schedule_announce(now)
        return self._hold(now)

    def _schedule_announce(self, now: float) -> None:
        queue = self._current()
        every = queue.node.hold.announce_every
        queue.next_announce = now + every if every > 0 else None

    def _announce(self, status: QueueStatus, now: float) -> list[IvrOutput]:
        queue = self._current()
        hold = queue.node.hold
        queue.said = figures(status, hold)
        self._schedule_announce(now)
        commands = announcement(
            status, hold, call_id=self.call_id, language=self.language
        )
        if not commands:
            return self._after_media(now)
        if _is_intro(commands[0]):
            # The position changes while "You are currently caller number" plays:
            # ask again when it ends and speak the figure of that moment.
            return self._media(
                commands[:1],
                now,
                lambda _digit, at: self._query(at, self._announce_figures),
            )
        return self._media(commands, now, lambda _digit, at: self._after_media(at))

    def _announce_figures(self, status: QueueStatus, now: float) -> list[IvrOutput]:
        queue = self._current()
        if not status.open:
            return self._leave(Outcome.CLOSED, queue.node.on_closed, now)
        queue.said = figures(status, queue.node.hold)
        commands = figures_after_intro(
            status, queue.node.hold, call_id=self.call_id, language=self.language
        )
        return self._media(commands, now, lambda _digit, at: self._after_media(at))

    def _after_media(self, now: float) -> list[IvrOutput]:
        queue = self._current()
        if queue.next_offer is not None and now >= queue.next_offer:
            return self._offer(now)
        return self._hold(now)

    def _hold(self, now: float) -> list[IvrOutput]:
        """Start music on hold and wait for a timer or a key."""
        queue = self._current()
        self._keep_holding(now)
        return [StartHold(call_id=self.call_id, moh_class=queue.node.hold.moh_class)]

    def _keep_holding(self, now: float) -> list[IvrOutput]:
        """Wait on hold (the music already plays)."""
        del now
        self._expect(
            HoldInterrupted,
            self._hold_key,
            deadline=self._current().next_timer(),
            on_deadline=self._hold_timer,
        )
        return []

    def _hold_timer(self, now: float) -> list[IvrOutput]:
        queue = self._current()
        if queue.overflow_at is not None and now >= queue.overflow_at:
            return self._leave(Outcome.OVERFLOW, queue.node.on_overflow, now)
        if queue.next_announce is not None and now >= queue.next_announce:
            return self._query(now, self._periodic_status)
        if queue.next_offer is not None and now >= queue.next_offer:
            return self._offer(now)
        return self._keep_holding(now)

    def _periodic_status(self, status: QueueStatus, now: float) -> list[IvrOutput]:
        queue = self._current()
        hold = queue.node.hold
        if not status.open:
            return self._leave(Outcome.CLOSED, queue.node.on_closed, now)
        changed = figures(status, hold) != queue.said
        if hold.announce_mode is AnnounceMode.ALWAYS or changed:
            return self._announce(status, now)
        self._schedule_announce(now)
        if queue.next_offer is not None and now >= queue.next_offer:
            return self._offer(now)
        return self._keep_holding(now)

    def _offer(self, now: float) -> list[IvrOutput]:
        queue = self._current()
        hold = queue.node.hold
        queue.next_offer = now + hold.offer_every if hold.offer_every > 0 else None
        return self._collect(
            hold.offer_prompt, 1, hold.offer_timeout, self._offer_answer
        )

    def _offer_answer(self, event: DigitsCollected, now: float) -> list[IvrOutput]:
        if event.digits.startswith(CALLBACK_DIGIT):
            return self._to_callback(now)
        return self._hold(now)

    def _hold_key(self, event: HoldInterrupted, now: float) -> list[IvrOutput]:
        if event.digit == CALLBACK_DIGIT and self._current().node.callback:
            return self._to_callback(now)
        return self._keep_holding(now)

    def _to_callback(self, now: float) -> list[IvrOutput]:
        target = self._current().node.callback
        if target is None:
            return self._hold(now)
        return self._enter(target, now)

    def _leave(
        self, outcome: Outcome, target: str | None, now: float
    ) -> list[IvrOutput]:
        self._queue = None
        left = LeaveQueue(call_id=self.call_id, reason=outcome.value)
        if target is not None:
            return [left, *self._enter(target, now)]
        return [left, *self._hang_up(now, outcome.value)]

    def _closed_by_acd(self, now: float) -> list[IvrOutput]:
        """The ACD dropped the call (closed, full, overflow) without being asked.

        A media command still playing is let finish first: the session never
        sends a second media command before the first completed.
        """
        target = self._current().node.on_closed
        if self._media_in_flight():
            self._after_media_in_flight(
                lambda at: self._leave(Outcome.CLOSED, target, at)
            )
            return []
        self._clear_wait()
        return self._leave(Outcome.CLOSED, target, now)

    # --- callback hooks -------------------------------------------------------------

    def _callback_booked(self) -> None:
        self._queue = None

    def _callback_failed(self, node: CallbackNode, now: float) -> list[IvrOutput]:
        if node.on_failure is None and self._queue is not None:
            return self._hold(now)  # keep waiting: the caller still has their place
        return super()._callback_failed(node, now)

    def _queue_input(self, inp: object, now: float) -> list[IvrOutput] | None:
        """Handle inputs that concern the queue at any moment (None: not one)."""
        queue = self._queue
        if queue is None:
            return None
        match inp:
            case AgentRinging() if not queue.with_agent:
                return self._agent_ringing(now)
            case AgentNoAnswer() if queue.with_agent:
                return self._agent_no_answer(now)
            case AgentLegEnded() if queue.with_agent:
                return self._agent_left(inp, now)
            case QueueStatus(open=False) if not queue.with_agent:
                if self._wait is None or self._wait[0] is not QueueStatus:
                    return self._closed_by_acd(now)
        return None

    # --- the agent --------------------------------------------------------------------

    def _agent_ringing(self, now: float) -> list[IvrOutput]:
        """Stop holding at once; a command in flight ends unanswered."""
        del now
        self._current().with_agent = True
        if self._media_in_flight():
            self._after_media_in_flight(lambda _at: [])
        else:
            self._clear_wait()
        return []

    def _agent_no_answer(self, now: float) -> list[IvrOutput]:
        """Back to holding (after the command in flight, if one still plays)."""
        self._current().with_agent = False
        if self._media_in_flight():
            self._after_media_in_flight(self._hold)
            return []
        return self._hold(now)

    def _agent_left(self, event: AgentLegEnded, now: float) -> list[IvrOutput]:
        if event.agent_id == self._current().passed_on_by:
            return []  # the phone of the agent who transferred the caller hangs up
        node = self._current().node
        self._queue = None
        self._outcome_hint = Outcome.ANSWERED.value
        if node.after_call is None:
            return self._hang_up(now)
        return self._call_flow(node.after_call, now, self._hang_up)


def _waiting(node: EnqueueNode, now: float) -> Queued:
    """Return a fresh wait in ``node`` from ``now``, with its timers."""
    hold = node.hold
    return Queued(
        node=node,
        entered=now,
        next_offer=now + hold.offer_after if hold.offer_after > 0 else None,
        overflow_at=now + node.max_wait if node.max_wait > 0 else None,
    )


def _is_intro(command: PlayPrompts | SayValue) -> bool:
    """Whether ``command`` is "You are currently caller number" alone."""
    return isinstance(command, PlayPrompts) and command.prompts == ("queue-thereare",)
