"""The timeline runs due actions in time order; a newer keyed entry replaces the old."""

from callcenter.pbx.timeline import Timeline


def test_runs_in_time_order_up_to_now() -> None:
    timeline = Timeline()
    seen: list[float] = []
    for at in (3.0, 1.0, 2.0):
        timeline.schedule(at, seen.append)
    assert timeline.next_due() == 1.0
    assert timeline.run_due(2.0) == 2
    assert seen == [1.0, 2.0]
    assert timeline.next_due() == 3.0


def test_keyed_entry_replaces_the_previous_one() -> None:
    timeline = Timeline()
    seen: list[tuple[str, float]] = []
    timeline.schedule(1.0, lambda at: seen.append(("old", at)), key="media")
    timeline.schedule(5.0, lambda at: seen.append(("new", at)), key="media")
    assert timeline.next_due() == 5.0
    timeline.run_due(10.0)
    assert seen == [("new", 5.0)]


def test_cancel_forgets_an_entry() -> None:
    timeline = Timeline()
    seen: list[float] = []
    timeline.schedule(1.0, seen.append, key="k")
    timeline.cancel("k")
    assert timeline.next_due() is None
    assert timeline.run_due(2.0) == 0


def test_actions_may_schedule_more() -> None:
    timeline, seen = Timeline(), []

    def again(at: float) -> None:
        seen.append(at)
        if at < 3:
            timeline.schedule(at + 1, again)

    timeline.schedule(1.0, again)
    timeline.run_due(10.0)
    assert seen == [1.0, 2.0, 3.0]


def test_clear_forgets_every_pending_entry() -> None:
    timeline = Timeline()
    seen: list[float] = []
    timeline.schedule(1.0, seen.append, key="k")
    timeline.schedule(2.0, seen.append)
    timeline.clear()
    assert timeline.next_due() is None
    assert timeline.run_due(10.0) == 0
    timeline.schedule(3.0, seen.append, key="k")
    timeline.run_due(10.0)
    assert seen == [3.0]
