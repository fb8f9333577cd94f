"""Messages the backend worker posts to the app."""

from textual.message import Message

from agent_console.backend import BackendItem


class BackendMessage(Message):
    """One item from ``ConsoleBackend.events()``: link change, event or reply.

    Not a dataclass: Textual's ``Message.__init__`` must run; the item itself is a
    frozen dataclass.
    """

    def __init__(self, item: BackendItem) -> None:
        """Carry ``item`` to the app."""
        super().__init__()
        self.item = item
