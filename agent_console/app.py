"""The agent console: a keyboard-first Textual app over a ``ConsoleBackend``.

Attributes down, messages up: the backend worker posts ``BackendMessage``; the app
keeps one ``DeskState`` and repaints the widgets from it. Commands are queued on the
backend (refused while the link is down) and answered by replies.
"""

import gc
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer

from agent_console import actions
from agent_console.backend import ConsoleBackend, LinkDown, LinkUp, Reply, ServerEvent
from agent_console.messages import BackendMessage
from agent_console.model import DeskState
from agent_console.widgets.call_panel import CallPanel
from agent_console.widgets.customer_panel import CustomerPanel
from agent_console.widgets.queue_board import QueueBoard
from agent_console.widgets.status_bar import LinkBanner, StatusBar

if TYPE_CHECKING:
    from textual.timer import Timer

Then = Callable[[dict[str, Any]], None]

POP_HOLD = 0.1
"""Seconds a ringing call's paint waits for its screen pop (the pop comes within a
few milliseconds): one frame shows both, instead of a ringing frame that the
pop's frame must then wait behind (Textual paints at most one frame per 1/60 s)."""


RESYNC_SECONDS = 30.0
"""How often the console asks for the whole ``status`` besides the events."""


class AgentConsoleApp(actions.ConsoleActions, App[None]):
    """State control, screen pop, call control, wrap-up and complaints."""

    CSS_PATH = "app.tcss"
    TITLE = "callcenter agent console"
    BINDINGS = [
        Binding("l", "login", "Log in"), Binding("o", "logout", "Log out"),
        Binding("r", "ready", "Ready"), Binding("p", "pause", "Not ready"),
        Binding("a", "answer", "Answer"), Binding("h", "hold", "Hold/Resume"),
        Binding("t", "transfer", "Transfer"), Binding("x", "hangup", "Hang up"),
        Binding("w", "wrapup", "Wrap-up"), Binding("n", "new_customer", "New customer"),
        Binding("m", "pick_customer", "Pick customer"),
        Binding("c", "complaint", "Complaint"),
        Binding("v", "view_complaint", "View complaint"),
        Binding("d", "toggle_theme", "Theme"), Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit", show=False),
    ]  # fmt: skip

    def __init__(
        self,
        backend: ConsoleBackend,
        *,
        pin: str | None = None,
        theme: str = "dark",
        clock: Callable[[], float] = time.time,
        on_pop_painted: Callable[[str], None] | None = None,
    ) -> None:
        """Drive ``backend``; log in with ``pin`` when given."""
        super().__init__()
        self.backend = backend
        self.desk = DeskState(agent_id=backend.agent_id)
        self._pin = pin
        self._started = False
        self._clock = clock
        self._skew = 0.0
        self._pending: dict[str, Then | None] = {}
        self._on_pop_painted = on_pop_painted
        self._popped: str | None = None
        self._hold: Timer | None = None
        self.theme = "textual-light" if theme == "light" else "textual-dark"

    def compose(self) -> ComposeResult:
        """Status bar, link banner, pop and call side by side, key footer."""
        yield StatusBar()
        yield LinkBanner("", id="banner")
        with Horizontal(id="body"):
            yield CustomerPanel()
            with Vertical(id="side"):
                yield CallPanel()
                yield QueueBoard()
        yield Footer()

    def on_mount(self) -> None:
        """Start the backend worker, the clock and the resync.

        Queue figures come as ``QueueStatsUpdated`` events when they change; the
        ``status`` every ``RESYNC_SECONDS`` is a safety net, so that nothing missed
        (a message lost with a link) stays on screen for long.

        Once the first frame is up, everything built so far leaves the garbage
        collector's view (``gc.freeze``): a full collection then no longer walks
        Textual's widget tree, which otherwise delayed an occasional pop by 100 ms.
        """
        self._pump()
        self.set_interval(1.0, self._tick)
        self.set_interval(RESYNC_SECONDS, self._poll)
        self.repaint()
        self.call_after_refresh(gc.freeze)

    @work(exclusive=True, group="backend")
    async def _pump(self) -> None:
        async for item in self.backend.events():
            self.post_message(BackendMessage(item))

    def now(self) -> float:
        """Return the server's time, as estimated from the last status."""
        return self._clock() + self._skew

    # --- the backend --------------------------------------------------------------

    @on(BackendMessage)
    def _on_backend(self, message: BackendMessage) -> None:
        match message.item:
            case LinkUp():
                self.query_one(LinkBanner).link(up=True)
                self.send("status")
                if not self._started:
                    # Starting the console for an agent logs them in, taking the
                    # agent over from the simulation if it was playing them. A
                    # reconnect only resyncs: an agent who logged out stays out.
                    self._started = True
                    args = {} if self._pin is None else {"pin": self._pin}
                    self.send("login", args, then=self._after_state)
            case LinkDown(reason=reason):
                self.query_one(LinkBanner).link(up=False, reason=reason)
            case ServerEvent(payload=payload):
                self.apply_event(payload)
            case Reply():
                self._on_reply(message.item)

    def send(self, command: str, args: dict[str, Any] | None = None,
             *, then: Then | None = None) -> bool:  # fmt: skip
        """Queue a command; tell the agent at once when the link is down."""
        if not self.backend.connected:
            self.notify(f"Not connected: '{command}' refused", severity="error")
            return False
        self._pending[self.backend.send(command, args)] = then
        return True

    def _on_reply(self, reply: Reply) -> None:
        then = self._pending.pop(reply.request_id, None)
        body = reply.body
        if not body.get("ok", True):
            if reply.command == "login" and body.get("code") == "pin_required":
                self.action_login()  # started without --pin: ask for it
                return
            message = body.get("message") or body.get("error", "failed")
            self.notify(f"{reply.command}: {message}", severity="error")
            return
        if reply.command == "status":
            self._skew = float(body.get("now", self._clock())) - self._clock()
            self.desk.apply_status(body)
            self.repaint()
        if then is not None:
            then(body)

    def _after_state(self, _body: dict[str, Any]) -> None:
        self.send("status")

    def apply_event(self, payload: dict[str, Any]) -> None:
        """Update the desk from one server event and repaint."""
        kind, at = payload.get("type"), float(payload.get("at", 0.0))
        call_id = payload.get("call_id")
        desk = self.desk
        if payload.get("agent_id", desk.agent_id) != desk.agent_id:
            return  # another agent's part of this call (after a transfer)
        if kind == "AgentStateChanged":
            desk.state, desk.reason, desk.since = (
                payload["state"],
                payload.get("reason", ""),
                at,
            )
        elif kind == "ScreenPopReady":
            self._pop(payload, at)
            return
        elif kind == "QueueStatsUpdated":
            if desk.apply_queue_stats(payload):
                self.query_one(QueueBoard).show(desk, self.now())
            return
        elif kind in _CALL_STATES and call_id is not None:
            if desk.call is None or desk.call.get("call_id") != call_id:
                desk.call, desk.chosen = {"call_id": call_id, "record": {}}, 0
            desk.call.update(state=_CALL_STATES[kind], since=at)
            desk.call.setdefault("queue", payload.get("queue", ""))
        elif kind == "AgentNoAnswer" and (desk.call or {}).get("call_id") == call_id:
            desk.call = None
        self._repaint_unless_pop_due()

    def _repaint_unless_pop_due(self) -> None:
        """Repaint now, or hold while a ringing call's screen pop is on its way."""
        call = self.desk.call
        if (
            call is not None
            and call.get("state") in {"offered", "ringing"}
            and call.get("call_id") != self._popped
        ):
            if self._hold is None:
                self._hold = self.set_timer(POP_HOLD, self._hold_over)
            return
        self._release()

    def _hold_over(self) -> None:
        """No pop in time (a slow or absent CRM): paint the ringing call without it."""
        self._hold = None
        self.repaint()

    def _release(self) -> None:
        """End the hold (if any) and repaint."""
        if self._hold is not None:
            self._hold.stop()
            self._hold = None
        self.repaint()

    def _pop(self, payload: dict[str, Any], at: float) -> None:
        desk = self.desk
        call_id = payload["call_id"]
        if desk.call is None or desk.call.get("call_id") != call_id:
            desk.call, desk.chosen = (
                {"call_id": call_id, "state": "ringing", "since": at},
                0,
            )
        desk.call.update(record=payload.get("record") or {},
                         caller_number=payload.get("caller_number", ""))  # fmt: skip
        self._popped = call_id
        self._release()
        if self._on_pop_painted is not None:
            callback = self._on_pop_painted
            self.call_after_refresh(callback, call_id)

    # --- painting ---------------------------------------------------------------

    def repaint(self) -> None:
        """Paint every widget from the desk (not once the app is shutting down).

        A clock tick or a server event can come while Textual is removing the
        widgets at exit; painting then would raise ``NoMatches``.
        """
        if not self.is_running:
            return
        now = self.now()
        self.query_one(StatusBar).show(self.desk, now)
        self.query_one(CustomerPanel).show(self.desk, now)
        self.query_one(CallPanel).show(self.desk, now)
        self.query_one(QueueBoard).show(self.desk, now)

    def _tick(self) -> None:
        if self._hold is not None or not self.is_running:
            return  # the pop's frame paints the clocks too; or we are leaving
        now = self.now()
        self.query_one(StatusBar).show(self.desk, now)
        self.query_one(CallPanel).show(self.desk, now)
        self.query_one(QueueBoard).show(self.desk, now)

    def _poll(self) -> None:
        if self.backend.connected:
            self.send("status")

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        action = (event.button.id or "").removeprefix("btn-")
        if action in {"hold", "resume"}:
            action = "hold"
        self.run_worker(self.run_action(action), exclusive=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Offer every key's action in the command palette, by name."""
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.show:
                yield SystemCommand(binding.description, f"key {binding.key}",
                                    _runner(self, binding.action))  # fmt: skip


_CALL_STATES = {
    "CallOfferedToAgent": "offered", "AgentRinging": "ringing",
    "CallAnswered": "talking", "AgentLegEnded": "ended", "CallEnded": "ended",
}  # fmt: skip


def _runner(app: App[None], action: str) -> Callable[[], Any]:
    async def run() -> None:
        await app.run_action(action)

    return run
