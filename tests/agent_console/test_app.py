"""The console driven with Pilot against a real call center in virtual time."""

from collections.abc import AsyncIterator, Callable
from typing import Any, TypeAlias

import pytest
import sqlalchemy as sa
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static

from agent_console.app import AgentConsoleApp
from agent_console.backend import InProcessBackend
from agent_console.screens.complaint import ComplaintDetailScreen, ComplaintScreen
from agent_console.screens.dialogs import ChoiceScreen, LoginScreen
from agent_console.screens.wrapup import WrapUpScreen
from agent_console.widgets.customer_panel import COMPLAINT_HEADERS
from agent_console.widgets.status_bar import LinkBanner
from callcenter.domain.ids import AgentId
from crm_link.models import Interaction
from tests.agent_console.harness import NOW, SHARED, STRANGER, URGENT, VIP, Cti, until


def in_process(cti: Cti, agent: str = "1001") -> InProcessBackend:
    def attach(sink: Callable[[bytes], None]) -> Callable[[], None]:
        return cti.attach_console(agent, lambda _agent, payload: sink(payload))

    async def handle(agent_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await cti.api.handle(AgentId(agent_id), body)

    return InProcessBackend(agent, handle, attach)


Console: TypeAlias = tuple[AgentConsoleApp, InProcessBackend]


@pytest.fixture
async def console(cti: Cti) -> AsyncIterator[Console]:
    backend = in_process(cti)
    yield AgentConsoleApp(backend, clock=lambda: NOW), backend
    await backend.close()


async def press_button(pilot: Pilot[Any], app: AgentConsoleApp, name: str) -> None:
    app.screen.query_one(f"#{name}", Button).press()
    await pilot.pause()


def text(app: AgentConsoleApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def current_call(app: AgentConsoleApp) -> dict[str, Any]:
    call = app.desk.call
    assert call is not None
    return call


def shown_customer(app: AgentConsoleApp) -> dict[str, Any]:
    customer = app.desk.customer()
    assert customer is not None
    return customer


async def log_in(pilot: Pilot[Any], app: AgentConsoleApp) -> None:
    """Type the PIN in the dialog a console started without ``--pin`` opens."""
    await until(pilot, lambda: isinstance(app.screen, LoginScreen))
    await pilot.press(*"1234", "enter")
    await until(pilot, lambda: app.desk.state == "available")


async def ringing(
    pilot: Pilot[Any],
    app: AgentConsoleApp,
    cti: Cti,
    number: str,
    *,
    shows: str,
    digits: str = "",
) -> None:
    """Let ``number`` call the agent (keying ``digits``); wait for the card to show ``shows``."""
    await cti.ring(number, digits=digits)
    await until(pilot, lambda: shows in text(app, "#card"))


async def talking(
    pilot: Pilot[Any], app: AgentConsoleApp, cti: Cti, number: str
) -> None:
    await cti.ring(number)
    await until(pilot, lambda: bool(app.desk.record()))
    await pilot.press("a")
    await cti.step_until(lambda: (app.desk.call or {}).get("state") == "talking")
    await until(pilot, lambda: "TALKING" in text(app, "#call-line"))


async def test_login_pause_with_a_reason_and_ready(console: Console) -> None:
    app, _ = console
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, app)
        assert "READY" in text(app, "#agent-state")
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("down", "enter")  # lunch
        await until(pilot, lambda: app.desk.state == "paused")
        assert app.desk.reason == "lunch"
        assert "NOT READY (lunch)" in text(app, "#agent-state")
        await pilot.press("r")
        await until(pilot, lambda: app.desk.state == "available")
        await pilot.press("o")
        await until(pilot, lambda: app.desk.state == "logged_out")


async def test_a_clock_tick_or_event_during_shutdown_paints_nothing(
    console: Console,
) -> None:
    app, _ = console
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.desk.name != "")
    app.repaint()  # the widgets are gone: no NoMatches, no crash at exit
    app.apply_event({"type": "AgentStateChanged", "state": "available", "at": NOW})


async def test_wrong_pin_is_refused(console: Console) -> None:
    app, _ = console
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LoginScreen))
        await pilot.press(*"9999", "enter")
        await pilot.pause(0.1)
        assert app.desk.state == "logged_out"
        await pilot.press("l", *"1234", "enter")  # l asks again
        await until(pilot, lambda: app.desk.state == "available")


async def test_an_agent_who_logged_out_stays_out_after_a_reconnect(
    console: Console, cti: Cti
) -> None:
    app, backend = console
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, app)
        await pilot.press("o")
        await until(pilot, lambda: app.desk.state == "logged_out")
        backend.set_link(up=False)
        await until(pilot, lambda: app.query_one(LinkBanner).display)
        backend.set_link(up=True)
        await until(pilot, lambda: not app.query_one(LinkBanner).display)
        await pilot.pause(0.2)
        assert app.desk.state == "logged_out"
        assert not isinstance(app.screen, LoginScreen)


