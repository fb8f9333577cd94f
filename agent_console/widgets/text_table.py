"""Tables as aligned lines of text, for the widgets on the screen pop's path.

A ``DataTable`` measures every cell through Rich, and each new row count changes its
virtual size, which makes Textual lay out the whole screen again: together about
two thirds of the frame that paints a screen pop. The pop's tables are short and
read-only, so they are plain text in a ``Static`` of fixed height instead: columns
padded to their widest cell, the header in bold, and a last line that says how
many rows did not fit.
"""

from collections.abc import Callable, Sequence

from rich.cells import cell_len
from textual.markup import escape

GAP = "  "
"""Space between two columns."""

Styler = Callable[[int, str], str]
"""Turns a padded, escaped cell (of column ``index``) into markup."""


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    limit: int,
    more: str = "",
    style: Styler | None = None,
) -> str:
    """Return ``rows`` under ``headers`` as markup lines, at most ``limit`` lines.

    When rows are left out, the last line says how many, followed by ``more``
    (a hint such as how to see them). Cells are escaped: customer data may hold
    square brackets. ``style`` may mark up a cell (a deadline in red) after it
    was padded, so the markup does not count towards the column's width.
    """
    if not rows:
        return ""
    shown = list(rows) if len(rows) < limit else list(rows[: max(0, limit - 2)])
    widths = [cell_len(h) for h in headers]
    for row in shown:
        widths = [max(w, cell_len(c)) for w, c in zip(widths, row, strict=True)]
    header = GAP.join(_pad(h, w) for h, w in zip(headers, widths, strict=True))
    lines = [f"[b]{escape(header.rstrip())}[/]"]
    for row in shown:
        cells = [escape(_pad(c, w)) for c, w in zip(row, widths, strict=True)]
        if style is not None:
            cells = [style(i, cell) for i, cell in enumerate(cells)]
        lines.append(GAP.join(cells).rstrip())
    if len(shown) < len(rows):
        lines.append(f"[dim]+{len(rows) - len(shown)} more{more}[/]")
    return "\n".join(lines)


def _pad(cell: str, width: int) -> str:
    """Pad ``cell`` to ``width`` terminal cells (wide characters count twice)."""
    return cell + " " * (width - cell_len(cell))
