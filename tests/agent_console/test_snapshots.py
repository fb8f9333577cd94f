"""Snapshots of the console's main screens at 80x24 and 160x48.

Each app replays a ``status`` recorded from the real call center (virtual time,
seeded CRM), so the pictures change only when the console's look does. Update
them with ``pytest tests/agent_console/test_snapshots.py --snapshot-update`` and
look at every changed SVG before committing it; the README's ``docs/console.svg``
is the 80x24 ringing one, copied.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.agent_console.scripted import Desks, scripted_console

SIZES = pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
Compare = Callable[..., bool]


@pytest.fixture(autouse=True)
def frozen_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the text cursor shown: a blink must not decide a snapshot."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda _self: None)


def after_status(*keys: str) -> Callable[[Pilot[Any]], Any]:
    """Wait for the first ``status`` reply to be painted, then press ``keys``."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        while getattr(app, "desk").name == "":  # noqa: B009 - any App here
            await pilot.pause(0.01)
        await pilot.press(*keys)

    return run_before


def shot(snap_compare: Compare, desks: Desks, stage: str, size: tuple[int, int],
         *keys: str) -> bool:  # fmt: skip
    app = scripted_console(desks[stage])
    return snap_compare(app, terminal_size=size, run_before=after_status(*keys))


@SIZES
def test_login(snap_compare: Compare, desks: Desks, size: tuple[int, int]) -> None:
    assert shot(snap_compare, desks, "logged_out", size, "l")


@SIZES
def test_ready_and_waiting(
    snap_compare: Compare, desks: Desks, size: tuple[int, int]
) -> None:
    assert shot(snap_compare, desks, "available", size)


@SIZES
def test_ringing_with_the_screen_pop_of_a_caller_with_an_urgent_complaint(
    snap_compare: Compare, desks: Desks, size: tuple[int, int]
) -> None:
    assert shot(snap_compare, desks, "ringing", size)


@SIZES
def test_wrap_up_form(
    snap_compare: Compare, desks: Desks, size: tuple[int, int]
) -> None:
    assert shot(snap_compare, desks, "wrap_up", size, "w")


@SIZES
def test_complaint_form(
    snap_compare: Compare, desks: Desks, size: tuple[int, int]
) -> None:
    assert shot(snap_compare, desks, "talking", size, "c")


@SIZES
def test_help(snap_compare: Compare, desks: Desks, size: tuple[int, int]) -> None:
    assert shot(snap_compare, desks, "available", size, "question_mark")


def test_the_readme_shows_the_current_ringing_screen_at_80x24() -> None:
    """``docs/console.svg`` is a copy of the 80x24 ringing snapshot: update both."""
    snapshots = Path(__file__).parent / "__snapshots__" / "test_snapshots"
    ringing = "test_ringing_with_the_screen_pop_of_a_caller_with_an_urgent_complaint"
    shown = Path(__file__).parents[2] / "docs" / "console.svg"
    assert shown.read_bytes() == (snapshots / f"{ringing}[80x24].svg").read_bytes()
