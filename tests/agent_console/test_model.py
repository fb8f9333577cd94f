"""The desk's queue figures: the status gives them, events keep them current."""

from agent_console.model import DeskState, longest_wait

NOW = 1_767_600_000.0


def desk_serving(*queues: str) -> DeskState:
    desk = DeskState(agent_id="1001")
    desk.apply_status({
        "now": NOW,
        "queues": [{"name": q, "waiting": 0, "longest_wait": 0.0, "agents_available": 1}
                   for q in queues],
    })  # fmt: skip
    return desk


def stats(queue: str, waiting: int, longest: float, at: float) -> dict[str, object]:
    return {"type": "QueueStatsUpdated", "at": at, "queue": queue, "waiting": waiting,
            "longest_wait": longest, "agents_available": 0}  # fmt: skip


def test_figures_of_a_queue_the_agent_serves_replace_the_status_ones() -> None:
    desk = desk_serving("reservations", "complaints")
    assert desk.apply_queue_stats(stats("complaints", 3, 42.0, NOW + 5))
    complaints = desk.queues[1]
    assert (complaints["waiting"], complaints["longest_wait"]) == (3, 42.0)
    assert complaints["as_of"] == NOW + 5
    assert desk.queues[0]["waiting"] == 0


def test_figures_of_other_queues_are_ignored() -> None:
    desk = desk_serving("reservations")
    assert not desk.apply_queue_stats(stats("billing", 9, 300.0, NOW))
    assert [q["name"] for q in desk.queues] == ["reservations"]


def test_the_longest_wait_grows_while_callers_wait() -> None:
    desk = desk_serving("reservations")
    desk.apply_queue_stats(stats("reservations", 2, 40.0, NOW))
    assert longest_wait(desk.queues[0], NOW + 15) == 55.0


def test_an_empty_queue_has_no_wait_to_grow() -> None:
    desk = desk_serving("reservations")
    desk.apply_queue_stats(stats("reservations", 0, 0.0, NOW))
    assert longest_wait(desk.queues[0], NOW + 15) == 0.0


def test_older_figures_never_replace_newer_ones_whichever_arrives_last() -> None:
    desk = desk_serving("reservations")
    desk.apply_queue_stats(stats("reservations", 4, 90.0, NOW + 20))
    desk.apply_status({"now": NOW + 10, "queues": [  # a reply that took its time
        {"name": "reservations", "waiting": 1, "longest_wait": 5.0,
         "agents_available": 2}]})  # fmt: skip
    queue = desk.queues[0]
    assert (queue["waiting"], queue["longest_wait"], queue["as_of"]) == (
        4,
        90.0,
        NOW + 20,
    )
    desk.apply_queue_stats(stats("reservations", 7, 200.0, NOW + 15))  # a late one
    assert desk.queues[0]["waiting"] == 4
    desk.apply_status({"now": NOW + 30, "queues": [
        {"name": "reservations", "waiting": 0, "longest_wait": 0.0,
         "agents_available": 3}]})  # fmt: skip
    assert (desk.queues[0]["waiting"], desk.queues[0]["as_of"]) == (0, NOW + 30)
