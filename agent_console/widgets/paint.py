"""Cheap widget updates: touch a widget only when what it shows changed.

Every ``Static.update`` marks the screen for a new layout (a reflow of every
widget) and a repaint; every class or ``disabled`` change restyles the widget and
its children. On the screen pop's path those add up to most of a frame, so the
widgets paint through these helpers, which skip what did not change and skip the
layout when the widget's size cannot change with its text.
"""

from textual.content import Content
from textual.widgets import Static


def set_text(widget: Static, text: str) -> None:
    """Show ``text`` (markup) in ``widget``, doing nothing when it is already shown.

    A widget whose width and height are set in CSS (cells or a share of its
    parent, not ``auto``) keeps its size whatever it shows; so does one as wide as
    its parent that does not wrap, given as many lines, and any widget given lines
    of the same widths as before. Then the widget is repainted without a layout.
    """
    old = widget.content
    if isinstance(old, str) and old == text:
        return
    widget.update(text, layout=_sized_by_content(widget, old, text))


def _sized_by_content(widget: Static, old: object, text: str) -> bool:
    width, height = widget.styles.width, widget.styles.height
    fills = width is None or not width.is_auto  # no width: as wide as its parent
    if fills and height is not None and not height.is_auto:
        return False
    if not isinstance(old, str):
        return True
    if fills and widget.styles.text_wrap == "nowrap":  # one row per line
        return old.count("\n") != text.count("\n")
    widths, room = _widths(text), widget.content_size.width
    fits = room > 0 and max(widths, default=0) <= room
    return not (fits and _widths(old) == widths)


def _widths(text: str) -> list[int]:
    return [line.cell_length for line in Content.from_markup(text).split("\n")]
