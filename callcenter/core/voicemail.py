"""Voicemail: the IVR's request becomes a recording, the recording a CRM record.

The IVR's voicemail node ends its session with ``RecordVoicemail`` (after its
prompt). The switchboard asks the PBX to ``RecordMessage`` and does not hang up: the
caller is speaking. When the PBX reports ``MessageRecorded`` the message is stored
(``PersistVoicemail``), the call is hung up and its outcome is ``voicemail``, even when
the ACD had settled it before (a closed or overflowing queue sent the caller here).
A caller who hangs up before a word was recorded leaves no message. Pure functions
over the switchboard's ``CallRecord``: no I/O, no clock.
"""

import re

from callcenter.core.call_record import CallRecord
from callcenter.core.messages import PersistVoicemail
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.domain.ids import CallId
from ivr.requests import RecordVoicemail

SILENCE_SECONDS = 5
"""Seconds of silence after which a message is taken as finished."""

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def recording_name(mailbox: str, call_id: CallId) -> str:
    """Return the file name (no directory, no extension) of a call's message."""
    return _UNSAFE.sub("_", f"{mailbox}-{call_id}").lstrip(".")


def record_message(call: CallRecord, request: RecordVoicemail) -> cmd.RecordMessage:
    """Start recording the caller's message into ``request.mailbox``."""
    call.mailbox = request.mailbox
    call.outcome = call.outcome or ev.CallOutcome.VOICEMAIL
    return cmd.RecordMessage(
        call_id=call.call_id,
        name=recording_name(request.mailbox, call.call_id),
        max_seconds=request.max_seconds,
        silence_seconds=SILENCE_SECONDS,
    )


def message_recorded(
    call: CallRecord, event: ev.MessageRecorded
) -> list[PersistVoicemail | cmd.HangUp]:
    """Store the message (if there is one) and hang up; nothing if none was asked."""
    mailbox, call.mailbox = call.mailbox, None
    if mailbox is None:
        return []
    out: list[PersistVoicemail | cmd.HangUp] = []
    if event.recording_ref and event.duration_seconds > 0:
        call.outcome = ev.CallOutcome.VOICEMAIL
        out.append(
            PersistVoicemail(
                call_id=call.call_id,
                number=call.caller_number,
                at=event.at,
                recording_ref=event.recording_ref,
                duration_seconds=event.duration_seconds,
                mailbox=mailbox,
                queue=call.queue,
                customer_id=call.customer_id(),
            )
        )
    out.append(cmd.HangUp(call_id=call.call_id))
    return out
