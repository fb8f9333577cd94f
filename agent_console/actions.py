"""The console's actions, one per key: state, call control, wrap-up, complaints.

A mixin of ``AgentConsoleApp`` so that ``app.py`` stays the wiring. Each action
checks what is possible now (the same table the buttons use) and queues commands.
"""

from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from agent_console.model import complaint_rows
from agent_console.screens.complaint import ComplaintDetailScreen, ComplaintScreen
from agent_console.screens.dialogs import (
    ChoiceScreen,
    HelpScreen,
    LoginScreen,
    TransferScreen,
)
from agent_console.screens.wrapup import WrapUpScreen

if TYPE_CHECKING:
    from agent_console.app import AgentConsoleApp


class ConsoleActions:
    """``action_*`` methods of the console."""

    def _app(self) -> "AgentConsoleApp":
        return self  # type: ignore[return-value]

    def _call_id(self, action: str) -> str | None:
        app = self._app()
        if action not in app.desk.actions() or app.desk.call is None:
            app.notify(
                f"Not possible now: {action.replace('_', ' ')}", severity="warning"
            )
            return None
        return str(app.desk.call["call_id"])

    def _state(self, command: str, args: dict[str, Any] | None = None) -> None:
        app = self._app()
        app.send(command, args, then=app._after_state)  # noqa: SLF001 - own mixin

    # --- agent state ------------------------------------------------------------

    def action_login(self) -> None:
        """Ask for the PIN and log in."""
        app = self._app()

        if isinstance(app.screen, LoginScreen):
            return

        def done(pin: str | None) -> None:
            if pin is not None:
                self._state("login", {"pin": pin})

        app.push_screen(LoginScreen(app.desk.agent_id), done)

    def action_logout(self) -> None:
        """Log out."""
        self._state("logout")

    def action_ready(self) -> None:
        """Become ready for calls (also ends wrap-up)."""
        command = "wrapup_done" if self._app().desk.state == "wrap_up" else "ready"
        self._state(command)

    def action_pause(self) -> None:
        """Go not ready with a reason code."""
        app = self._app()
        reasons = list(app.desk.lists.get("pause_reasons") or ["break"])

        def done(reason: str | None) -> None:
            if reason is not None:
                self._state("pause", {"reason": reason})

        choices = [(r, r.replace("_", " ")) for r in reasons]
        app.push_screen(ChoiceScreen("Not ready: reason", choices), done)

    # --- call control -----------------------------------------------------------

    def action_answer(self) -> None:
        """Answer the ringing call."""
        if (call_id := self._call_id("answer")) is not None:
            self._state("answer", {"call_id": call_id})

    def action_hold(self) -> None:
        """Put the caller on hold, or take them off it."""
        app = self._app()
        held = app.desk.call is not None and app.desk.call.get("state") == "held"
        action = "resume" if held else "hold"
        if (call_id := self._call_id(action)) is not None:
            app.send(action, {"call_id": call_id}, then=self._call_state(
                "talking" if held else "held"))  # fmt: skip

    def _call_state(self, state: str) -> Any:
        app = self._app()

        def then(_body: dict[str, Any]) -> None:
            if app.desk.call is not None:
                app.desk.call["state"] = state
            app.repaint()

        return then

    def action_hangup(self) -> None:
        """Hang up the agent's side of the call."""
        if (call_id := self._call_id("hangup")) is not None:
            self._state("hangup", {"call_id": call_id})

    def action_transfer(self) -> None:
        """Transfer (or, while consulting, complete or cancel the transfer)."""
        app = self._app()
        if app.desk.call is not None and app.desk.call.get("state") == "consulting":
            call_id = str(app.desk.call["call_id"])
            choices = [("transfer_complete", "complete the transfer"),
                       ("transfer_cancel", "cancel, back to the caller")]  # fmt: skip

            def finish(choice: str | None) -> None:
                if choice is not None:
                    state = "talking" if choice == "transfer_cancel" else "ended"
                    app.send(choice, {"call_id": call_id}, then=self._call_state(state))

            app.push_screen(ChoiceScreen("Consultation", choices), finish)
            return
        if (talking := self._call_id("transfer")) is None:
            return

        def done(target: dict[str, str] | None) -> None:
            if target is not None:
                state = "consulting" if target["mode"] == "consult" else "ended"
                app.send("transfer", {"call_id": talking, **target},
                         then=self._call_state(state))  # fmt: skip

        queues = [str(q["name"]) for q in app.desk.queues]
        app.push_screen(TransferScreen(queues), done)

    # --- after the call ---------------------------------------------------------

    def action_wrapup(self) -> None:
        """Fill in the wrap-up of the call just ended."""
        app = self._app()
        if (call_id := self._call_id("wrapup")) is None:
            return

        def done(values: dict[str, object] | None) -> None:
            if values is not None:
                app.send("wrapup.save", {"call_id": call_id, **values},
                         then=self._saved)  # fmt: skip

        dispositions = list(app.desk.lists.get("dispositions") or [])
        app.push_screen(WrapUpScreen(dispositions, now=app.now()), done)

    def _saved(self, body: dict[str, Any]) -> None:
        app = self._app()
        app.notify(
            "Wrap-up saved"
            if body.get("stored")
            else "Wrap-up kept for the call record"
        )
        app.desk.call = None
        app.repaint()

    # --- CRM ----------------------------------------------------------------------

    def action_new_customer(self) -> None:
        """Create a customer from the unknown caller's number."""
        app = self._app()
        call = app.desk.call
        if call is None or app.desk.matches():
            app.notify("Only for an unknown caller", severity="warning")
            return

        def created(body: dict[str, Any]) -> None:
            call["record"] = body.get("record") or {}
            app.notify(f"Customer #{body['customer']['customer_id']} created")
            app.repaint()

        args = {"number": call.get("caller_number", ""), "call_id": call["call_id"]}
        app.send("customer.create", args, then=created)

    def action_pick_customer(self) -> None:
        """Pick which of the customers sharing the number is calling."""
        app = self._app()
        matches = app.desk.matches()
        if len(matches) < 2:  # noqa: PLR2004
            app.notify("Only one customer on this number", severity="warning")
            return

        def done(index: str | None) -> None:
            if index is not None:
                app.desk.chosen = int(index)
                app.repaint()

        choices = [(str(i), f"{m['name']} (#{m['customer_id']}, {m['tier']})")
                   for i, m in enumerate(matches)]  # fmt: skip
        app.push_screen(ChoiceScreen("Who is calling?", choices), done)

    def action_complaint(self) -> None:
        """Log a new complaint for the caller."""
        app = self._app()
        card = app.desk.customer()
        if card is None:
            app.notify("No customer on screen (n creates one)", severity="warning")
            return
        call_id = (app.desk.call or {}).get("call_id")

        def done(values: dict[str, Any] | None) -> None:
            if values is not None:
                args = {
                    **values,
                    "customer_id": card["customer_id"],
                    "call_id": call_id,
                }
                app.send("complaint.open", args, then=self._show_complaint)

        app.push_screen(ComplaintScreen(app.desk.lists, customer=str(card["name"]),
                                        now=app.now()), done)  # fmt: skip

    def action_view_complaint(self) -> None:
        """Open one of the caller's complaints (asking which, if there are several)."""
        app = self._app()
        card = app.desk.customer()
        rows = complaint_rows(card, app.now()) if card is not None else []
        if not rows:
            app.notify("No complaint to open", severity="warning")
            return
        if len(rows) == 1:
            self.open_complaint(rows[0][0])
            return

        def done(complaint_id: str | None) -> None:
            if complaint_id is not None:
                self.open_complaint(complaint_id)

        choices = [(r[0], f"#{r[0]}  {r[1]} · {r[2]} · {r[5]}") for r in rows]
        app.push_screen(ChoiceScreen("Open which complaint?", choices), done)

    def open_complaint(self, complaint_id: str) -> None:
        """Fetch one complaint and show it."""
        self._app().send("complaint.get", {"complaint_id": int(complaint_id)},
                         then=self._show_complaint)  # fmt: skip

    def _show_complaint(self, body: dict[str, Any]) -> None:
        app = self._app()

        def done(step: dict[str, str] | None) -> None:
            if step is not None:
                app.send("complaint.advance", step, then=self._show_complaint)

        app.push_screen(ComplaintDetailScreen(body), done)

    # --- the rest ---------------------------------------------------------------

    def action_toggle_theme(self) -> None:
        """Switch between the light and the dark theme."""
        app = self._app()
        app.theme = "textual-light" if app.theme == "textual-dark" else "textual-dark"

    def action_help(self) -> None:
        """List every key."""
        app = self._app()
        keys = [(app.get_key_display(b), b.description)
                for b in app.BINDINGS if isinstance(b, Binding)]  # fmt: skip
        app.push_screen(HelpScreen(keys))
