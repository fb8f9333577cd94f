"""The enqueue node: announcements from the latest QueueStatus, offers, agents."""

from pathlib import Path

from callcenter.domain.commands import (
    CollectDigits,
    HangUp,
    PlayPrompts,
    SayKind,
    SayValue,
    StartHold,
)
from callcenter.domain.events import (
    AgentLegEnded,
    AgentNoAnswer,
    AgentRinging,
    HoldInterrupted,
)
from callcenter.domain.ids import AgentId, QueueName
from ivr.inputs import QueueStatus, Tick
from ivr.model import AnnounceMode, HoldPolicy
from ivr.requests import (
    Enqueue,
    IvrFinished,
    IvrOutput,
    LeaveQueue,
    QueryQueueStatus,
    RecordVoicemail,
    RequestCallback,
)
from tests.ivr.helpers import CALL, Call, make_flow, media, visited

AGENT = AgentId("1001")
QUEUE = """
start: queue
nodes:
  queue:
    kind: enqueue
    queue: reservations
    skills: [reservations, en]
    hold: {moh: jazz, announce_every: 60, offer_after: 90, announce_mode: MODE}
    max_wait: 600
    callback: cb
    on_closed: vm
    on_overflow: vm
    after_call: survey
  cb: {kind: callback}
  vm: {kind: voicemail, mailbox: general}
"""
SURVEY = """
start: q
nodes:
  q:
    kind: survey
    questions: [{key: satisfaction, prompt: custom/q1}]
"""


def queued_call(tmp_path: Path, mode: str = "changed") -> Call:
    flow = make_flow(tmp_path, QUEUE.replace("MODE", mode), name="line")
    survey = make_flow(tmp_path, SURVEY, name="survey")
    return Call(flow, flows={"line": flow, "survey": survey})


def said_numbers(outputs: list[IvrOutput]) -> list[int]:
    return [o.value for o in outputs if isinstance(o, SayValue)]


def announce(
    call: Call, status: QueueStatus, then: QueueStatus | None = None
) -> list[IvrOutput]:
    """Answer the status query, then finish every announcement prompt.

    The session asks again before speaking the position; that query gets ``then``
    (the same ``status`` when not given).
    """
    heard = call.send(status)
    outputs = heard
    while outputs:
        if isinstance(outputs[-1], QueryQueueStatus):
            outputs = call.send(then or status)
        elif isinstance(outputs[-1], PlayPrompts | SayValue):
            outputs = call.finished_prompt()
        else:
            break
        heard += outputs
    return heard


def enter(call: Call, position: int = 3, ewt: float = 120.0) -> list[IvrOutput]:
    call.start()
    return announce(call, QueueStatus(position=position, ewt_seconds=ewt))


