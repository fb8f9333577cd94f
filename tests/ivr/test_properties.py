"""Whatever the PBX, ACD and caller do, a session keeps the media protocol.

Random inputs (including stale and out-of-order ones) are fed to the sample flows.
The session must never send a media command while another is unfinished, must
answer ``QueryQueueStatus`` as the last output of its batch, and must say nothing
after ``IvrFinished``.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.domain.commands import CollectDigits, PlayPrompts, SayValue, StartHold
from callcenter.domain.events import (
    AgentLegEnded,
    AgentNoAnswer,
    AgentRinging,
    CallEnded,
    DigitsCollected,
    HoldInterrupted,
    Party,
    PromptFinished,
)
from callcenter.domain.ids import AgentId
from ivr.inputs import CustomerFound, IvrInput, QueueStatus, Tick
from ivr.loader import load_flows
from ivr.requests import IvrFinished, IvrOutput, QueryQueueStatus
from ivr.session import IvrSession
from tests.ivr.helpers import CALL, CALLER, SAMPLES, make_flow

FLOWS = load_flows(SAMPLES)
AGENT = AgentId("a1")

actions = st.one_of(
    st.just("prompt"),
    st.tuples(
        st.just("digits"),
        st.sampled_from(["", "1", "2", "3", "4", "5", "123456", "9#"]),
    ),
    st.tuples(st.just("tick"), st.floats(min_value=0, max_value=400)),
    st.sampled_from(["ring", "no_answer", "leg_ended", "closed", "found", "hangup"]),
    st.tuples(st.just("hold_key"), st.sampled_from(["1", "2"])),
)


class Pbx:
    """Tracks what the session asked the PBX to do and checks the protocol."""

    def __init__(self) -> None:
        self.playing: type | None = None  # PromptFinished or DigitsCollected awaited
        self.finished = False
        self.position = 4

    def check(self, outputs: list[IvrOutput]) -> None:
        for index, output in enumerate(outputs):
            assert not self.finished, f"output after IvrFinished: {output}"
            if isinstance(output, PlayPrompts | SayValue | CollectDigits | StartHold):
                assert self.playing is None, f"{output} while media still plays"
            if isinstance(output, PlayPrompts | SayValue):
                self.playing = PromptFinished
            elif isinstance(output, CollectDigits):
                self.playing = DigitsCollected
            elif isinstance(output, QueryQueueStatus):
                assert index == len(outputs) - 1
            elif isinstance(output, IvrFinished):
                self.finished = True

    def answer(self, outputs: list[IvrOutput]) -> IvrInput | None:
        if outputs and isinstance(outputs[-1], QueryQueueStatus):
            self.position = max(1, self.position - 1)
            return QueueStatus(position=self.position, ewt_seconds=30.0 * self.position)
        return None


def make_input(action: object, pbx: Pbx, now: float) -> tuple[IvrInput, float]:  # noqa: PLR0911
    match action:
        case "prompt":
            pbx.playing = None if pbx.playing is PromptFinished else pbx.playing
            return PromptFinished(at=now, call_id=CALL), now + 2
        case ("digits", str(keys)):
            pbx.playing = None if pbx.playing is DigitsCollected else pbx.playing
            return DigitsCollected(
                at=now, call_id=CALL, digits=keys, timed_out=not keys
            ), now + 3
        case ("tick", float(delay)):
            return Tick(), now + delay
        case ("hold_key", str(digit)):
            return HoldInterrupted(at=now, call_id=CALL, digit=digit), now
        case "ring":
            return AgentRinging(at=now, call_id=CALL, agent_id=AGENT), now
        case "no_answer":
            return AgentNoAnswer(at=now, call_id=CALL, agent_id=AGENT), now + 15
        case "leg_ended":
            pbx.playing = None  # the PBX stops whatever played when the agent connects
            return AgentLegEnded(at=now, call_id=CALL, agent_id=AGENT), now + 60
        case "closed":
            return QueueStatus(position=None, ewt_seconds=None, open=False), now
        case "found":
            return CustomerFound(
                facts={"known": True, "tier": "key", "open_complaint": True}
            ), now
    return CallEnded(at=now, call_id=CALL, by=Party.CALLER), now


@settings(max_examples=150, deadline=None)
@given(flow=st.sampled_from(sorted(FLOWS)), script=st.lists(actions, max_size=60))
def test_random_inputs_never_break_the_media_protocol(
    flow: str, script: list[object]
) -> None:
    session = IvrSession(FLOWS[flow], call_id=CALL, caller_number=CALLER, flows=FLOWS)
    pbx = Pbx()
    now = 0.0
    outputs = session.start(now)
    pbx.check(outputs)
    for action in script:
        reply = pbx.answer(outputs)
        if reply is not None:
            outputs = session.handle(reply, now)
        else:
            inp, now = make_input(action, pbx, now)
            outputs = session.handle(inp, now)
        pbx.check(outputs)
        if session.finished:
            assert session.outcome
            assert session.handle(Tick(), now + 1000) == []
            return


QUEUE_FIRST = """
start: queue
nodes:
  queue:
    kind: enqueue
    queue: reservations
    hold: {announce_every: 20, offer_after: 30, offer_every: 40, announce_mode: always}
    max_wait: 300
    callback: cb
    on_closed: vm
    on_overflow: vm
    after_call: survey
  cb: {kind: callback}
  vm: {kind: voicemail, mailbox: general, prompts: [custom/leave]}
"""


@settings(max_examples=300, deadline=None)
@given(script=st.lists(actions, max_size=80))
def test_random_inputs_while_queued_never_break_the_media_protocol(
    tmp_path_factory: pytest.TempPathFactory, script: list[object]
) -> None:
    directory = tmp_path_factory.mktemp("flows")
    flows = {
        **FLOWS,
        "queue_first": make_flow(directory, QUEUE_FIRST, name="queue_first"),
    }
    session = IvrSession(
        flows["queue_first"], call_id=CALL, caller_number=CALLER, flows=flows
    )
    pbx = Pbx()
    now = 0.0
    outputs = session.start(now)
    pbx.check(outputs)
    for action in script:
        reply = pbx.answer(outputs)
        if reply is not None:
            outputs = session.handle(reply, now)
        else:
            inp, now = make_input(action, pbx, now)
            outputs = session.handle(inp, now)
        pbx.check(outputs)
        if session.finished:
            return
