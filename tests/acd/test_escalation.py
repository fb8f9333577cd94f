"""Overflow, callbacks, closed and full queues, tiers: what time and choice do."""

from datetime import date

from acd.actions import (
    OfferCallback,
    Overflow,
    QueueClosed,
    QueueEmpty,
    QueueFull,
    SendToVoicemail,
)
from acd.calendar import BusinessHours
from acd.config import OverflowAction, OverflowRule
from acd.inputs import LogOut, RequestCallback, WithdrawCall
from callcenter.domain.commands import OriginateCallback
from callcenter.domain.events import (
    AcdCallFinished,
    CallOutcome,
    CallQueued,
    OriginateFinished,
)
from callcenter.domain.ids import AgentId, CallId, QueueName
from tests.acd.harness import SALES, Harness, agent, queue


def finals(h: Harness) -> dict[str, tuple[CallOutcome, str]]:
    return {f.call_id: (f.outcome, f.reason) for f in h.of_type(AcdCallFinished)}


def test_overflow_to_another_queue_after_the_configured_wait() -> None:
    rule = OverflowRule(after=60.0, action=OverflowAction.QUEUE, destination="backup")
    h = Harness(
        [queue("sales", overflow=(rule,)), queue("backup")],
        [agent("seller", {"sales": 0}), agent("helper", {"backup": 0})],
    )
    h.enqueue("busy")
    h.answer("busy")
    h.enqueue("c1")
    h.advance(59)
    assert h.ringing_agent("c1") is None
    out = h.advance(1)
    assert (
        Overflow(call_id=CallId("c1"), queue=SALES, destination="backup", internal=True)
        in out
    )
    assert h.ringing_agent("c1") == "helper"
    assert h.engine.queue_report(SALES, h.now).today.overflowed == 1


def test_overflow_keeps_the_callers_age_in_the_new_queue() -> None:
    rule = OverflowRule(after=60.0, action=OverflowAction.QUEUE, destination="backup")
    h = Harness(
        [queue("sales", overflow=(rule,)), queue("backup")],
        [agent("seller", {"sales": 0}), agent("helper", {"backup": 0})],
    )
    h.enqueue("busy-s", "sales")
    h.answer("busy-s")
    h.enqueue("busy-b", "backup")
    h.answer("busy-b")
    h.enqueue("c1", "sales")
    h.advance(30)
    h.enqueue("b1", "backup")
    h.advance(30)  # c1 moves to backup: older than b1, it goes first
    assert h.engine.position(CallId("c1")) == 1
    assert h.engine.position(CallId("b1")) == 2


def test_escalation_steps_widen_skills_then_voicemail() -> None:
    rules = (
        OverflowRule(after=30.0, action=OverflowAction.WIDEN_SKILLS),
        OverflowRule(after=60.0, action=OverflowAction.CALLBACK),
        OverflowRule(after=120.0, action=OverflowAction.VOICEMAIL),
    )
    h = Harness([queue(overflow=rules)], [agent("generalist")])
    h.enqueue("busy")
    h.answer("busy")
    h.enqueue("french", skills={"fr": 2})
    h.enqueue("german", skills={"de": 1})
    h.hang_up("busy")
    h.advance(10)  # wrap-up over: nobody has the skills yet
    assert h.ringing_agent("french") is None
    h.advance(20)
    assert h.ringing_agent("french") == "generalist"
    h.answer("french")
    out = h.advance(30)
    assert OfferCallback(call_id=CallId("german"), queue=SALES) in out
    out = h.advance(60)
    assert SendToVoicemail(call_id=CallId("german"), queue=SALES) in out
    assert finals(h)["german"] == (CallOutcome.VOICEMAIL, "overflow")


def test_a_callback_keeps_the_callers_place() -> None:
    h = Harness([queue(wrap_up=0)], [agent("a1")])
    h.enqueue("busy")
    h.answer("busy")
    h.enqueue("first")
    h.enqueue("second")
    h.do(RequestCallback(call_id=CallId("first"), number="+33100"))
    h.hang_up("first")  # the caller leaves the line: not an abandon
    assert h.engine.position(CallId("first")) == 1
    out = h.hang_up("busy")
    assert (
        OriginateCallback(
            call_id=CallId("first"),
            number="+33100",
            agent_id=AgentId("a1"),
            endpoint="sim/a1",
        )
        in out
    )
    h.do(OriginateFinished(at=h.now, call_id=CallId("first"), answered=True))
    assert finals(h)["first"] == (CallOutcome.CALLBACK, "")
    report = h.engine.queue_report(SALES, h.now).today
    assert (report.abandoned, report.callbacks) == (0, 1)


