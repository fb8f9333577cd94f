"""Supervisors' voicemail: list the messages callers left, play one, mark it handled.

The messages are the CRM's (``crm_link.voicemails.VoicemailBox``); the audio is a
file the PBX wrote under the recordings folder (``callcenter.center.recordings_dir``:
``<data-dir>/recordings`` for the simulation, ``[pbx] recordings_dir`` for
Asterisk). A message's stored reference is only ever served when it resolves
(symbolic links followed) to a WAV file inside that folder: a reference elsewhere
is refused, whatever the database says. Marking handled is audited like every
supervisor action (``action: voicemail_handled``, no agent).
"""

from pathlib import Path
from typing import Any

from aiohttp import web

from callcenter.domain.events import SupervisorActed
from callcenter.domain.ids import AgentId
from callcenter.web.bodies import VoicemailQuery, read_query
from callcenter.web.middleware import ApiError, require_supervisor
from callcenter.web.state import STATE, VoicemailSource
from crm_link.dto import VoicemailRecord
from crm_link.errors import NotFoundError

routes = web.RouteTableDef()
BASE = "/api/v1/voicemails"
_ID = r"{voicemail_id:\d{1,18}}"


def _box(request: web.Request) -> VoicemailSource:
    require_supervisor(request)
    box = request.app[STATE].voicemails
    if box is None:
        raise ApiError(409, "no_database", "voicemail needs the CRM database")
    return box


def _as_json(record: VoicemailRecord) -> dict[str, Any]:
    return {
        "voicemail_id": record.voicemail_id, "call_id": record.call_id,
        "mailbox": record.mailbox, "number": record.number, "queue": record.queue,
        "customer_id": record.customer_id, "recorded_at": record.recorded_at,
        "duration_seconds": record.duration_seconds,
        "recording_ref": record.recording_ref, "status": record.status,
        "handled": record.handled, "handled_at": record.handled_at,
        "handled_by": record.handled_by,
        "audio_url": f"{BASE}/{record.voicemail_id}/audio",
    }  # fmt: skip


async def _one(box: VoicemailSource, request: web.Request) -> VoicemailRecord:
    try:
        return await box.get_voicemail(int(request.match_info["voicemail_id"]))
    except NotFoundError as exc:
        raise ApiError(404, "not_found", str(exc)) from None


@routes.get(BASE)
async def list_voicemails(request: web.Request) -> web.Response:
    """Return messages newest first (supervisors only), by mailbox and handled."""
    box = _box(request)
    query = read_query(request, VoicemailQuery)
    records = await box.list_voicemails(
        mailbox=query.mailbox, handled=query.handled, limit=query.limit
    )
    return web.json_response([_as_json(r) for r in records])


@routes.get(f"{BASE}/{_ID}")
async def get_voicemail(request: web.Request) -> web.Response:
    """Return one message (supervisors only)."""
    return web.json_response(_as_json(await _one(_box(request), request)))


def recording_path(recordings: Path, ref: str) -> Path:
    """Return the file behind ``ref`` if it is a WAV inside ``recordings``.

    Raises:
        ApiError: 404 when the PBX kept no audio or the file is missing; 403 when
            the reference leads out of the folder (``..``, an absolute path, a link).
    """
    if not ref or ref.startswith("sim:"):
        msg = "the PBX kept no audio for this message (a simulation without files)"
        raise ApiError(404, "no_recording", msg)
    folder = recordings.resolve()
    path = (folder / ref).resolve()
    if not path.is_relative_to(folder) or path.suffix.lower() != ".wav":
        msg = "the recording is not a WAV file in the recordings folder: not served"
        raise ApiError(403, "outside_recordings", msg)
    if not path.is_file():
        msg = f"the recording file {path.name} is missing from the recordings folder"
        raise ApiError(404, "recording_missing", msg)
    return path


@routes.get(f"{BASE}/{_ID}/audio")
async def voicemail_audio(request: web.Request) -> web.FileResponse:
    """Stream the message's recording as ``audio/wav`` (ranges for seeking)."""
    record = await _one(_box(request), request)
    path = recording_path(request.app[STATE].recordings, record.recording_ref)
    name = f"voicemail-{record.voicemail_id}.wav"
    headers = {
        "Content-Type": "audio/wav",
        "Content-Disposition": f'inline; filename="{name}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return web.FileResponse(path, headers=headers)


@routes.post(f"{BASE}/{_ID}/handled")
async def mark_handled(request: web.Request) -> web.Response:
    """Record that the supervisor dealt with the message (first one wins); audited."""
    box = _box(request)
    state = request.app[STATE]
    name = require_supervisor(request).name
    voicemail_id = int(request.match_info["voicemail_id"])
    args = {"voicemail_id": str(voicemail_id)}
    try:
        record = await box.mark_handled(
            voicemail_id, by=name, at=state.center.clock.now()
        )
    except NotFoundError as exc:
        _audit(request, args, ok=False, code="not_found")
        raise ApiError(404, "not_found", str(exc)) from None
    args |= {"call_id": record.call_id, "mailbox": record.mailbox}
    _audit(request, args, ok=True, code="ok")
    return web.json_response({"ok": True, "voicemail": _as_json(record)})


def _audit(request: web.Request, args: dict[str, str], *, ok: bool, code: str) -> None:
    state = request.app[STATE]
    state.audit.record(
        SupervisorActed(
            at=state.center.clock.now(), supervisor=require_supervisor(request).name,
            agent_id=AgentId(""), action="voicemail_handled", args=args, ok=ok,
            code=code,
        )
    )  # fmt: skip
