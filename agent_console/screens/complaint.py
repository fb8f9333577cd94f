"""Complaints: log a new one (validated field by field), open and advance one."""

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from agent_console.model import date_text
from agent_console.screens.dialogs import form_values, show_error

CHANNELS = ("phone", "web", "email", "on_site", "transferred")
SEVERITIES = ("ordinary", "serious", "urgent")
DEMANDS = ("refund", "exchange", "repair", "compensation", "apology")
FIELDS = ("channel", "category", "severity", "description", "department")


def _options(values: Any) -> list[tuple[str, str]]:
    return [(str(v).replace("_", " "), str(v)) for v in values]


class ComplaintScreen(ModalScreen[dict[str, Any] | None]):
    """A new complaint; dismisses with the ``complaint.open`` arguments."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, lists: dict[str, Any], *, customer: str, now: float) -> None:
        """Use the server's code lists; the complaint is ``customer``'s."""
        super().__init__()
        self._lists = lists
        self._customer = customer
        self._now = now

    def compose(self) -> ComposeResult:
        """Every field the workflow needs, each with its message line."""
        with VerticalScroll(classes="dialog wide form"):
            yield Label(f"New complaint for {self._customer}")
            yield Select(_options(CHANNELS), value="phone", allow_blank=False,
                         id="channel", compact=True)  # fmt: skip
            yield Static("", id="channel-error", classes="error")
            yield Select(_options(self._lists.get("categories", [])), prompt="category",
                         id="category", compact=True)  # fmt: skip
            yield Static("", id="category-error", classes="error")
            yield Select(_options(SEVERITIES), prompt="severity", id="severity",
                         compact=True)  # fmt: skip
            yield Static("", id="severity-error", classes="error")
            yield Input(placeholder="description: when, where, what happened",
                        id="description", compact=True)  # fmt: skip
            yield Static("", id="description-error", classes="error")
            yield SelectionList[str](*_options(DEMANDS), id="demands", compact=True)
            departments = _options(self._lists.get("departments", []))
            yield Select(departments, prompt="department", id="department",
                         compact=True)  # fmt: skip
            yield Static("", id="department-error", classes="error")
            yield Button("Log complaint", id="save", variant="primary", compact=True)

    @on(Select.Changed, "#severity")
    def _deadline(self, event: Select.Changed) -> None:
        seconds = (self._lists.get("deadlines") or {}).get(str(event.value))
        text = f"deadline {date_text(self._now + float(seconds))}" if seconds else ""
        show_error(self, "severity", text)

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        values = form_values(self, *FIELDS)
        errors = dict.fromkeys(FIELDS, "")
        for name in ("category", "severity", "department"):
            if not values[name]:
                errors[name] = f"choose a {name}"
        if len(values["description"]) < 10:  # noqa: PLR2004 - a usable description
            errors["description"] = "describe what happened (at least 10 characters)"
        for name, message in errors.items():
            if message or name != "severity":
                show_error(self, name, message)
        if any(errors.values()):
            return
        demands = list(self.query_one("#demands", SelectionList).selected)
        self.dismiss({**values, "demands": demands})


class ComplaintDetailScreen(ModalScreen[dict[str, str] | None]):
    """One complaint, its audit trail, and the next workflow step."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, reply: dict[str, Any]) -> None:
        """Show the ``complaint.get`` reply."""
        super().__init__()
        self._reply = reply

    def compose(self) -> ComposeResult:
        """Record, trail, next step and comment."""
        c = self._reply["complaint"]
        trail = "\n".join(
            f"{date_text(float(h['at']))}  {h['from_state'] or '-'} → {h['to_state']}"
            f"  by {h['who']}  {h.get('comment', '')}"
            for h in self._reply.get("history", [])
        )
        allowed = self._reply.get("allowed", [])
        with Vertical(classes="dialog wide"):
            yield Label(f"Complaint #{c['complaint_id']}: {c['state']}")
            yield Static(
                f"{c['severity']} · {c['category']} · {c['channel']} · "
                f"dept {c['department'] or '-'} · "
                f"due {date_text(float(c['deadline_at']))}\n"
                f"{c['description']}\ndemands: {', '.join(c['demands']) or '-'}",
                id="complaint-body",
            )
            yield Static(trail or "(no history)", id="trail")
            yield Select(_options(allowed), prompt="move to", id="to_state")
            yield Input(placeholder="comment", id="comment")
            yield Static("", id="to_state-error", classes="error")
            yield Button("Advance", id="advance", variant="primary", compact=True)

    @on(Button.Pressed, "#advance")
    def _advance(self) -> None:
        values = form_values(self, "to_state", "comment")
        if not values["to_state"]:
            show_error(self, "to_state", "choose the next step")
            return
        self.dismiss(
            {**values, "complaint_id": str(self._reply["complaint"]["complaint_id"])}
        )
