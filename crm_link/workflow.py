"""The complaint workflow: a table-driven state machine (pure: no I/O, no clock).

Theory of operation
-------------------
A complaint walks the handling steps of the service industry::

    received -> recorded -> analysing -> solution_proposed -> in_progress
             -> follow_up -> closed

Two steps may go back because real customers do: a proposed solution the customer
rejects returns to ``analysing``; a follow-up that finds the customer still unhappy
returns to ``in_progress``. A closed complaint may be **reopened to ``recorded``**:
when a closed case comes back, the earlier analysis has proved wrong, so the case is
re-recorded with the new facts and analysed again rather than jumping straight back
to carrying out a solution that failed. Reopening restarts the deadline clock.

``TRANSITIONS`` is the whole policy: ``(state, target) -> step name``. Anything not in
the table raises ``IllegalTransitionError`` naming the allowed targets. Every accepted
move yields a ``ComplaintTransition`` (who, when, comment) that the service stores as
the audit trail. ``OverdueWatcher`` turns deadline crossings into one report each.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from crm_link.enums import ComplaintState, Severity
from crm_link.errors import IllegalTransitionError

S = ComplaintState

TRANSITIONS: Mapping[tuple[ComplaintState, ComplaintState], str] = {
    (S.RECEIVED, S.RECORDED): "record",
    (S.RECORDED, S.ANALYSING): "analyse",
    (S.ANALYSING, S.SOLUTION_PROPOSED): "propose_solution",
    (S.SOLUTION_PROPOSED, S.ANALYSING): "solution_rejected",
    (S.SOLUTION_PROPOSED, S.IN_PROGRESS): "carry_out",
    (S.IN_PROGRESS, S.FOLLOW_UP): "follow_up",
    (S.FOLLOW_UP, S.IN_PROGRESS): "still_unsatisfied",
    (S.FOLLOW_UP, S.CLOSED): "close",
    (S.CLOSED, S.RECORDED): "reopen",
}
"""Every legal move of a complaint, named."""

INITIAL_STATE = S.RECEIVED
REOPEN_TARGET = S.RECORDED


def allowed_targets(state: ComplaintState) -> tuple[ComplaintState, ...]:
    """Return the states a complaint in ``state`` may move to, in workflow order."""
    return tuple(target for (source, target) in TRANSITIONS if source is state)


def is_open(state: ComplaintState) -> bool:
    """Return whether a complaint in ``state`` still needs handling."""
    return state is not S.CLOSED


def is_reopen(source: ComplaintState, target: ComplaintState) -> bool:
    """Return whether moving ``source`` to ``target`` reopens a closed complaint."""
    return source is S.CLOSED and target is REOPEN_TARGET


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintTransition:
    """One accepted step of a complaint: the audit-trail entry."""

    from_state: ComplaintState | None
    to_state: ComplaintState
    step: str
    who: str
    at: float
    comment: str = ""


def opening(*, who: str, at: float, comment: str = "") -> ComplaintTransition:
    """Return the first audit entry of a new complaint (``None -> received``)."""
    _require_who(who)
    return ComplaintTransition(
        from_state=None,
        to_state=INITIAL_STATE,
        step="receive",
        who=who,
        at=at,
        comment=comment,
    )


def transition(
    current: ComplaintState,
    target: ComplaintState,
    *,
    who: str,
    at: float,
    comment: str = "",
) -> ComplaintTransition:
    """Validate one move and return its audit entry.

    Raises:
        IllegalTransitionError: the table has no ``(current, target)`` entry, or
            nobody (empty ``who``) is named as the one making the move.
    """
    step = TRANSITIONS.get((current, target))
    if step is None:
        allowed = ", ".join(allowed_targets(current)) or "none"
        msg = (
            f"a complaint cannot move from {current.value} to {target.value}; "
            f"allowed from {current.value}: {allowed}"
        )
        raise IllegalTransitionError(msg)
    _require_who(who)
    return ComplaintTransition(
        from_state=current,
        to_state=target,
        step=step,
        who=who,
        at=at,
        comment=comment,
    )


def _require_who(who: str) -> None:
    if not who.strip():
        msg = "every complaint step needs who made it (agent id or user name)"
        raise IllegalTransitionError(msg)


# --- deadlines ---------------------------------------------------------------------


def is_overdue(state: ComplaintState, deadline_at: float, now: float) -> bool:
    """Return whether a complaint is past its deadline and still open."""
    return is_open(state) and now >= deadline_at


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadlineView:
    """What the watcher needs to know of one open complaint."""

    complaint_id: int
    customer_id: int
    severity: Severity
    state: ComplaintState
    deadline_at: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintOverdue:
    """A complaint just crossed its deadline; published once on the bus."""

    at: float
    complaint_id: int
    customer_id: int
    severity: Severity
    state: ComplaintState
    deadline_at: float


class OverdueWatcher:
    """Report each complaint exactly once when it becomes overdue.

    Feed it the open complaints (for example ``CrmService.overdue_complaints``) and
    the current time; it returns only the crossings it has not reported yet. A
    reopened complaint gets a new deadline and is reported again when it crosses
    that one. Complaints no longer passed in are forgotten, so memory stays bounded
    by the number of open complaints.
    """

    def __init__(self) -> None:
        self._reported: dict[int, float] = {}

    def check(
        self, open_complaints: Iterable[DeadlineView], now: float
    ) -> list[ComplaintOverdue]:
        """Return the complaints that became overdue since the last check."""
        seen: dict[int, float] = {}
        fresh: list[ComplaintOverdue] = []
        for view in open_complaints:
            if not is_overdue(view.state, view.deadline_at, now):
                continue
            seen[view.complaint_id] = view.deadline_at
            if self._reported.get(view.complaint_id) != view.deadline_at:
                fresh.append(_overdue(view, now))
        self._reported = seen
        return fresh


def _overdue(view: DeadlineView, now: float) -> ComplaintOverdue:
    return ComplaintOverdue(
        at=now,
        complaint_id=view.complaint_id,
        customer_id=view.customer_id,
        severity=view.severity,
        state=view.state,
        deadline_at=view.deadline_at,
    )
