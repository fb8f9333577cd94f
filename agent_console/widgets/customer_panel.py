"""The screen pop: customer card, alerts, complaints, last calls, satisfaction.

Every part has a height that does not depend on what it shows (fixed lines, or a
share of the panel), so painting a pop repaints these widgets and nothing else:
no layout of the screen, which used to be half the pop's frame.
"""

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.markup import escape
from textual.widgets import Static

from agent_console.model import (
    DeskState,
    alerts,
    complaint_rows,
    interaction_rows,
)
from agent_console.widgets.paint import set_text
from agent_console.widgets.text_table import text_table

TIER_BADGES = {"vip": "★ VIP", "key": "◆ KEY", "ordinary": "ordinary"}
COMPLAINT_HEADERS = ("#", "Severity", "Status", "Deadline", "Age", "Category")
INTERACTION_HEADERS = ("When", "Queue", "Outcome", "Disposition", "CSAT")
DEADLINE = COMPLAINT_HEADERS.index("Deadline")


class CustomerPanel(Vertical):
    """Everything about the caller, painted the moment the phone rings."""

    def compose(self) -> ComposeResult:
        """Lay out card, alerts and the two tables."""
        yield Static("Waiting for a call.", id="card")
        yield Static("", id="alerts")
        yield Static("", id="complaints")
        yield Static("", id="interactions")

    _record: dict[str, Any] | None = None
    _key: tuple[object, ...] = ()
    _shown: tuple[DeskState, float] | None = None

    def show(self, desk: DeskState, now: float) -> None:
        """Paint the caller of ``desk``'s call (or clear the panel).

        Every event repaints the console; the card and its tables are rebuilt only
        when the record or the chosen customer changed (or a minute went by, for
        the ages), which keeps the ringing phone's events from delaying the pop.
        """
        record = desk.record()
        complaints = self.query_one("#complaints", Static)
        interactions = self.query_one("#interactions", Static)
        heights = (complaints.content_size.height, interactions.content_size.height)
        key = (desk.call is None, desk.chosen, int(now // 60), heights)
        if record is self._record and key == self._key:
            return
        self._record, self._key, self._shown = record, key, (desk, now)
        card = desk.customer()
        set_text(self.query_one("#card", Static), _card_text(desk, record, card))
        warnings = alerts(record, card) if record else []
        alert = self.query_one("#alerts", Static)
        set_text(alert, "  ".join(f"⚠ {w}" for w in warnings))
        alert.set_class(bool(warnings), "alerting")
        if card is None:
            set_text(complaints, "")
            set_text(interactions, "")
            return
        rows = complaint_rows(card, now)
        set_text(complaints, text_table(COMPLAINT_HEADERS, rows, limit=heights[0],
                 more=" (v to pick one)", style=_overdue_in_red))  # fmt: skip
        rows = interaction_rows(card, now)
        set_text(interactions, text_table(INTERACTION_HEADERS, rows, limit=heights[1]))

    def on_resize(self, _event: Resize) -> None:
        """Fit the tables to their new height (more rows, or fewer)."""
        if self._shown is not None:
            self._key = ()
            self.show(*self._shown)


def _overdue_in_red(column: int, cell: str) -> str:
    if column == DEADLINE and cell.startswith("OVERDUE"):
        return f"[b red]{cell}[/]"
    return cell


def _card_text(
    desk: DeskState, record: dict[str, Any], card: dict[str, Any] | None
) -> str:
    if not record:
        return (
            "Waiting for a call." if desk.call is None else "Looking up the caller..."
        )
    if card is None:
        unknown = [
            f"[b]Unknown caller[/] {escape(str(record.get('number', '')))}",
            "Press [b]n[/] to create a customer from the number.",
        ]
        if record.get("reference") or record.get("account"):
            unknown.insert(1, _keyed_line(record, {}))
        return "\n".join(unknown)
    manager = card.get("account_manager_name") or card.get("account_manager") or "-"
    stages = f"loyalty {card['loyalty_stage']} · lifecycle {card['lifecycle_stage']}"
    if card.get("account_number"):  # first: the line may be cut at 80 columns
        stages = f"account {card['account_number']} · {stages}"
    lines = [
        _head(record, card),
        _keyed_line(record, card),
        escape(stages),
        escape(f"language {card['language']} · manager {manager}"),
        escape(
            f"satisfaction {card.get('satisfaction_trend', 'unknown')} · calls 24h "
            f"{card.get('calls_last_24h', 0)} / 7d {card.get('calls_last_7d', 0)}"
        ),
    ]
    if card.get("notes"):
        lines.append(escape(f"notes: {card['notes']}"))
    shared = len(desk.matches())
    if shared > 1:
        lines.append(
            f"[b yellow]{shared} customers share this number[/]: press [b]m[/] to pick"
        )
    return "\n".join(line for line in lines if line)


_KEYED = frozenset({"booking", "account"})
"""What a caller may be identified by besides their number (``identified_by``)."""


def _head(record: dict[str, Any], card: dict[str, Any]) -> str:
    """Name, tier badge and customer id, and "confirm name" when keyed digits did.

    A booking reference or an account number found the customer: they say who the
    caller may be, not who is speaking.
    """
    badge = TIER_BADGES.get(card["tier"], card["tier"])
    name = f"[b]{escape(card['name'])}[/]"
    head = f"{name}  [reverse] {escape(badge)} [/]  #{card['customer_id']}"
    if record.get("identified_by") in _KEYED:
        head += "  [b yellow]confirm name[/]"
    return head


def _keyed_line(record: dict[str, Any], card: dict[str, Any]) -> str:
    """The booking keyed, or keyed digits that found nobody, else the next booking.

    Nothing when there is none of these. An account number that found its holder
    needs no line of its own: the card shows the holder's account number.
    """
    keyed, reference = record.get("booking"), record.get("reference")
    account = record.get("account")
    if keyed:
        return f"[b]booking[/] {escape(_booking_text(keyed))}"
    if reference:
        return f"[b]booking {escape(str(reference))} not found[/]"
    if account and record.get("identified_by") != "account":
        return f"[b]account {escape(str(account))} not found[/]"
    upcoming = card.get("bookings") or []
    if not upcoming:
        return ""
    more = f" (+{len(upcoming) - 1} more)" if len(upcoming) > 1 else ""
    return f"next booking {escape(_booking_text(upcoming[0]))}{more}"


def _booking_text(booking: dict[str, Any]) -> str:
    """Reference, dates, status, then the place: what fits 80 columns comes first."""
    starts, ends = str(booking.get("starts_on", "")), str(booking.get("ends_on", ""))
    return (f"{booking.get('reference', '')} {starts[5:]}→{ends[5:]} "
            f"{booking.get('status', '')} · {booking.get('place', '')}")  # fmt: skip
