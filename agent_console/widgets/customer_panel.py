"""The screen pop: customer card, alerts, complaints, last calls, satisfaction."""

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

TIER_BADGES = {"vip": "★ VIP", "key": "◆ KEY", "ordinary": "ordinary"}


class CustomerPanel(VerticalScroll):
    """Everything about the caller, painted the moment the phone rings."""

    def compose(self) -> ComposeResult:
        """Lay out card, alerts and the two tables."""
        yield Static("Waiting for a call.", id="card")
        yield Static("", id="alerts")
        complaints: DataTable[str] = DataTable(id="complaints", cursor_type="row")
        complaints.add_columns("#", "Severity", "Status", "Deadline", "Age", "Category")
        yield complaints
        interactions: DataTable[str] = DataTable(id="interactions", cursor_type="none")
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
        self.query_one("#card", Static).update(_card_text(desk, record, card))
        warnings = alerts(record, card) if record else []
        alert = self.query_one("#alerts", Static)
        alert.update("  ".join(f"⚠ {w}" for w in warnings))
        alert.display = bool(warnings)
        complaints = self.query_one("#complaints", DataTable)
        complaints.clear()
        interactions = self.query_one("#interactions", DataTable)
        interactions.clear()
        if card is None:
            return
        for row in complaint_rows(card, now):
            cells = list(row)
            if cells[3].startswith("OVERDUE"):
                cells[3] = f"[b red]{cells[3]}[/]"
            complaints.add_row(*cells, key=row[0])
        for row in interaction_rows(card, now):
            interactions.add_row(*row)


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