async def test_screen_pop_of_a_known_caller_before_answering(
    console: Console, cti: Cti
) -> None:
    app, _ = console
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, app)
        await cti.ring(VIP, digits="482913")
        await until(pilot, lambda: "王芳" in text(app, "#card"))
        assert "VIP" in text(app, "#card")
        assert "VIP" in text(app, "#alerts")
        assert "booking_reference=482913" in text(app, "#ivr-line")
        assert not app.query_one("#btn-answer").disabled
        assert app.query_one("#btn-hold").disabled


async def test_queue_figures_follow_the_queue_without_asking(
    console: Console, cti: Cti
) -> None:
    app, backend = console
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, app)
        await pilot.press("p", "enter")  # not ready: the call must wait
        await until(pilot, lambda: app.desk.state == "paused")
        await until(pilot, lambda: not app._pending)  # every reply is in
        asked: list[str] = []
        send = backend.send

        def counted(command: str, args: dict[str, Any] | None = None) -> str:
            asked.append(command)
            return send(command, args)

        backend.send = counted  # type: ignore[method-assign]
        async with cti._lock:
            cti.sim.offer_call(VIP)
        await cti.advance(40)  # through the IVR into the queue, and waiting there
        await until(pilot, lambda: "reservations  1" in text(app, "QueueBoard"))
        assert "status" not in asked  # an event brought the figures


async def test_a_stranger_who_keys_a_booking_reference_pops_as_its_guest(
    console: Console, cti: Cti
) -> None:
    app, _ = console
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, app)
        await ringing(
            pilot, app, cti, STRANGER, shows="李强", digits="12080105"
        )  # his room
        card = text(app, "#card")
        assert "booking H-1208-0105" in card
        assert "confirm name" in card
        assert "URGENT COMPLAINT" in text(app, "#alerts")


async def test_a_reference_that_finds_no_booking_is_said_so(
    console: Console, cti: Cti
) -> None:
    app, _ = console
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, app)
        await ringing(
            pilot, app, cti, VIP, shows="王芳", digits="99999999"
        )  # by number
        assert "booking 99999999 not found" in text(app, "#card")


async def test_urgent_complaint_alert_and_complaints_table(
    console: Console, cti: Cti
) -> None:
    app, _ = console
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, app)
        await ringing(pilot, app, cti, URGENT, shows="李强")
        assert "URGENT COMPLAINT" in text(app, "#alerts")
        complaints = text(app, "#complaints").splitlines()
        assert complaints[0].split() == list(COMPLAINT_HEADERS)
        assert complaints[1].split()[1:3] == ["urgent", "analysing"]
        await pilot.press("v")  # the only complaint: opened at once
        await until(pilot, lambda: isinstance(app.screen, ComplaintDetailScreen))
        assert f"#{complaints[1].split()[0]}" in str(
            app.screen.query_one("Label").render()
        )


async def test_several_complaints_the_agent_picks_which_to_open(
    console: Console, cti: Cti
) -> None:
    app, _ = console
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, app)
        await ringing(pilot, app, cti, URGENT, shows="李强")
        card = shown_customer(app)
        first = card["complaints"][0]
        card["complaints"].append({**first, "complaint_id": 9999, "state": "closed"})
        sent: list[tuple[str, dict[str, Any] | None]] = []

        def send(command: str, args: dict[str, Any] | None = None, **_: Any) -> bool:
            sent.append((command, args))
            return True

        app.send = send  # type: ignore[method-assign]
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("down", "enter")
        await until(pilot, lambda: not isinstance(app.screen, ChoiceScreen))
        assert sent == [("complaint.get", {"complaint_id": 9999})]


async def test_unknown_caller_becomes_a_customer_with_one_key(
    console: Console, cti: Cti
) -> None:
    app, _ = console
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, app)
        await ringing(pilot, app, cti, STRANGER, shows="Unknown caller")
        await pilot.press("n")
        await until(pilot, lambda: "Caller +8613312345678" in text(app, "#card"))


async def test_ambiguous_caller_the_agent_picks_one(console: Console, cti: Cti) -> None:
    app, _ = console
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, app)
        await ringing(pilot, app, cti, SHARED, shows="share this number")
        first = shown_customer(app)["name"]
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("down", "enter")
        await until(pilot, lambda: shown_customer(app)["name"] != first)
        assert shown_customer(app)["name"] in text(app, "#card")


