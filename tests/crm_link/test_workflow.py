"""The complaint workflow table: every legal move, every illegal one, deadlines."""

import itertools

import pytest

from crm_link import workflow
from crm_link.enums import ComplaintState, Severity
from crm_link.errors import CrmError, IllegalTransitionError
from crm_link.workflow import (
    TRANSITIONS,
    ComplaintOverdue,
    DeadlineView,
    OverdueWatcher,
    transition,
)

S = ComplaintState
LEGAL = sorted(TRANSITIONS, key=lambda pair: (pair[0].value, pair[1].value))
ILLEGAL = [
    pair
    for pair in itertools.product(ComplaintState, repeat=2)
    if pair not in TRANSITIONS
]


def test_the_main_path_runs_from_received_to_closed() -> None:
    path = [S.RECEIVED, S.RECORDED, S.ANALYSING, S.SOLUTION_PROPOSED,
            S.IN_PROGRESS, S.FOLLOW_UP, S.CLOSED]  # fmt: skip
    for source, target in itertools.pairwise(path):
        assert (source, target) in TRANSITIONS


def test_reopen_goes_back_to_recorded() -> None:
    assert workflow.allowed_targets(S.CLOSED) == (S.RECORDED,)
    assert workflow.is_reopen(S.CLOSED, S.RECORDED)
    assert TRANSITIONS[S.CLOSED, S.RECORDED] == "reopen"


@pytest.mark.parametrize(("source", "target"), LEGAL)
def test_every_legal_transition_is_accepted_and_recorded(
    source: ComplaintState, target: ComplaintState
) -> None:
    step = transition(source, target, who="1003", at=100.0, comment="why")
    assert (step.from_state, step.to_state) == (source, target)
    assert (step.who, step.at, step.comment) == ("1003", 100.0, "why")
    assert step.step == TRANSITIONS[source, target]


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_every_illegal_transition_is_refused_naming_the_allowed_ones(
    source: ComplaintState, target: ComplaintState
) -> None:
    with pytest.raises(IllegalTransitionError) as caught:
        transition(source, target, who="1003", at=0.0)
    message = str(caught.value)
    assert f"from {source.value} to {target.value}" in message
    for allowed in workflow.allowed_targets(source):
        assert allowed.value in message
    assert isinstance(caught.value, CrmError)


def test_of_the_49_pairs_of_states_9_are_legal() -> None:
    assert len(LEGAL) == 9
    assert len(ILLEGAL) == 49 - 9


def test_a_step_needs_someone_to_have_made_it() -> None:
    with pytest.raises(IllegalTransitionError, match="who"):
        transition(S.RECEIVED, S.RECORDED, who=" ", at=0.0)
    with pytest.raises(IllegalTransitionError, match="who"):
        workflow.opening(who="", at=0.0)


def test_opening_starts_in_received() -> None:
    first = workflow.opening(who="1001", at=5.0)
    assert (first.from_state, first.to_state, first.step) == (
        None,
        S.RECEIVED,
        "receive",
    )


@pytest.mark.parametrize("state", list(ComplaintState))
def test_overdue_only_while_open_and_past_the_deadline(state: ComplaintState) -> None:
    assert workflow.is_overdue(state, 100.0, 100.0) is (state is not S.CLOSED)
    assert workflow.is_overdue(state, 100.0, 99.9) is False


def _view(
    cid: int, deadline: float, state: ComplaintState = S.ANALYSING
) -> DeadlineView:
    return DeadlineView(
        complaint_id=cid, customer_id=7, severity=Severity.URGENT, state=state,
        deadline_at=deadline,
    )  # fmt: skip


def test_the_watcher_reports_each_complaint_once_when_it_becomes_overdue() -> None:
    watcher = OverdueWatcher()
    views = [_view(1, 100.0), _view(2, 200.0)]
    assert watcher.check(views, now=50.0) == []
    first = watcher.check(views, now=100.0)
    assert first == [
        ComplaintOverdue(at=100.0, complaint_id=1, customer_id=7,
                         severity=Severity.URGENT, state=S.ANALYSING, deadline_at=100.0)
    ]  # fmt: skip
    assert watcher.check(views, now=150.0) == []
    assert [o.complaint_id for o in watcher.check(views, now=250.0)] == [2]
    assert watcher.check(views, now=10_000.0) == []


def test_the_watcher_reports_again_after_a_reopen_sets_a_new_deadline() -> None:
    watcher = OverdueWatcher()
    assert len(watcher.check([_view(1, 100.0)], now=101.0)) == 1
    assert watcher.check([], now=102.0) == []  # closed: forgotten
    reopened = [_view(1, 500.0, S.RECORDED)]
    assert watcher.check(reopened, now=400.0) == []
    assert [o.deadline_at for o in watcher.check(reopened, now=501.0)] == [500.0]
