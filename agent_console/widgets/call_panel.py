"""The call: caller, state, IVR path and digits, and the possible actions."""

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Static

from agent_console.model import DeskState, clock_text, ivr_line
from agent_console.widgets.paint import set_text

BUTTONS = (
    ("answer", "Answer a"), ("hold", "Hold h"), ("resume", "Resume h"),
    ("transfer", "Transfer t"), ("hangup", "Hang up x"), ("wrapup", "Wrap-up w"),
)  # fmt: skip


class CallPanel(Vertical):
    """Caller number, call state and the call-control buttons."""

    def compose(self) -> ComposeResult:
        """Lay out the call lines and the buttons."""
        yield Static("No call", id="call-line")
        yield Static("", id="ivr-line")
        with Vertical(id="call-buttons"):
            for action, label in BUTTONS:
                yield Button(label, id=f"btn-{action}", compact=True)

    _possible: frozenset[str] | None = None

    def show(self, desk: DeskState, now: float) -> None:
        """Paint the call of ``desk``; enable only the possible actions.

        Buttons are restyled only when the possible actions change (a ``disabled``
        change recomputes the button's CSS), not on every event or clock tick. All
        of them are always there, enabled or not: showing or hiding one would move
        the others, and a layout of the screen would delay the screen pop.
        """
        call = desk.call
        line = self.query_one("#call-line", Static)
        if call is None:
            set_text(line, "No call")
            set_text(self.query_one("#ivr-line", Static), "")
        else:
            since = float(call.get("since") or now)
            set_text(line,
                f"{call.get('state', '').upper()} {clock_text(now - since)}\n"
                f"{call.get('caller_number', '')}  \\[{call.get('queue', '')}]"
            )  # fmt: skip
            set_text(self.query_one("#ivr-line", Static), ivr_line(desk.record()))
        possible = desk.actions()
        if possible == self._possible:
            return
        self._possible = possible
        for action, _ in BUTTONS:
            self.query_one(f"#btn-{action}", Button).disabled = action not in possible