def test_the_position_spoken_is_read_again_after_the_intro(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    call.start()
    first = call.send(QueueStatus(position=4, ewt_seconds=110))
    assert media(first) == [
        PlayPrompts(call_id=CALL, prompts=("queue-thereare",), interruptible=False)
    ]
    assert call.finished_prompt() == [QueryQueueStatus(call_id=CALL)]

    # Someone ahead left while "You are currently caller number" played.
    heard = announce(call, QueueStatus(position=3, ewt_seconds=50))

    assert said_numbers(heard) == [3, 1]


def test_entering_queues_the_call_and_asks_for_its_status(tmp_path: Path) -> None:
    call = queued_call(tmp_path)

    outputs = call.start()

    assert outputs[-2:] == [
        Enqueue(
            call_id=CALL,
            queue=QueueName("reservations"),
            skills=("reservations", "en"),
            hold=HoldPolicy(moh_class="jazz", announce_every=60, offer_after=90),
        ),
        QueryQueueStatus(call_id=CALL),
    ]


def test_position_and_ewt_are_announced_on_entry_then_music(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    call.start()

    heard = announce(call, QueueStatus(position=3, ewt_seconds=110))

    assert media(heard) == [
        PlayPrompts(call_id=CALL, prompts=("queue-thereare",), interruptible=False),
        SayValue(call_id=CALL, value=3, kind=SayKind.NUMBER),
        PlayPrompts(
            call_id=CALL,
            prompts=("queue-callswaiting", "queue-holdtime"),
            interruptible=False,
        ),
        SayValue(call_id=CALL, value=2, kind=SayKind.NUMBER),
        PlayPrompts(
            call_id=CALL,
            prompts=("queue-minutes", "queue-thankyou"),
            interruptible=False,
        ),
    ]
    assert heard[-1] == StartHold(call_id=CALL, moh_class="jazz")
    assert call.session.next_deadline() == 1000.0 + 60


def test_every_announcement_uses_the_latest_queue_status(tmp_path: Path) -> None:
    call = queued_call(tmp_path, mode="always")
    assert said_numbers(enter(call, position=4, ewt=200)) == [4, 4]

    assert call.send(Tick(), after=60) == [QueryQueueStatus(call_id=CALL)]
    assert said_numbers(announce(call, QueueStatus(position=2, ewt_seconds=50))) == [
        2,
        1,
    ]

    assert call.send(Tick(), after=60) == [QueryQueueStatus(call_id=CALL)]
    heard = announce(call, QueueStatus(position=5, ewt_seconds=None))
    assert said_numbers(heard) == [5]  # a higher-priority caller jumped ahead


def test_first_in_line_hears_you_are_next(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    heard = enter(call, position=1, ewt=20)
    assert media(heard) == [
        PlayPrompts(
            call_id=CALL,
            prompts=("queue-youarenext", "queue-thankyou"),
            interruptible=False,
        )
    ]


def test_changed_mode_stays_quiet_when_nothing_changed(tmp_path: Path) -> None:
    call = queued_call(tmp_path, mode="changed")
    enter(call, position=3, ewt=120)

    call.send(Tick(), after=60)
    outputs = call.send(QueueStatus(position=3, ewt_seconds=110))

    assert outputs == []  # music keeps playing: no new media command
    assert call.session.next_deadline() == 1000.0 + 90  # the offer, 90 s after entry


def test_offer_keep_waiting_or_callback_keeping_the_place(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    enter(call)
    call.send(Tick(), after=60)
    call.send(QueueStatus(position=3, ewt_seconds=120))

    outputs = call.send(Tick(), after=30)
    assert outputs == [
        CollectDigits(
            call_id=CALL,
            prompt="custom/press-1-wait-2-callback",
            max_digits=1,
            timeout=5.0,
        )
    ]
    assert call.keys("1") == [StartHold(call_id=CALL, moh_class="jazz")]

    call.send(Tick(), after=60)
    announce(call, QueueStatus(position=2, ewt_seconds=60))
    call.send(HoldInterrupted(at=call.now, call_id=CALL, digit="2"))
    call.finished_prompt()
    outputs = call.keys("1")

    assert outputs[0] == RequestCallback(call_id=CALL, number="+8613800138000")
    assert not any(isinstance(o, LeaveQueue) for o in call.log)
    assert call.session.path == ("queue", "cb")


def test_a_failed_callback_dialogue_returns_to_the_queue(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    enter(call)
    call.send(HoldInterrupted(at=call.now, call_id=CALL, digit="2"))
    call.finished_prompt()
    call.keys("")
    call.finished_prompt()
    call.keys("")
    call.finished_prompt()
    outputs = call.keys("")

    assert outputs == [StartHold(call_id=CALL, moh_class="jazz")]
    assert not call.session.finished


def test_closed_queue_leaves_and_goes_to_voicemail(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    call.start()

    outputs = call.send(QueueStatus(position=None, ewt_seconds=None, open=False))

    assert outputs[0] == LeaveQueue(call_id=CALL, reason="closed")
    assert visited(outputs) == ["vm"]
    assert RecordVoicemail(call_id=CALL, mailbox="general", max_seconds=120) in outputs


def test_overflow_after_max_wait(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    enter(call)
    for _ in range(20):
        if call.session.finished:
            break
        deadline = call.session.next_deadline()
        assert deadline is not None
        outputs = call.send(Tick(), after=deadline - call.now)
        if outputs == [QueryQueueStatus(call_id=CALL)]:
            announce(call, QueueStatus(position=3, ewt_seconds=120))
        elif outputs and isinstance(outputs[-1], CollectDigits):
            call.keys("1")

    assert LeaveQueue(call_id=CALL, reason="overflow") in call.log
    assert call.session.outcome == "voicemail"
    assert call.now == 1000.0 + 600  # max_wait counts from entering the queue


def test_agent_ringing_interrupts_an_announcement_at_once(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    call.start()
    call.send(QueueStatus(position=3, ewt_seconds=120))  # first announcement prompt

    assert call.send(AgentRinging(at=call.now, call_id=CALL, agent_id=AGENT)) == []
    assert call.finished_prompt() == []  # no more announcement, no music
    assert call.session.next_deadline() is None
    assert call.send(Tick(), after=600) == []


def test_agent_no_answer_resumes_holding(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    enter(call)
    call.send(AgentRinging(at=call.now, call_id=CALL, agent_id=AGENT))

    outputs = call.send(
        AgentNoAnswer(at=call.now, call_id=CALL, agent_id=AGENT), after=15
    )

    assert outputs == [StartHold(call_id=CALL, moh_class="jazz")]
    assert call.session.next_deadline() == 1000.0 + 60  # the schedule is kept


def test_after_the_agent_hangs_up_the_survey_runs(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    enter(call)
    call.send(AgentRinging(at=call.now, call_id=CALL, agent_id=AGENT))

    outputs = call.send(
        AgentLegEnded(at=call.now, call_id=CALL, agent_id=AGENT), after=200
    )
    assert outputs[-1] == CollectDigits(
        call_id=CALL, prompt="custom/q1", max_digits=1, timeout=6.0
    )
    outputs = call.keys("5")

    assert outputs[-2] == HangUp(call_id=CALL)
    assert outputs[-1] == IvrFinished(
        call_id=CALL, outcome="answered", path=("queue", "survey:q")
    )


def test_without_after_call_the_call_ends_when_the_agent_leaves(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path, "start: q\nnodes:\n  q: {kind: enqueue, queue: bookings}\n"
    )
    call = Call(flow)
    call.start()
    call.send(QueueStatus(position=1, ewt_seconds=None))
    call.play_through()
    call.send(AgentRinging(at=call.now, call_id=CALL, agent_id=AGENT))

    outputs = call.send(AgentLegEnded(at=call.now, call_id=CALL, agent_id=AGENT))

    assert outputs == [
        HangUp(call_id=CALL),
        IvrFinished(call_id=CALL, outcome="answered", path=("q",)),
    ]


def test_hanging_up_in_the_queue_does_not_ask_to_leave_it(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    enter(call)

    outputs = call.hang_up()

    assert outputs == [IvrFinished(call_id=CALL, outcome="hangup", path=("queue",))]


def test_no_entry_announcement_goes_straight_to_music(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path,
        """
        start: q
        nodes:
          q:
            kind: enqueue
            queue: complaints
            hold: {announce_on_entry: false, announce_every: 0, announce_mode: always}
        """,
    )
    call = Call(flow)
    call.start()

    assert call.send(QueueStatus(position=2, ewt_seconds=30)) == [
        StartHold(call_id=CALL, moh_class="default")
    ]
    assert call.session.next_deadline() is None
    node = flow.nodes["q"]
    assert node.hold.announce_mode is AnnounceMode.ALWAYS  # type: ignore[attr-defined]


def test_acd_dropping_the_call_on_hold_goes_to_on_closed(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    enter(call)

    outputs = call.send(QueueStatus(position=None, ewt_seconds=None, open=False))

    assert outputs[0] == LeaveQueue(call_id=CALL, reason="closed")
    assert visited(outputs) == ["vm"]


def test_acd_dropping_the_call_mid_announcement_waits_for_the_prompt(
    tmp_path: Path,
) -> None:
    call = queued_call(tmp_path)
    call.start()
    call.send(QueueStatus(position=3, ewt_seconds=120))  # announcement playing

    assert call.send(QueueStatus(position=None, ewt_seconds=None, open=False)) == []
    assert call.session.next_deadline() is None
    outputs = call.finished_prompt()

    assert outputs[0] == LeaveQueue(call_id=CALL, reason="closed")
    assert visited(outputs) == ["vm"]


def test_an_open_status_nobody_asked_for_is_ignored(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    enter(call)
    assert call.send(QueueStatus(position=1, ewt_seconds=5)) == []


def test_no_answer_during_a_prompt_resumes_music_after_it(tmp_path: Path) -> None:
    call = queued_call(tmp_path)
    call.start()
    call.send(QueueStatus(position=3, ewt_seconds=120))  # announcement playing
    call.send(AgentRinging(at=call.now, call_id=CALL, agent_id=AGENT))

    assert call.send(AgentNoAnswer(at=call.now, call_id=CALL, agent_id=AGENT)) == []
    assert call.finished_prompt() == [StartHold(call_id=CALL, moh_class="jazz")]