async def test_answer_hold_resume_transfer_and_wrap_up(
    console: Console, cti: Cti
) -> None:
    app, _ = console
    cti.log_in_simulated("1002")
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, app)
        await talking(pilot, app, cti, VIP)
        call_id = current_call(app)["call_id"]
        await pilot.press("h")
        await until(pilot, lambda: cti.sim.is_held(call_id))
        await until(pilot, lambda: "HELD" in text(app, "#call-line"))
        await pilot.press("h")
        await until(pilot, lambda: not cti.sim.is_held(call_id))
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#target", Input).value = "complaints"
        await press_button(pilot, app, "go")
        await until(pilot, lambda: app.desk.state == "wrap_up")
        assert "wrap-up ends in" in text(app, "#state-clock")
        await pilot.press("w")
        await pilot.pause()
        app.screen.query_one("#disposition", Select).value = "transferred"
        app.screen.query_one("#callback", Input).value = "tomorrow"
        await press_button(pilot, app, "save")
        await pilot.pause()
        assert "2026-01-31 14:30" in str(
            app.screen.query_one("#callback-error", Static).render()
        )
        app.screen.query_one("#callback", Input).value = "2026-01-06 10:00"
        await press_button(pilot, app, "save")
        await until(pilot, lambda: app.desk.call is None)


async def test_hang_up_then_wrap_up_is_stored(console: Console, cti: Cti) -> None:
    app, _ = console
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, app)
        await talking(pilot, app, cti, VIP)
        call_id = current_call(app)["call_id"]
        await pilot.press("x")
        await until(pilot, lambda: app.desk.state == "wrap_up")
        await until(pilot, lambda: current_call(app)["state"] == "ended")
        await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, WrapUpScreen))
        await press_button(pilot, app, "save")
        await pilot.pause()
        assert "choose a disposition" in str(
            app.screen.query_one("#disposition-error", Static).render()
        )
        app.screen.query_one("#disposition", Select).value = "resolved"
        app.screen.query_one("#notes", Input).value = "room changed"
        await press_button(pilot, app, "save")
        await until(pilot, lambda: app.desk.call is None)
        assert await saved_wrap_up(cti, call_id) == ("resolved", "room changed")


async def saved_wrap_up(cti: Cti, call_id: str) -> tuple[str, str]:
    """Read the disposition and notes stored on the call's interaction."""
    crm = cti.api._crm
    assert crm is not None
    async with crm._sessions() as session:
        row = (
            await session.execute(
                sa.select(Interaction).where(Interaction.call_id == call_id)
            )
        ).scalar_one()
    return row.disposition, row.notes or ""


async def test_a_complaint_is_logged_and_advanced(console: Console, cti: Cti) -> None:
    app, _ = console
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, app)
        await talking(pilot, app, cti, VIP)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ComplaintScreen))
        form = app.screen
        await press_button(pilot, app, "save")
        await pilot.pause()
        assert "choose a category" in str(
            form.query_one("#category-error", Static).render()
        )
        form.query_one("#category", Select).value = "room"
        form.query_one("#severity", Select).value = "urgent"
        await pilot.pause()
        assert "deadline 2026-01-05 12:00" in str(
            form.query_one("#severity-error", Static).render()
        )
        form.query_one("#description", Input).value = "Air conditioning broken in 1203"
        form.query_one("#department", Select).value = "housekeeping"
        await press_button(pilot, app, "save")
        await until(pilot, lambda: isinstance(app.screen, ComplaintDetailScreen))
        detail = app.screen
        assert "received" in str(detail.query_one("Label").render())
        detail.query_one("#to_state", Select).value = "recorded"
        detail.query_one("#comment", Input).value = "guest moved"
        await press_button(pilot, app, "advance")
        await until(
            pilot,
            lambda: (
                app.screen is not detail
                and isinstance(app.screen, ComplaintDetailScreen)
            ),
        )
        assert "guest moved" in str(app.screen.query_one("#trail", Static).render())


async def test_lost_link_refuses_commands_and_resyncs(
    console: Console, cti: Cti
) -> None:
    app, backend = console
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, app)
        backend.set_link(up=False)
        await until(pilot, lambda: app.query_one(LinkBanner).display)
        assert "LOST" in str(app.query_one(LinkBanner).render())
        await pilot.press("p")
        await pilot.pause()
        assert app.desk.state == "available"  # refused, not queued
        await cti.ring(VIP)  # rings while the console is away
        assert app.desk.call is None
        backend.set_link(up=True)
        await until(pilot, lambda: not app.query_one(LinkBanner).display)
        await until(pilot, lambda: "王芳" in text(app, "#card"))
        assert current_call(app)["state"] == "ringing"