def test_a_failed_callback_is_retried_then_given_up() -> None:
    h = Harness([queue(callback_attempts=2, callback_retry_delay=60.0)], [agent("a1")])
    h.enqueue("busy")
    h.answer("busy")
    h.enqueue("cb")
    h.do(RequestCallback(call_id=CallId("cb"), number="+33100"))
    h.hang_up("busy")
    h.advance(10)
    h.do(
        OriginateFinished(at=h.now, call_id=CallId("cb"), answered=False, reason="busy")
    )
    assert h.engine.agent_state(AgentId("a1")) == "available"
    h.advance(60)
    assert len(h.of_type(OriginateCallback)) == 2
    h.do(
        OriginateFinished(at=h.now, call_id=CallId("cb"), answered=False, reason="busy")
    )
    assert finals(h)["cb"] == (CallOutcome.FAILED, "callback-busy")


def test_a_closed_queue_turns_callers_away() -> None:
    hours = BusinessHours.office(
        "Europe/Paris", "09:00", "18:00", holidays=[date(2026, 1, 6)]
    )
    h = Harness([queue(hours=hours, closed_destination="closed-msg")], [agent("a1")])
    out = h.enqueue("early")  # Monday 08:00 UTC = 09:00 Paris: open
    assert any(isinstance(o, CallQueued) for o in out)
    h.advance(24 * 3600)  # Tuesday, a holiday
    out = h.enqueue("holiday")
    assert (
        QueueClosed(call_id=CallId("holiday"), queue=SALES, destination="closed-msg")
        in out
    )
    assert finals(h)["holiday"] == (CallOutcome.OVERFLOWED, "closed")


def test_full_and_empty_queues() -> None:
    h = Harness(
        [queue(max_waiting=1, join_when_empty=False)], [agent("a1")], login=False
    )
    assert QueueEmpty(call_id=CallId("c0"), queue=SALES) in h.enqueue("c0")
    h = Harness([queue(max_waiting=1)], [agent("a1")], login=False)
    h.enqueue("c1")
    assert QueueFull(call_id=CallId("c2"), queue=SALES) in h.enqueue("c2")


def test_leave_when_empty_withdraws_waiting_callers() -> None:
    h = Harness(
        [queue(leave_when_empty=True), queue("other")], [agent("a1", {"sales": 0})]
    )
    h.enqueue("busy")
    h.answer("busy")
    h.enqueue("c1")
    h.do(LogOut(agent_id=AgentId("a1")))  # deferred: still staffed
    assert h.engine.position(CallId("c1")) == 1
    h.hang_up("busy")
    h.advance(10)  # the logout applies after wrap-up
    assert finals(h)["c1"] == (CallOutcome.OVERFLOWED, "empty")


def test_withdraw_for_voicemail() -> None:
    h = Harness([queue()], [agent("a1")], login=False)
    h.enqueue("c1")
    h.do(WithdrawCall(call_id=CallId("c1"), reason="voicemail"))
    assert finals(h)["c1"] == (CallOutcome.VOICEMAIL, "voicemail")
    assert h.engine.queue_stats(SALES, h.now).waiting == 0


def test_penalty_tiers_open_after_the_tier_wait() -> None:
    h = Harness(
        [queue(tier_wait=20.0)],
        [agent("core", {"sales": 0}), agent("backup", {"sales": 1})],
    )
    h.enqueue("busy")
    assert h.ringing_agent("busy") == "core"  # lowest penalty first
    h.answer("busy")
    h.enqueue("c1")
    h.advance(19)
    assert h.ringing_agent("c1") is None
    h.advance(1)
    assert h.ringing_agent("c1") == "backup"


def test_without_tier_wait_higher_penalties_serve_only_when_lower_are_busy() -> None:
    h = Harness([queue()], [agent("backup", {"sales": 5}), agent("core", {"sales": 0})])
    h.enqueue("c1")
    h.enqueue("c2")
    assert (h.ringing_agent("c1"), h.ringing_agent("c2")) == ("core", "backup")


def test_queue_stats_snapshot() -> None:
    h = Harness([queue(), queue("other")], [agent("a1"), agent("a2", {"other": 0})])
    h.enqueue("c1")
    h.answer("c1")
    h.enqueue("c2")
    h.advance(12)
    stats = h.engine.queue_stats(QueueName("sales"), h.now)
    assert (stats.waiting, stats.longest_wait, stats.offered, stats.answered) == (
        1,
        12,
        2,
        1,
    )
    assert (stats.agents_available, stats.agents_busy, stats.agents_logged_in) == (
        0,
        1,
        1,
    )
    waiting = h.engine.waiting_calls(SALES, h.now)
    assert [(w.call_id, w.position) for w in waiting] == [("c2", 1)]
