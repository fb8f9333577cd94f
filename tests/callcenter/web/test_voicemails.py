"""Supervisors see and play the voicemails callers leave, end to end.

A real center (simulated PBX writing its recordings under the data dir, system
clock) stores messages in a SQLite CRM; a caller reaching the ``voicemail`` node
leaves a WAV file that the API lists, streams and lets a supervisor mark handled.
"""

import asyncio
import io
import json
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.async_api import async_playwright
from pytest_aiohttp import AiohttpClient, AiohttpServer

from callcenter.center import CallCenter, make_call_center
from callcenter.core.crm_services import CrmServices
from callcenter.pbx.simulated import SimulatedPbx
from callcenter.settings import IvrSettings, Settings
from callcenter.web.app import create_app
from crm_link.db import make_engine
from crm_link.migrate import upgrade
from crm_link.models import Voicemail
from crm_link.service import CrmService
from crm_link.voicemails import VoicemailBox
from tests.callcenter.web.conftest import (
    AGENT,
    PASSWORD,
    SUP,
    MemoryReports,
    WebClient,
    log_in,
    web_settings,
)
from tests.callcenter.web.test_browser import ARGS
from tests.services import require_binary

FLOW = """\
description: Test line - every caller leaves a message for sales
start: leave
nodes:
  leave:
    kind: voicemail
    mailbox: sales
    max_seconds: 2
"""


@pytest.fixture
def vm_settings(tmp_path: Path) -> Settings:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "leave.yaml").write_text(FLOW)
    ivr = IvrSettings(flows_dir=flows, main_flow="leave")
    return web_settings(tmp_path).model_copy(update={"ivr": ivr})


@pytest.fixture
async def crm_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'crm.db'}"
    await upgrade(url)
    return url


@pytest.fixture
async def center(vm_settings: Settings, crm_url: str) -> AsyncIterator[CallCenter]:
    crm = CrmService.from_url(crm_url)
    center = make_call_center(vm_settings, services=CrmServices(crm))
    assert isinstance(center.pbx, SimulatedPbx)
    await center.pbx.start()
    center.pbx.stop_arrivals()  # only the callers a test lets in
    task = asyncio.create_task(center.runtime.run())
    yield center
    center.runtime.stop()
    await task
    await center.pbx.close()
    await crm.aclose()


@pytest.fixture
async def box(crm_url: str) -> AsyncIterator[VoicemailBox]:
    box = VoicemailBox.from_url(crm_url)
    yield box
    await box.aclose()


@pytest.fixture
async def client(
    aiohttp_client: AiohttpClient, center: CallCenter, box: VoicemailBox
) -> WebClient:
    app = create_app(center, reports=MemoryReports(), voicemails=box)
    return await aiohttp_client(app)


async def leave_message(center: CallCenter, box: VoicemailBox) -> int:
    """Let a caller in and wait until their message is stored; return its id."""
    assert isinstance(center.pbx, SimulatedPbx)
    call = center.pbx.offer_call("+8613800138000")
    async with asyncio.timeout(15):
        while not (found := await box.list_voicemails()):  # noqa: ASYNC110 - the database
            await asyncio.sleep(0.05)
    (message,) = found
    assert message.call_id == call
    return message.voicemail_id


