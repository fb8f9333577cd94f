"""Cheap widget updates: touch a widget only when what it shows changed.

Every ``Static.update`` marks the screen for a new layout (a reflow of every
widget) and a repaint; every class or ``disabled`` change restyles the widget and
its children. On the screen pop's path those add up to most of a frame, so the
widgets paint through these helpers, which skip what did not change and skip the
layout when the text keeps its size.
"""

from textual.content import Content
from textual.widgets import Static


def set_text(widget: Static, text: str) -> None:
    """Show ``text`` (markup) in ``widget``, doing nothing when it is already shown.

    A text whose lines have the same widths as the old one's, and fit the widget,
    takes the same room: the widget is repainted without a layout.
    """
    old = widget.content
    if isinstance(old, str) and old == text:
        return
    same_size = isinstance(old, str) and _fits(_widths(old), _widths(text), widget)
    widget.update(text, layout=not same_size)


def _widths(text: str) -> list[int]:
    return [line.cell_length for line in Content.from_markup(text).split("\n")]


def _fits(old: list[int], new: list[int], widget: Static) -> bool:
    width = widget.content_size.width
    return old == new and width > 0 and max(new, default=0) <= width
