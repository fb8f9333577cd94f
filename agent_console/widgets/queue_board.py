"""The queues this agent serves: calls waiting and the longest wait."""

from textual.widgets import Static

from agent_console.model import DeskState, clock_text
from agent_console.widgets.paint import set_text
from agent_console.widgets.text_table import text_table

HEADERS = ("Queue", "Waiting", "Longest")


class QueueBoard(Static):
    """One line per queue, under a header."""

    def show(self, desk: DeskState) -> None:
        """Paint the queue figures of ``desk`` (only when they changed)."""
        rows = [
            (str(q["name"]), str(q["waiting"]), clock_text(float(q["longest_wait"])))
            for q in desk.queues
        ]
        set_text(self, text_table(HEADERS, rows, limit=len(rows) + 1))
