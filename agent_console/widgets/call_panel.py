"""The call: caller, state, IVR path and digits, and the possible actions."""

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Static

from agent_console.model import DeskState, clock_text, ivr_line

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

    def show(self, desk: DeskState, now: float) -> None:
        """Paint the call of ``desk``; enable only the possible actions."""
        call = desk.call
        line = self.query_one("#call-line", Static)
        if call is None:
            line.update("No call")
            self.query_one("#ivr-line", Static).update("")
        else:
            since = float(call.get("since") or now)
            line.update(
                f"{call.get('state', '').upper()} {clock_text(now - since)}\n"
                f"{call.get('caller_number', '')}  \\[{call.get('queue', '')}]"
            )
            self.query_one("#ivr-line", Static).update(ivr_line(desk.record()))
        possible = desk.actions()
        for action, _ in BUTTONS:
            button = self.query_one(f"#btn-{action}", Button)
            button.disabled = action not in possible
            button.display = action in possible or action in {"answer", "hangup"}
