"""Tables as text: aligned columns, escaped cells, and a line for what did not fit."""

from rich.cells import cell_len
from textual.content import Content

from agent_console.widgets.text_table import text_table

HEADERS = ("#", "Severity", "Category")


def plain(markup: str) -> list[str]:
    return Content.from_markup(markup).plain.splitlines()


def test_columns_are_padded_to_their_widest_cell_header_included() -> None:
    rows = [("7", "urgent", "room"), ("12", "low", "billing")]
    assert plain(text_table(HEADERS, rows, limit=10)) == [
        "#   Severity  Category",
        "7   urgent    room",
        "12  low       billing",
    ]


def test_no_rows_no_table() -> None:
    assert text_table(HEADERS, [], limit=10) == ""


def test_rows_that_do_not_fit_are_counted_on_the_last_line() -> None:
    rows = [(str(i), "low", "room") for i in range(10)]
    lines = plain(text_table(HEADERS, rows, limit=5, more=" (v to pick one)"))
    assert len(lines) == 5
    assert [line.split()[0] for line in lines[1:4]] == ["0", "1", "2"]
    assert lines[4] == "+7 more (v to pick one)"


def test_exactly_as_many_rows_as_lines_need_no_more_line() -> None:
    rows = [(str(i), "low", "room") for i in range(4)]
    assert len(plain(text_table(HEADERS, rows, limit=5))) == 5


def test_customer_text_with_brackets_is_shown_not_parsed_as_markup() -> None:
    rows = [("1", "[b]high[/b]", "room [1208]")]
    assert plain(text_table(HEADERS, rows, limit=3))[1] == "1  [b]high[/b]  room [1208]"


def test_wide_characters_take_two_cells() -> None:
    rows = [("1", "紧急", "x"), ("2", "low", "y")]
    lines = plain(text_table(HEADERS, rows, limit=5))
    x_at = cell_len(lines[1][: lines[1].index("x")])
    y_at = cell_len(lines[2][: lines[2].index("y")])
    assert x_at == y_at == len("2  Severity  ")


def test_a_styler_marks_up_a_padded_cell_without_moving_the_columns() -> None:
    rows = [("1", "urgent", "room")]

    def red(column: int, cell: str) -> str:
        return f"[red]{cell}[/]" if column == 1 else cell

    markup = text_table(HEADERS, rows, limit=3, style=red)
    assert "[red]urgent  [/]" in markup
    assert plain(markup)[1] == "1  urgent    room"
