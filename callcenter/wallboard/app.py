"""The terminal wallboard (``callcenter wallboard``): the live view in Textual.

Attributes down, messages up: one ``@work`` worker reads the ``LiveSource`` and posts
``FrameReceived``; the handler merges it into the ``BoardModel`` and redraws. A
one-second timer ticks longest waits and times in state locally, as the page does.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from callcenter.wallboard.model import BoardModel, clock_text, percent
from callcenter.wallboard.source import LiveSource

_STYLE = {"ok": "", "amber": "bold yellow", "red": "bold red"}
_STATE_STYLE = {
    "available": "green",
    "on_call": "cyan",
    "ringing": "cyan",
    "wrap_up": "magenta",
    "paused": "yellow",
    "logged_out": "dim",
}


class WallboardApp(App[None]):
    """Queues, complaints, alerts and agents, live."""

    CSS_PATH = "app.tcss"
    TITLE = "Call center wallboard"
    BINDINGS: ClassVar = [("q", "quit", "Quit")]

    @dataclass
    class FrameReceived(Message):
        """A frame arrived from the server."""

        frame: dict[str, Any]

    def __init__(
        self, source: LiveSource, *, clock: Callable[[], float] = time.time
    ) -> None:
        """Show what ``source`` streams; ``clock`` ticks the waits (tests freeze it)."""
        super().__init__()
        self.source = source
        self.board = BoardModel()
        self.clock = clock
        self.offset = 0.0

    def compose(self) -> ComposeResult:
        """Lay out the screen."""
        yield Header()
        yield Static("connecting…", id="status")
        yield DataTable(id="queues", zebra_stripes=True, cursor_type="none")
        with Horizontal(id="middle"):
            yield Static(id="complaints")
            yield Static(id="alerts")
        yield DataTable(id="agents", zebra_stripes=True, cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        """Set up the tables and start the back-end worker and the ticker."""
        self.query_one("#queues", DataTable).add_columns(
            "Queue", "Waiting", "Longest", "SL today", "SL 15m", "ASA", "AHT",
            "Abandon", "Offered", "Agents",
        )  # fmt: skip
        self.query_one("#agents", DataTable).add_columns(
            "Agent", "State", "In state", "Calls", "Caller", "Queues"
        )
        self.follow()
        self.set_interval(1.0, self.redraw)

    @work(exclusive=True, group="backend")
    async def follow(self) -> None:
        """Read the source and post every frame (the only back-end traffic)."""
        async for frame in self.source.frames():
            self.post_message(self.FrameReceived(frame))

    @on(FrameReceived)
    def merge(self, message: FrameReceived) -> None:
        """Merge a frame and redraw."""
        frame = message.frame
        status = self.query_one("#status", Static)
        if frame.get("type") == "status":
            connected = bool(frame.get("connected"))
            status.set_class(not connected, "down")
            status.update(
                "live" if connected else f"reconnecting… {frame.get('reason', '')}"
            )
            return
        self.board.apply(frame)
        self.offset = self.board.at - self.clock()
        status.remove_class("down")
        status.update(f"live · version {self.board.version}")
        self.redraw()

    def now(self) -> float:
        """Return the server's time, as estimated from the last frame."""
        return self.clock() + self.offset

    def redraw(self) -> None:
        """Redraw every panel from the model."""
        self._queues()
        self._agents()
        self._side()

    def _queues(self) -> None:
        table = self.query_one("#queues", DataTable)
        table.clear()
        limits, now = self.board.thresholds, self.now()
        for q in self.board.queues:
            levels = dict(q.get("levels", {}))
            wait = now - q["oldest_since"] if q.get("oldest_since") else 0.0
            if limits:
                levels["longest_wait"] = _above(wait, limits["longest_wait_amber"],
                                                limits["longest_wait_red"])  # fmt: skip
            agents = ", ".join(f"{n} {s}" for s, n in q.get("agents", {}).items())
            table.add_row(
                Text(q["name"], style="bold"),
                Text(str(q["waiting"]), style=_STYLE[levels.get("waiting", "ok")]),
                Text(clock_text(wait), style=_STYLE[levels.get("longest_wait", "ok")]),
                _styled(percent(q.get("sl_today")), levels, "service_level"),
                percent(q.get("sl_15min")),
                _seconds(q.get("asa")),
                _seconds(q.get("aht")),
                _styled(percent(q.get("abandon_rate")), levels, "abandon_rate"),
                f"{q['offered']}/{q['answered']}",
                agents or "-",
            )  # fmt: skip

    def _agents(self) -> None:
        table = self.query_one("#agents", DataTable)
        table.clear()
        now = self.now()
        for agent_id in sorted(self.board.agents):
            a = self.board.agents[agent_id]
            state = a["state"].replace("_", " ") + (
                f" ({a['reason']})" if a["reason"] else ""
            )
            caller = " ".join(p for p in (a.get("customer"), a.get("caller")) if p)
            table.add_row(
                f"{agent_id} {a['name']}",
                Text(state, style=_STATE_STYLE.get(a["state"], "")),
                clock_text(now - a["since"]),
                str(a["calls"]),
                caller,
                " ".join(a.get("queues", {})),
            )

    def _side(self) -> None:
        c = self.board.complaints
        lines = ["[b]Complaints[/b]   open  overdue"]
        for severity, count in c.get("open", {}).items():
            late = c.get("overdue", {}).get(severity, 0)
            style = "bold red" if late else ""
            lines.append(f"{severity:<12}{count:>5}  [{style}]{late:>7}[/]" if style
                         else f"{severity:<12}{count:>5}  {late:>7}")  # fmt: skip
        self.query_one("#complaints", Static).update("\n".join(lines))
        alerts = [
            f"[{_STYLE.get(a['level'], '') or 'green'}]{a['message']}[/]"
            for a in self.board.alerts[:4]
        ]
        self.query_one("#alerts", Static).update("\n".join(["[b]Alerts[/b]", *alerts]))


def _styled(text: str, levels: dict[str, str], key: str) -> Text:
    return Text(text, style=_STYLE[levels.get(key, "ok")])


def _above(value: float, amber: float, red: float) -> str:
    if value >= red:
        return "red"
    return "amber" if value >= amber else "ok"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} s"
