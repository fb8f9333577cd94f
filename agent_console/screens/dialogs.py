"""Small modal dialogs: PIN, a choice from a list, a transfer target, help."""

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static


class LoginScreen(ModalScreen[str | None]):
    """Ask for the agent's PIN."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, agent_id: str) -> None:
        """Log in ``agent_id``."""
        super().__init__()
        self._agent_id = agent_id

    def compose(self) -> ComposeResult:
        """A PIN field."""
        with Vertical(classes="dialog"):
            yield Label(f"Log in agent {self._agent_id}")
            yield Input(placeholder="PIN", password=True, id="pin")
            yield Static("Enter to log in, Esc to cancel", classes="hint")

    @on(Input.Submitted, "#pin")
    def _submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class ChoiceScreen(ModalScreen[str | None]):
    """Pick one entry of a list (pause reason, customer of a shared line)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        """Offer ``choices`` as (value, label) pairs."""
        super().__init__()
        self._title = title
        self._choices = choices

    def compose(self) -> ComposeResult:
        """The list."""
        with Vertical(classes="dialog"):
            yield Label(self._title)
            yield OptionList(*(label for _, label in self._choices), id="choices")

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._choices[event.option_index][0])


class TransferScreen(ModalScreen[dict[str, str] | None]):
    """Choose where to transfer the call, and how."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, queues: list[str]) -> None:
        """Suggest ``queues`` as targets."""
        super().__init__()
        self._queues = queues

    def compose(self) -> ComposeResult:
        """Kind, target and mode."""
        with Vertical(classes="dialog"):
            yield Label("Transfer the call")
            yield Select(
                [("to a queue", "queue"), ("to an agent", "agent"),
                 ("to a number", "number")],
                value="queue", allow_blank=False, id="kind",
            )  # fmt: skip
            yield Input(
                value=self._queues[0] if self._queues else "",
                placeholder="queue, agent id or number", id="target",
            )  # fmt: skip
            yield Static("", id="target-error", classes="error")
            yield Select(
                [("blind", "blind"), ("consult first", "consult")],
                value="blind", allow_blank=False, id="mode",
            )  # fmt: skip
            yield Button("Transfer", id="go", variant="primary", compact=True)

    @on(Button.Pressed, "#go")
    @on(Input.Submitted, "#target")
    def _go(self) -> None:
        target = self.query_one("#target", Input).value.strip()
        if not target:
            show_error(self, "target", "a target is needed")
            return
        self.dismiss(
            {
                "kind": str(self.query_one("#kind", Select).value),
                "target": target,
                "mode": str(self.query_one("#mode", Select).value),
            }
        )


class HelpScreen(ModalScreen[None]):
    """Every key of the console."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss(None)", "Close")]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        """List ``keys`` as (key, description)."""
        super().__init__()
        self._keys = keys

    def compose(self) -> ComposeResult:
        """The key table."""
        lines = "\n".join(f"[b]{key:>8}[/]  {text}" for key, text in self._keys)
        with Vertical(classes="dialog"):
            yield Label("Keys (Ctrl+P finds any action by name)")
            yield Static(lines, id="help-keys")


def show_error(screen: ModalScreen[Any], name: str, message: str) -> None:
    """Show ``message`` under the field ``name``; an empty one takes no line."""
    line = screen.query_one(f"#{name}-error", Static)
    line.update(message)
    line.display = bool(message)


def form_values(screen: ModalScreen[Any], *ids: str) -> dict[str, str]:
    """Return the values of the named inputs and selects of ``screen``."""
    values: dict[str, str] = {}
    for widget_id in ids:
        widget = screen.query_one(f"#{widget_id}")
        if isinstance(widget, Input):
            values[widget_id] = widget.value.strip()
        elif isinstance(widget, Select):
            value = widget.value
            values[widget_id] = value if isinstance(value, str) else ""
    return values
