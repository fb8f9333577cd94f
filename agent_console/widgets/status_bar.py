"""The top line: who, in which state, for how long, and the link banner."""

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from agent_console.model import STATE_LABELS, DeskState, clock_text
from agent_console.widgets.paint import set_text


class StatusBar(Horizontal):
    """Agent, state with reason, time in state (or wrap-up countdown)."""

    def compose(self) -> ComposeResult:
        """Lay out the three fields."""
        yield Static("", id="agent-name")
        yield Static("", id="agent-state")
        yield Static("", id="state-clock")

    def show(self, desk: DeskState, now: float) -> None:
        """Paint ``desk`` as of ``now`` (server time), touching only what changed.

        The clock ticks every second: only its own text is repainted then.
        """
        set_text(self.query_one("#agent-name", Static),
                 f"Agent {desk.agent_id} {desk.name}".strip())  # fmt: skip
        label = STATE_LABELS.get(desk.state, desk.state.upper())
        if desk.reason and desk.state == "paused":
            label += f" ({desk.reason})"
        state = self.query_one("#agent-state", Static)
        set_text(state, label)
        if not state.has_class(f"state-{desk.state}"):
            state.set_classes(f"state-{desk.state}")
        elapsed = now - desk.since if desk.since else 0.0
        text = f"in state {clock_text(elapsed)}"
        if desk.state == "wrap_up":
            text = f"wrap-up ends in {clock_text(desk.wrap_up_seconds() - elapsed)}"
        set_text(self.query_one("#state-clock", Static), text)


class LinkBanner(Static):
    """Shown only while the link to the CTI server is down."""

    def link(self, *, up: bool, reason: str = "") -> None:
        """Show or hide the banner."""
        self.display = not up
        if not up:
            self.update(
                f"CONNECTION TO CTI SERVER LOST ({reason}): commands are refused; "
                "reconnecting..."
            )
