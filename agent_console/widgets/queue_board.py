"""The queues this agent serves: calls waiting and the longest wait."""

from textual.widgets import DataTable

from agent_console.model import DeskState, clock_text


class QueueBoard(DataTable[str]):
    """One row per queue."""

    def on_mount(self) -> None:
        """Add the columns."""
        self.cursor_type = "none"
        self.add_columns("Queue", "Waiting", "Longest")

    def show(self, desk: DeskState) -> None:
        """Paint the queue figures of ``desk``."""
        self.clear()
        for queue in desk.queues:
            self.add_row(
                str(queue["name"]),
                str(queue["waiting"]),
                clock_text(float(queue["longest_wait"])),
            )
