"""The screen pop: customer card, alerts, complaints, last calls, satisfaction."""

from collections.abc import Iterable, Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from agent_console.model import (
    DeskState,
    alerts,
    complaint_rows,
    interaction_rows,
)
from agent_console.widgets.paint import set_text

TIER_BADGES = {"vip": "★ VIP", "key": "◆ KEY", "ordinary": "ordinary"}


class CardTable(DataTable[str]):
    """A table of the card, measured the moment it is filled.

    ``DataTable`` measures new rows on its next idle and only then asks for the
    layout that gives it its height; a frame painted in between shows the card
    without its rows, and the next frame comes a sixtieth of a second later or
    more. Filling measures at once, so the pop's first frame has the whole table.
    """

    def fill(self, rows: Iterable[Sequence[str]], *, keyed: bool = False) -> None:
        """Show ``rows`` instead of the current ones (keyed by their first cell)."""
        if self.row_count:
            self.clear()
        for row in rows:
            self.add_row(*row, key=row[0] if keyed else None)
        if self._new_rows or self._require_update_dimensions:
            new_rows = self._new_rows.copy()
            self._new_rows.clear()
            self._require_update_dimensions = False
            self._update_dimensions(new_rows)


class CustomerPanel(VerticalScroll):
    """Everything about the caller, painted the moment the phone rings."""

    def compose(self) -> ComposeResult:
        """Lay out card, alerts and the two tables."""
        yield Static("Waiting for a call.", id="card")
        yield Static("", id="alerts")
        complaints = CardTable(id="complaints", cursor_type="row")
        complaints.add_columns("#", "Severity", "Status", "Deadline", "Age", "Category")
        yield complaints
        interactions = CardTable(id="interactions", cursor_type="none")
        interactions.add_columns("When", "Queue", "Outcome", "Disposition", "CSAT")
        yield interactions

    _record: dict[str, Any] | None = None
    _key: tuple[bool, int, int] = (False, 0, 0)

    def show(self, desk: DeskState, now: float) -> None:
        """Paint the caller of ``desk``'s call (or clear the panel).

        Every event repaints the console; the card and its tables are rebuilt only
        when the record or the chosen customer changed (or a minute went by, for
        the ages), which keeps the ringing phone's events from delaying the pop.
        """
        record = desk.record()
        key = (desk.call is None, desk.chosen, int(now // 60))
        if record is self._record and key == self._key:
            return
        self._record, self._key = record, key
        card = desk.customer()
        set_text(self.query_one("#card", Static), _card_text(desk, record, card))
        warnings = alerts(record, card) if record else []
        alert = self.query_one("#alerts", Static)
        set_text(alert, "  ".join(f"⚠ {w}" for w in warnings))
        if alert.display != bool(warnings):
            alert.display = bool(warnings)
        complaints = self.query_one("#complaints", CardTable)
        interactions = self.query_one("#interactions", CardTable)
        if card is None:
            complaints.fill([])
            interactions.fill([])
            return
        complaints.fill((_overdue_in_red(row) for row in complaint_rows(card, now)),
                        keyed=True)  # fmt: skip
        interactions.fill(interaction_rows(card, now))


def _overdue_in_red(row: tuple[str, ...]) -> tuple[str, ...]:
    if row[3].startswith("OVERDUE"):
        return (*row[:3], f"[b red]{row[3]}[/]", *row[4:])
    return row


def _card_text(
    desk: DeskState, record: dict[str, Any], card: dict[str, Any] | None
) -> str:
    if not record:
        return (
            "Waiting for a call." if desk.call is None else "Looking up the caller..."
        )
    if card is None:
        return (
            f"[b]Unknown caller[/] {record.get('number', '')}\n"
            "Press [b]n[/] to create a customer from the number."
        )
    manager = card.get("account_manager_name") or card.get("account_manager") or "-"
    badge = TIER_BADGES.get(card["tier"], card["tier"])
    lines = [
        f"[b]{card['name']}[/]  [reverse] {badge} [/]  #{card['customer_id']}",
        (
            f"loyalty {card['loyalty_stage']} · lifecycle {card['lifecycle_stage']}"
            f" · language {card['language']} · manager {manager}"
        ),
        (
            f"satisfaction {card.get('satisfaction_trend', 'unknown')} · calls 24h "
            f"{card.get('calls_last_24h', 0)} / 7d {card.get('calls_last_7d', 0)}"
        ),
    ]
    if card.get("notes"):
        lines.append(f"notes: {card['notes']}")
    shared = len(desk.matches())
    if shared > 1:
        lines.append(
            f"[b yellow]{shared} customers share this number[/]: press [b]m[/] to pick"
        )
    return "\n".join(lines)
