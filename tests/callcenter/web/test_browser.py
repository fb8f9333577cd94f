"""The wallboard in headless Chromium (Debian's): log in, watch calls arrive live,
act on an agent, monitor an agent's call, download a report.

Set ``CALLCENTER_SCREENSHOT=docs/wallboard.png`` to refresh the README screenshot.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright
from pytest_aiohttp import AiohttpServer

from callcenter.center import CallCenter, make_call_center
from callcenter.web.app import create_app
from tests.callcenter.web.conftest import PASSWORD, web_settings
from tests.callcenter.web.talking import running, talking, talking_settings
from tests.services import require_binary

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
async def busy_center(tmp_path: Path) -> AsyncIterator[CallCenter]:
    settings = web_settings(tmp_path)
    settings = settings.model_copy(
        update={"simulation": settings.simulation.model_copy(
            update={"calls_per_hour": 5400.0, "handle_time_seconds": 20.0})}
    )  # fmt: skip
    center = make_call_center(settings)
    await center.pbx.start()
    center.log_in_simulated_agents()
    task = asyncio.create_task(center.runtime.run())
    yield center
    center.runtime.stop()
    await task
    await center.pbx.close()


async def offered(page: Page) -> int:
    return int(await page.evaluate(
        "() => [...document.querySelectorAll('dd[data-field=offered]')]"
        ".reduce((n, dd) => n + parseInt(dd.textContent), 0)"
    ))  # fmt: skip


async def test_supervisor_in_chromium(
    aiohttp_server: AiohttpServer, busy_center: CallCenter, tmp_path: Path
) -> None:
    chromium = require_binary("chromium")
    server = await aiohttp_server(create_app(busy_center))
    base = str(server.make_url("/")).rstrip("/")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=ARGS)
        page = await browser.new_page(viewport={"width": 1400, "height": 1000},
                                      accept_downloads=True)  # fmt: skip
        await page.goto(f"{base}/")
        assert page.url.endswith("/login")
        await page.fill("#username", "sam")
        await page.fill("#password", "wrong")
        await page.click("#login-button")
        await page.wait_for_selector("#login-error:has-text('wrong password')")
        await page.fill("#password", PASSWORD)
        await page.click("#login-button")
        await page.wait_for_url(f"{base}/")
        await page.wait_for_function(
            "window.__wallboard.connected && window.__wallboard.version >= 0"
        )
        await page.wait_for_selector("#status[data-state=live]")

        # Calls arrive: the tiles update without a reload.
        first = await offered(page)
        await page.wait_for_function(
            "n => [...document.querySelectorAll('dd[data-field=offered]')]"
            ".reduce((s, dd) => s + parseInt(dd.textContent), 0) > n",
            arg=first, timeout=15000,
        )  # fmt: skip
        assert await page.locator("#agents tbody tr").count() == 8

        # A supervisor action, through the page (prompt for the reason).
        page.once("dialog", lambda dialog: dialog.accept("coaching"))
        await page.click("#agents tr[data-agent='1003'] button[data-act=pause]")
        await page.wait_for_selector(
            "#agents tr[data-agent='1003'] td.state:has-text('(coaching)')",
            timeout=10000,
        )
        audit = busy_center.settings.general.data_dir / "audit.jsonl"
        assert '"action": "pause"' in await asyncio.to_thread(audit.read_text)

        shot = os.environ.get("CALLCENTER_SCREENSHOT")
        await page.screenshot(
            path=shot or str(tmp_path / "wallboard.png"), full_page=True
        )

        # Reports: shown in the page and downloadable as CSV.
        await page.goto(f"{base}/reports")
        await page.wait_for_selector("#report tbody tr")
        async with page.expect_download() as info:
            await page.click("#r-csv")
        download = await info.value
        text = await asyncio.to_thread(Path(await download.path()).read_text)
        assert text.startswith("interval_start,group,offered,answered")
        await browser.close()


async def test_supervisor_monitors_an_agent_from_the_wallboard(
    aiohttp_server: AiohttpServer, tmp_path: Path
) -> None:
    chromium = require_binary("chromium")
    async with running(talking_settings(tmp_path)) as center:
        await talking(center)
        server = await aiohttp_server(create_app(center))
        base = str(server.make_url("/")).rstrip("/")
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium, args=ARGS)
            page = await browser.new_page(viewport={"width": 1400, "height": 1000})
            await page.goto(f"{base}/login")
            await page.fill("#username", "sam")
            await page.fill("#password", PASSWORD)
            await page.click("#login-button")
            await page.wait_for_url(f"{base}/")
            row = "#agents tr[data-agent='1001']"
            await page.wait_for_selector(f"{row} td.state:has-text('on call')")

            # Whisper on the phone configured for sam (PJSIP in production).
            await page.click(f"{row} button[data-act=monitor]")
            await page.check("#monitor-dialog input[value=whisper]")
            await page.click("#md-start")
            await page.wait_for_selector(
                "#toast:has-text('whispering to agent 1001 on sim/2001')"
            )
            (session,) = center.switchboard.monitors.sessions
            assert (session.supervisor, session.mode.value) == ("sam", "whisper")
            # supervisors see who monitors whom in the agent's row
            await page.wait_for_selector(
                f"{row} span.monitor:has-text('sam (whisper)')"
            )

            await page.click(f"{row} button[data-act=monitor]")
            await page.click("#md-stop")
            await page.wait_for_selector("#toast:has-text('stopped monitoring')")
            assert center.switchboard.monitors.sessions == ()
            await page.wait_for_function(
                f"document.querySelector(\"{row} span.monitor\").textContent === ''"
            )
            audit = center.settings.general.data_dir / "audit.jsonl"
            text = await asyncio.to_thread(audit.read_text)
            assert '"action": "monitor"' in text
            assert '"action": "stop_monitor"' in text
            await browser.close()
