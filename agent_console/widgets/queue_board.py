"""The queues this agent serves: calls waiting and the longest wait."""

from textual.widgets import Static

from agent_console.model import DeskState, clock_text, longest_wait
from agent_console.widgets.paint import set_text
from agent_console.widgets.text_table import text_table

HEADERS = ("Queue", "Waiting", "Longest")


class QueueBoard(Static):
    """One line per queue, under a header."""

    def show(self, desk: DeskState, now: float) -> None:
        """Paint the queue figures of ``desk`` as of ``now`` (only what changed).

        The longest wait of a queue with callers waiting grows between two
        updates from the server; it is counted on from the update's time.
        """
        rows = [(str(q["name"]), str(q["waiting"]), clock_text(longest_wait(q, now)))
                for q in desk.queues]  # fmt: skip
        set_text(self, text_table(HEADERS, rows, limit=len(rows) + 1))
