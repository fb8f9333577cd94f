"""Which call a freed agent takes across their queues: queue weight first.

Asterisk app_queue: "higher-weight queue gets first shot at a member shared by
several queues". Among queues of equal weight the callers compare as before
(effective priority with aging, then who entered the ACD first). Weight orders only
the freed agent's own queues; it never changes which agent a new caller gets.
"""

from acd.actions import AcdOutput
from callcenter.domain.events import CallOfferedToAgent
from callcenter.domain.ids import CallId
from tests.acd.harness import Harness, agent, queue

WRAP_UP = 10.0


def shared_agent_center(*, light: int, heavy: int) -> Harness:
    """One agent on queues "light" and "heavy", talking to call "busy"."""
    h = Harness(
        [
            queue("light", weight=light, wrap_up=WRAP_UP),
            queue("heavy", weight=heavy, wrap_up=WRAP_UP),
        ],
        [agent("a1", {"light": 0, "heavy": 0})],
    )
    h.enqueue("busy", "light")
    h.answer("busy")
    return h


def free_the_agent(h: Harness) -> None:
    h.hang_up("busy")
    h.advance(WRAP_UP)


def test_a_shared_agent_serves_the_heavier_queue_first() -> None:
    h = shared_agent_center(light=0, heavy=10)
    h.enqueue("patient", "light")
    h.advance(120)
    h.enqueue("fresh", "heavy")
    free_the_agent(h)
    assert h.ringing_agent("fresh") == "a1"
    assert h.engine.position(CallId("patient")) == 1


def test_weight_outranks_caller_priority_of_a_lighter_queue() -> None:
    h = shared_agent_center(light=0, heavy=1)
    h.enqueue("vip", "light", tier="vip")
    h.enqueue("ordinary", "heavy")
    free_the_agent(h)
    assert h.ringing_agent("ordinary") == "a1"


def test_the_lighter_queue_is_served_once_the_heavier_is_empty() -> None:
    h = shared_agent_center(light=0, heavy=10)
    h.enqueue("patient", "light")
    h.enqueue("fresh", "heavy")
    free_the_agent(h)
    h.answer("fresh")
    h.hang_up("fresh")
    h.advance(WRAP_UP)
    assert h.ringing_agent("patient") == "a1"


def run_shared_script(*, light: int, heavy: int) -> list[AcdOutput]:
    """Callers of both queues, priorities and aging, served one by one."""
    h = shared_agent_center(light=light, heavy=heavy)
    h.enqueue("l1", "light")
    h.advance(40)
    h.enqueue("h1", "heavy", tier="key")
    h.advance(5)
    h.enqueue("l2", "light", tier="vip")
    h.enqueue("h2", "heavy")
    h.advance(30)
    current = "busy"
    for _ in range(4):
        out = [*h.hang_up(current), *h.advance(WRAP_UP)]
        (offer,) = [o for o in out if isinstance(o, CallOfferedToAgent)]
        current = offer.call_id
        h.answer(current)
    return h.log


def test_equal_weights_serve_exactly_as_without_weights() -> None:
    unweighted = run_shared_script(light=0, heavy=0)
    assert run_shared_script(light=7, heavy=7) == unweighted
    order = [o.call_id for o in unweighted if isinstance(o, CallOfferedToAgent)]
    # VIP (30) first, then the key account (20 + aging), then by entry.
    assert order == ["busy", "l2", "h1", "l1", "h2"]


def test_weight_never_gives_an_agent_a_queue_they_do_not_serve() -> None:
    h = Harness(
        [queue("light", wrap_up=WRAP_UP), queue("heavy", weight=10, wrap_up=WRAP_UP)],
        [agent("a1", {"light": 0}), agent("a2", {"heavy": 0})],
    )
    h.enqueue("busy", "light")
    h.answer("busy")
    h.enqueue("busy-2", "heavy")
    h.answer("busy-2")
    h.enqueue("light-caller", "light")
    h.enqueue("heavy-caller", "heavy")
    free_the_agent(h)
    assert h.ringing_agent("light-caller") == "a1"
    assert h.ringing_agent("heavy-caller") is None


def test_a_heavy_caller_the_agent_cannot_take_yet_does_not_block() -> None:
    heavy = queue("heavy", weight=10, wrap_up=WRAP_UP, tier_wait=60.0)
    h = Harness(
        [queue("light", wrap_up=WRAP_UP), heavy],
        [agent("a1", {"light": 0, "heavy": 1})],
    )
    h.enqueue("busy", "light")
    h.answer("busy")
    h.enqueue("heavy-caller", "heavy")  # penalty-1 tier opens after 60 s
    h.enqueue("light-caller", "light")
    h.enqueue("skilled", "heavy", skills={"fr": 1})
    free_the_agent(h)
    assert h.ringing_agent("light-caller") == "a1"


def test_weight_does_not_change_which_free_agent_a_new_caller_gets() -> None:
    for heavy_weight in (0, 10):
        h = Harness(
            [queue("light"), queue("heavy", weight=heavy_weight)],
            [agent("a1", {"light": 0, "heavy": 0}), agent("a2", {"light": 0})],
        )
        # a1 logged in first: longest idle, so the light caller rings a1 anyway.
        h.advance(5)
        h.enqueue("light-caller", "light")
        assert h.ringing_agent("light-caller") == "a1"
