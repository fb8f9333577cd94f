"""The queues this agent serves: calls waiting and the longest wait."""

from textual.widgets import DataTable

from agent_console.model import DeskState, clock_text


class QueueBoard(DataTable[str]):
    """One row per queue."""

    def on_mount(self) -> None:
        """Add the columns."""
        self.cursor_type = "none"
        self.add_columns("Queue", "Waiting", "Longest")

    _rows: tuple[tuple[str, str, str], ...] = ()

    def show(self, desk: DeskState) -> None:
        """Paint the queue figures of ``desk`` (only when they changed)."""
        rows = tuple(
            (str(q["name"]), str(q["waiting"]), clock_text(float(q["longest_wait"])))
            for q in desk.queues
        )
        if rows == self._rows:
            return
        self._rows = rows
        self.clear()
        for row in rows:
            self.add_row(*row)
