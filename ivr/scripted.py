"""A scripted caller: runs a session without any phone, on virtual time.

It plays the PBX, the CRM and the ACD as simply as possible: prompts finish at
once (two virtual seconds per file), each ``CollectDigits`` takes the next entry
of ``dtmf`` ("" is a timeout), a lookup returns ``facts``, the queue answers with a
position that drops by one every ``position_every`` seconds, and an agent rings
``agent_after`` seconds after the caller was queued. The caller hangs up when the
script has no keys left for a question, on reaching ``hangup_at``, or after
``max_seconds``. Used by ``callcenter ivr run`` and by the tests.
"""

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from callcenter.domain.commands import CollectDigits, PlayPrompts, SayValue
from callcenter.domain.events import (
    AgentLegEnded,
    AgentRinging,
    CallEnded,
    DigitsCollected,
    HoldInterrupted,
    IvrNodeVisited,
    Party,
    PromptFinished,
)
from callcenter.domain.ids import AgentId
from ivr.inputs import CustomerFound, Fact, IvrInput, QueueStatus, Tick
from ivr.requests import (
    Enqueue,
    IvrOutput,
    LeaveQueue,
    LookupCustomer,
    QueryQueueStatus,
    RequestCallback,
)
from ivr.session import IvrSession

_T = TypeVar("_T")
SECONDS_PER_PROMPT = 2.0
AGENT = AgentId("agent-1")


@dataclass(frozen=True, slots=True, kw_only=True)
class CallerScript:
    """What the scripted caller, CRM and ACD do."""

    dtmf: tuple[str, ...] = ()
    facts: Mapping[str, Fact] = field(default_factory=lambda: MappingProxyType({}))
    queue_position: int = 3
    position_every: float = 30.0
    seconds_per_caller: float = 45.0
    queue_open: bool = True
    agent_after: float | None = 120.0
    talk_seconds: float = 180.0
    hold_keys: tuple[tuple[float, str], ...] = ()
    hangup_at: str | None = None
    max_seconds: float = 3600.0


@dataclass(slots=True)
class Transcript:
    """What happened: every output, the prompts heard, the path and outcome."""

    outputs: list[IvrOutput] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)
    path: tuple[str, ...] = ()
    outcome: str = ""
    ended_at: float = 0.0
    after_hangup: list[IvrOutput] | None = None
    """What the session answered to the caller's hang-up (None: no hang-up)."""

    def of_type(self, kind: type[_T]) -> list[_T]:
        """Return the outputs of one type, in order."""
        return [output for output in self.outputs if isinstance(output, kind)]


class _Run:
    def __init__(self, session: IvrSession, script: CallerScript, start: float) -> None:
        self.session = session
        self.script = script
        self.now = start
        self.start = start
        self.keys = deque(script.dtmf)
        self.inbox: deque[IvrInput] = deque()
        self.transcript = Transcript()
        self.queued_at: float | None = None
        self.ring_at: float | None = None
        self.leg_end_at: float | None = None
        self.hold_keys = deque(sorted(script.hold_keys))
        self.gone = False

    def hang_up(self) -> None:
        self.gone = True
        self.inbox.clear()
        self.inbox.append(
            CallEnded(at=self.now, call_id=self.session.call_id, by=Party.CALLER)
        )

    def react(self, output: IvrOutput) -> None:  # noqa: C901 - one arm per output
        self.transcript.outputs.append(output)
        if self.gone:
            return
        call_id = self.session.call_id
        match output:
            case IvrNodeVisited():
                if self.script.hangup_at in {
                    output.node,
                    f"{output.flow}:{output.node}",
                }:
                    self.hang_up()
            case PlayPrompts():
                self.transcript.heard.extend(output.prompts)
                self.now += SECONDS_PER_PROMPT * len(output.prompts)
                self.inbox.append(PromptFinished(at=self.now, call_id=call_id))
            case SayValue():
                self.transcript.heard.append(f"<{output.kind.value} {output.value}>")
                self.now += SECONDS_PER_PROMPT
                self.inbox.append(PromptFinished(at=self.now, call_id=call_id))
            case CollectDigits():
                self.transcript.heard.append(output.prompt)
                self.collect(output)
            case LookupCustomer():
                self.inbox.append(CustomerFound(facts=self.script.facts))
            case Enqueue():
                self.queued_at = self.now
                after = self.script.agent_after
                self.ring_at = None if after is None else self.now + after
            case QueryQueueStatus():
                self.inbox.append(self.queue_status())
            case RequestCallback() | LeaveQueue():
                self.ring_at = None

    def collect(self, output: CollectDigits) -> None:
        if not self.keys:
            self.hang_up()
            return
        keyed = self.keys.popleft()
        self.now += SECONDS_PER_PROMPT + (output.timeout if not keyed else 1.0)
        self.inbox.append(
            DigitsCollected(
                at=self.now,
                call_id=self.session.call_id,
                digits=keyed,
                timed_out=not keyed,
            )
        )

    def queue_status(self) -> QueueStatus:
        waited = self.now - (self.queued_at if self.queued_at is not None else self.now)
        moved = int(waited // self.script.position_every)
        position = max(1, self.script.queue_position - moved)
        return QueueStatus(
            position=position,
            ewt_seconds=position * self.script.seconds_per_caller,
            open=self.script.queue_open,
        )

    def next_event(self) -> IvrInput:
        call_id = self.session.call_id
        deadline = self.session.next_deadline()
        key_at = None
        if self.hold_keys and self.queued_at is not None:
            key_at = self.queued_at + self.hold_keys[0][0]
        events = [
            t
            for t in (deadline, self.ring_at, self.leg_end_at, key_at)
            if t is not None
        ]
        if not events or min(events) - self.start > self.script.max_seconds:
            self.now = max(self.now, self.start + self.script.max_seconds)
            self.gone = True
            return CallEnded(at=self.now, call_id=call_id, by=Party.CALLER)
        self.now = max(self.now, min(events))
        if self.ring_at is not None and self.now >= self.ring_at:
            self.ring_at = None
            self.leg_end_at = self.now + self.script.talk_seconds
            return AgentRinging(at=self.now, call_id=call_id, agent_id=AGENT)
        if self.leg_end_at is not None and self.now >= self.leg_end_at:
            self.leg_end_at = None
            return AgentLegEnded(at=self.now, call_id=call_id, agent_id=AGENT)
        if key_at is not None and self.now >= key_at:
            digit = self.hold_keys.popleft()[1]
            return HoldInterrupted(at=self.now, call_id=call_id, digit=digit)
        return Tick()

    def run(self) -> Transcript:
        outputs = self.session.start(self.now)
        while True:
            for output in outputs:
                self.react(output)
            if self.session.finished:
                break
            inp = self.inbox.popleft() if self.inbox else self.next_event()
            outputs = self.session.handle(inp, self.now)
            if isinstance(inp, CallEnded):
                self.transcript.after_hangup = list(outputs)
        self.transcript.path = self.session.path
        self.transcript.outcome = self.session.outcome
        self.transcript.ended_at = self.now
        return self.transcript


def run_scripted(
    session: IvrSession, script: CallerScript, *, start: float = 0.0
) -> Transcript:
    """Run ``session`` to its end against ``script`` and return what happened."""
    return _Run(session, script, start).run()
