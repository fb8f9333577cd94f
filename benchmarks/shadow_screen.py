"""What a terminal would show of a headless Textual app: its frames, replayed.

Headless, Textual's compositor still renders every frame (a ``LayoutUpdate`` or a
``ChopsUpdate`` of the changed spans) and hands it to ``App._display``, which then
skips the terminal. ``ShadowScreen`` catches those frames and, when asked, writes
them one after the other into a grid of cells, so a benchmark can check that what
it times is really on screen rather than trusting a callback's timing.
"""

import time
from typing import Any

from rich.cells import cell_len
from textual._compositor import ChopsUpdate, LayoutUpdate  # not public API
from textual.app import App


class ShadowScreen:
    """The cells of the app's screen as of its last frame."""

    def __init__(self, app: App[Any]) -> None:
        """Start catching ``app``'s frames (call once the app runs)."""
        width, height = app.size
        self._cells = [[" "] * width for _ in range(height)]
        self._pending: list[Any] = []
        self.on_frame: list[Any] = []
        display = app._display  # noqa: SLF001

        def caught(screen: Any, update: Any) -> None:
            display(screen, update)
            if update is not None:
                self._pending.append(update)
                at = time.perf_counter()
                for listener in list(self.on_frame):
                    listener(at)

        app._display = caught  # type: ignore[method-assign,assignment]  # noqa: SLF001

    def lines(self) -> list[str]:
        """Return the screen's text, one string per row (wide characters once)."""
        for update in self._pending:
            if isinstance(update, LayoutUpdate):
                for y, line in enumerate(update.strips, update.region.y):
                    self._write(y, update.region.x, line)
            elif isinstance(update, ChopsUpdate):
                for y, x1, x2 in update.spans:
                    chops = update.chops[y].items()
                    for end, (x, strip) in zip(
                        update.chop_ends[y], chops, strict=False
                    ):
                        if strip is not None and x <= x2 and end > x1:
                            self._write(y, x, [strip], x1, x2)
        self._pending.clear()
        return ["".join(row) for row in self._cells]

    def _write(
        self, y: int, x: int, strips: Any, lo: int = 0, hi: int = 1 << 30
    ) -> None:
        if not 0 <= y < len(self._cells):
            return
        row = self._cells[y]
        for strip in strips:
            for char in strip.text:
                width = cell_len(char)
                for offset in range(width):
                    if lo <= x + offset < min(hi, len(row)):
                        row[x + offset] = char if offset == 0 else ""
                x += width
