"""Wrap-up: disposition code, notes and an optional follow-up callback."""

from datetime import UTC, datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from agent_console.screens.dialogs import form_values, show_error


def parse_when(text: str) -> float:
    """Read ``YYYY-MM-DD HH:MM`` (UTC) as POSIX seconds.

    Raises:
        ValueError: not in that form.
    """
    when = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    return when.timestamp()


class WrapUpScreen(ModalScreen[dict[str, object] | None]):
    """The wrap-up form; dismisses with the ``wrapup.save`` arguments."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, dispositions: list[str], *, now: float) -> None:
        """Offer ``dispositions``; follow-ups must lie after ``now``."""
        super().__init__()
        self._dispositions = dispositions
        self._now = now

    def compose(self) -> ComposeResult:
        """Disposition, notes, follow-up."""
        with Vertical(classes="dialog"):
            yield Label("Wrap-up")
            yield Select([(d.replace("_", " "), d) for d in self._dispositions],
                         prompt="disposition", id="disposition")  # fmt: skip
            yield Static("", id="disposition-error", classes="error")
            yield Input(placeholder="notes", id="notes")
            yield Input(placeholder="follow-up callback YYYY-MM-DD HH:MM (optional)",
                        id="callback")  # fmt: skip
            yield Static("", id="callback-error", classes="error")
            yield Button("Save", id="save", variant="primary", compact=True)

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        values = form_values(self, "disposition", "notes", "callback")
        errors = {"disposition": "", "callback": ""}
        if not values["disposition"]:
            errors["disposition"] = "choose a disposition"
        result: dict[str, object] = {
            "disposition": values["disposition"], "notes": values["notes"],
        }  # fmt: skip
        if values["callback"]:
            try:
                when = parse_when(values["callback"])
            except ValueError:
                errors["callback"] = "write it as 2026-01-31 14:30"
            else:
                if when <= self._now:
                    errors["callback"] = "the callback must be in the future"
                result["callback_at"] = when
        for name, message in errors.items():
            show_error(self, name, message)
        if not any(errors.values()):
            self.dismiss(result)
