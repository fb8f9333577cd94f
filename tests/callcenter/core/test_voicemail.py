"""From the IVR's voicemail request to a stored message, without the PBX."""

from callcenter.core.call_record import CallRecord
from callcenter.core.messages import PersistVoicemail
from callcenter.core.voicemail import message_recorded, record_message, recording_name
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import CallId, CustomerId, QueueName
from ivr.requests import RecordVoicemail

CALL = CallId("1795342860.35")


def a_call(outcome: ev.CallOutcome | None = None) -> CallRecord:
    call = CallRecord(call_id=CALL, caller_number="+8613800138000", offered_at=0.0)
    call.outcome, call.queue = outcome, QueueName("complaints")
    call.facts = {"customer_id": "c-7"}
    return call


def recorded(ref: str = "sim:x.wav", seconds: float = 12.5) -> ev.MessageRecorded:
    return ev.MessageRecorded(
        at=99.0, call_id=CALL, recording_ref=ref, duration_seconds=seconds
    )


def test_the_request_becomes_a_recording_named_after_mailbox_and_call() -> None:
    call = a_call()
    request = RecordVoicemail(call_id=CALL, mailbox="complaints", max_seconds=300)
    assert record_message(call, request) == cmd.RecordMessage(
        call_id=CALL, name=f"complaints-{CALL}", max_seconds=300, silence_seconds=5
    )
    assert call.outcome is ev.CallOutcome.VOICEMAIL


def test_names_hold_no_directory_or_odd_characters() -> None:
    assert recording_name("../sales desk", CallId("a/b")) == "_sales_desk-a_b"


def test_a_message_is_stored_then_the_call_hung_up() -> None:
    call = a_call(ev.CallOutcome.OVERFLOWED)
    record_message(call, RecordVoicemail(call_id=CALL, mailbox="m", max_seconds=60))
    assert message_recorded(call, recorded()) == [
        PersistVoicemail(
            call_id=CALL,
            number="+8613800138000",
            at=99.0,
            recording_ref="sim:x.wav",
            duration_seconds=12.5,
            mailbox="m",
            queue=QueueName("complaints"),
            customer_id=CustomerId("c-7"),
        ),
        cmd.HangUp(call_id=CALL),
    ]
    assert call.outcome is ev.CallOutcome.VOICEMAIL  # a message beats "overflowed"
    assert message_recorded(call, recorded()) == []  # reported once only


def test_an_empty_message_is_not_stored_and_the_outcome_stays() -> None:
    call = a_call(ev.CallOutcome.OVERFLOWED)
    record_message(call, RecordVoicemail(call_id=CALL, mailbox="m", max_seconds=60))
    assert message_recorded(call, recorded(ref="", seconds=0)) == [
        cmd.HangUp(call_id=CALL)
    ]
    assert call.outcome is ev.CallOutcome.OVERFLOWED


def test_a_recording_nobody_asked_for_is_ignored() -> None:
    assert message_recorded(a_call(), recorded()) == []