async def test_a_callers_message_is_listed_played_and_handled(
    client: WebClient, center: CallCenter, box: VoicemailBox, tmp_path: Path
) -> None:
    vid = await leave_message(center, box)

    listed = await (await client.get("/api/v1/voicemails", headers=SUP)).json()
    (item,) = listed
    assert item["voicemail_id"] == vid
    assert (item["mailbox"], item["number"]) == ("sales", "+8613800138000")
    assert 0 < item["duration_seconds"] <= 2
    assert (item["handled"], item["handled_by"], item["status"]) == (False, None, "new")
    assert item["audio_url"] == f"/api/v1/voicemails/{vid}/audio"
    assert Path(item["recording_ref"]).parent == (tmp_path / "recordings").resolve()

    audio = await client.get(item["audio_url"], headers=SUP)
    assert audio.status == 200
    assert audio.content_type == "audio/wav"
    with wave.open(io.BytesIO(await audio.read()), "rb") as wav:
        assert wav.getframerate() == 8000
        assert wav.getnframes() / 8000 == pytest.approx(item["duration_seconds"])

    done = await client.post(f"/api/v1/voicemails/{vid}/handled", headers=SUP)
    assert done.status == 200
    handled = (await done.json())["voicemail"]
    assert (handled["handled"], handled["handled_by"]) == (True, "prometheus")
    assert handled["handled_at"] is not None
    query = "/api/v1/voicemails?mailbox=sales&handled=false"
    assert await (await client.get(query, headers=SUP)).json() == []
    one = await (await client.get(f"/api/v1/voicemails/{vid}", headers=SUP)).json()
    assert one["status"] == "handled"

    (entry, *_) = await (await client.get("/api/v1/audit", headers=SUP)).json()
    assert entry["action"] == "voicemail_handled"
    assert (entry["supervisor"], entry["ok"]) == ("prometheus", True)
    assert entry["args"]["voicemail_id"] == str(vid)
    lines = (tmp_path / "audit.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["action"] == "voicemail_handled"


async def test_a_session_needs_its_csrf_token_to_mark_handled(
    client: WebClient, center: CallCenter, box: VoicemailBox
) -> None:
    vid = await leave_message(center, box)
    csrf = await log_in(client)
    url = f"/api/v1/voicemails/{vid}/handled"
    assert (await client.post(url)).status == 403
    done = await client.post(url, headers={"X-CSRF-Token": csrf})
    assert (await done.json())["voicemail"]["handled_by"] == "sam"


async def test_agents_are_refused(client: WebClient) -> None:
    for method, url in (
        ("GET", "/api/v1/voicemails"),
        ("GET", "/api/v1/voicemails/1"),
        ("GET", "/api/v1/voicemails/1/audio"),
        ("POST", "/api/v1/voicemails/1/handled"),
    ):
        response = await client.request(method, url, headers=AGENT)
        assert response.status == 403, url
        assert (await response.json())["error"]["code"] == "forbidden"


async def test_a_recording_outside_the_recordings_folder_is_never_served(
    client: WebClient, center: CallCenter, box: VoicemailBox, crm_url: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    vid = await leave_message(center, box)
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"RIFF-not-yours")
    (tmp_path / "recordings" / "link.wav").symlink_to(secret)
    url = f"/api/v1/voicemails/{vid}/audio"
    for ref in (str(secret), "../secret.wav", "link.wav", "../audit.jsonl"):
        await _set_ref(crm_url, vid, ref)
        response = await client.get(url, headers=SUP)
        assert response.status == 403, ref
        assert (await response.json())["error"]["code"] == "outside_recordings"
    traversal = await client.get("/api/v1/voicemails/..%2F..%2Fsecret.wav/audio",
                                 headers=SUP)  # fmt: skip
    assert traversal.status == 404


async def test_a_missing_recording_or_message_is_a_clear_404(
    client: WebClient, center: CallCenter, box: VoicemailBox, crm_url: str
) -> None:
    vid = await leave_message(center, box)
    await _set_ref(crm_url, vid, "gone.wav")
    missing = await client.get(f"/api/v1/voicemails/{vid}/audio", headers=SUP)
    assert missing.status == 404
    error = (await missing.json())["error"]
    assert error["code"] == "recording_missing"
    assert "gone.wav" in error["message"]
    await _set_ref(crm_url, vid, "sim:x.wav")
    simulated = await client.get(f"/api/v1/voicemails/{vid}/audio", headers=SUP)
    assert (await simulated.json())["error"]["code"] == "no_recording"
    for method, url in (
        ("GET", "/api/v1/voicemails/999"),
        ("GET", "/api/v1/voicemails/999/audio"),
        ("POST", "/api/v1/voicemails/999/handled"),
    ):
        response = await client.request(method, url, headers=SUP)
        assert response.status == 404, url
        assert "no voicemail with id 999" in (await response.json())["error"]["message"]


async def test_bad_filters_are_422(client: WebClient) -> None:
    for query in ("handled=maybe", "limit=0", "mailbox=../x"):
        response = await client.get(f"/api/v1/voicemails?{query}", headers=SUP)
        assert response.status == 422, query


async def test_without_a_database_the_voicemail_api_says_so(
    aiohttp_client: AiohttpClient, center: CallCenter
) -> None:
    client = await aiohttp_client(create_app(center, reports=MemoryReports()))
    response = await client.get("/api/v1/voicemails", headers=SUP)
    assert response.status == 409
    assert (await response.json())["error"]["code"] == "no_database"


async def _set_ref(url: str, voicemail_id: int, ref: str) -> None:
    """Rewrite a stored message's reference (as a tampered database would)."""
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.execute(
            sa.update(Voicemail)
            .where(Voicemail.id == voicemail_id)
            .values(recording_ref=ref)
        )
    await engine.dispose()


async def test_a_supervisor_plays_and_handles_a_message_on_the_voicemail_page(
    aiohttp_server: AiohttpServer, center: CallCenter, box: VoicemailBox
) -> None:
    chromium = require_binary("chromium")
    vid = await leave_message(center, box)
    server = await aiohttp_server(
        create_app(center, reports=MemoryReports(), voicemails=box)
    )
    base = str(server.make_url("/")).rstrip("/")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=ARGS)
        page = await browser.new_page()
        await page.goto(f"{base}/login")
        await page.fill("#username", "sam")
        await page.fill("#password", PASSWORD)
        await page.click("#login-button")
        await page.wait_for_url(f"{base}/")
        await page.click("a[href='/voicemail']")
        row = f"#voicemails tr[data-voicemail-id='{vid}']"
        await page.wait_for_selector(f"{row} td:has-text('+8613800138000')")
        audio = page.locator(f"{row} audio")
        assert await audio.get_attribute("src") == f"/api/v1/voicemails/{vid}/audio"
        # the player can load and decode the recording
        duration = await audio.evaluate(
            "a => new Promise((ok, fail) => { a.onloadedmetadata = () => ok(a.duration);"
            " a.onerror = () => fail(String(a.error && a.error.code)); a.load(); })"
        )
        assert duration == pytest.approx(
            (await box.get_voicemail(vid)).duration_seconds
        )

        await page.click(f"{row} button.vm-handled")
        await page.wait_for_selector(row, state="detached")  # "not handled" list
        await page.select_option("#vm-handled", "true")
        await page.wait_for_selector(f"{row} td:has-text('sam')")
        await browser.close()
    assert (await box.get_voicemail(vid)).handled_by == "sam"
