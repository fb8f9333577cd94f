"""The card says what the caller keyed: an account number, like a booking, asks the
agent to confirm the name, and one that found nobody is said so; the card keeps its
seven lines, and a key account's number is shown where 80 columns do not cut it.

Records are the real screen pops of the seeded demo CRM (``CrmServices``), so the
keys the card reads are the ones the server sends.
"""

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from agent_console.model import DeskState
from agent_console.widgets.customer_panel import CustomerPanel
from callcenter.core.crm_services import CrmServices
from callcenter.core.messages import BuildScreenPop
from callcenter.domain.ids import AgentId, CallId
from crm_link.seed_data import KEY_ACCOUNT_NUMBER
from crm_link.service import CrmService
from tests.agent_console.harness import NOW, STRANGER, VIP

CARD_WIDTH = 44  # the card's width in an 80-column console
KEY_ACCOUNT = "+8613900139000"  # 张伟 (锦江商旅), the demo's key account


class PanelApp(App[None]):
    """The customer panel alone, styled as in the console, as wide as at 80 columns."""

    CSS_PATH = Path(__file__).parents[3] / "agent_console" / "app.tcss"

    def compose(self) -> ComposeResult:
        yield CustomerPanel()


@pytest.fixture
async def crm(crm_template: Path, tmp_path: Path) -> AsyncIterator[CrmServices]:
    path = tmp_path / "crm.db"
    shutil.copyfile(crm_template, path)
    async with CrmService.from_url(f"sqlite+aiosqlite:///{path}") as service:
        yield CrmServices(service)


async def card_of(crm: CrmServices, number: str, *, account: str | None = None) -> str:
    request = BuildScreenPop(
        call_id=CallId("c1"), agent_id=AgentId("1001"), caller_number=number,
        ivr_path=(), ivr_variables={}, account=account,
    )  # fmt: skip
    record: dict[str, Any] = (await crm.screen_pop(request, NOW)).record
    desk = DeskState(agent_id="1001")
    desk.call = {"call_id": "c1", "state": "ringing", "record": record}
    app = PanelApp()
    async with app.run_test(size=(CARD_WIDTH + 2, 24)) as pilot:
        app.query_one(CustomerPanel).show(desk, NOW)
        await pilot.pause()
        card = app.query_one("#card", Static)
        assert card.size.height == 7  # the fixed height: painting lays nothing out
        return str(card.render())


async def test_a_key_account_found_by_its_number_asks_to_confirm_the_name(
    crm: CrmServices,
) -> None:
    head, _, stages, *_ = (
        await card_of(crm, STRANGER, account=KEY_ACCOUNT_NUMBER)
    ).splitlines()
    assert head.startswith("张伟 (锦江商旅)")
    assert head.endswith("confirm name")
    assert stages.startswith(f"account {KEY_ACCOUNT_NUMBER} · ")


async def test_a_key_account_calling_from_its_phone_shows_its_number_unasked(
    crm: CrmServices,
) -> None:
    head, _, stages, *_ = (await card_of(crm, KEY_ACCOUNT)).splitlines()
    assert "confirm name" not in head
    assert stages.startswith(f"account {KEY_ACCOUNT_NUMBER} · ")


async def test_an_account_number_nobody_holds_is_said_so(crm: CrmServices) -> None:
    unknown = (await card_of(crm, STRANGER, account="12345674")).splitlines()
    assert unknown[:2] == [
        "Unknown caller +8613312345678",
        "account 12345674 not found",
    ]
    vip = (await card_of(crm, VIP, account="12345674")).splitlines()
    assert vip[0].startswith("王芳")
    assert "confirm name" not in vip[0]  # her own number found her
    assert vip[1] == "account 12345674 not found"
    assert not vip[2].startswith("account")  # she has no account number
