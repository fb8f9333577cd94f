"""Properties of the engine over random event sequences (hypothesis).

After every input: no call rings two agents (except ring-all), no agent holds two
calls, no call waits in a line while an agent who may take it sits available, and
each offer takes the first call of its line the agent could take (priority, then
FIFO). At the end, once every call is drained, each enqueued call got exactly one
``AcdCallFinished`` and each queue's counters add up.
"""

from collections import Counter as Tally

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acd.config import OverflowAction, OverflowRule
from acd.core import Core
from acd.engine import AcdEngine
from acd.inputs import (
    AcdInput,
    LogIn,
    LogOut,
    Pause,
    RequestCallback,
    SetReady,
    WithdrawCall,
)
from acd.models import CallPhase
from acd.routing import tier_open
from acd.stats import Counter
from acd.strategies import STRATEGIES
from callcenter.domain.events import (
    AcdCallFinished,
    AgentLegEnded,
    AgentNoAnswer,
    AgentState,
    CallAnswered,
    CallEnded,
    CallOfferedToAgent,
    OriginateFinished,
    Party,
)
from callcenter.domain.ids import AgentId, CallId, QueueName
from tests.acd.harness import Harness, agent, queue

OPS = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 1000), st.integers(0, 1000)),
    min_size=1,
    max_size=60,
)


def build(strategy: str, *, tier_wait: float, aging: float, wrap: float) -> Harness:
    q1 = queue(
        "q1",
        strategy=strategy,
        tier_wait=tier_wait,
        aging_rate=aging,
        wrap_up=wrap,
        max_no_answer=2,
        preferred_agent_wait=20.0,
        overflow=(
            OverflowRule(after=90.0, action=OverflowAction.QUEUE, destination="q2"),
        ),
    )
    q2 = queue(
        "q2",
        weight=3,  # a1 and a3 serve q2's callers before q1's
        wrap_up=wrap,
        overflow=(
            OverflowRule(after=30.0, action=OverflowAction.WIDEN_SKILLS),
            OverflowRule(after=300.0, action=OverflowAction.VOICEMAIL),
        ),
    )
    agents = [
        agent("a0", {"q1": 0}),
        agent("a1", {"q1": 1, "q2": 0}),
        agent("a2", {"q2": 0}, skills={"fr": 1}),
        agent("a3", {"q1": 0, "q2": 1}, skills={"fr": 2}),
    ]
    return Harness([q1, q2], agents)


def check_invariants(core: Core, offers: list[CallOfferedToAgent]) -> None:
    check_holders(core)
    check_nobody_idles_while_callers_wait(core)
    check_offers_take_the_first_eligible_call(core, offers)
    check_state_counts(core)


def check_holders(core: Core) -> None:
    ring_all = {q for q, s in core.strategies.items() if s.ring_all}
    holders: Tally[CallId] = Tally()
    for record in core.agents.values():
        if record.call_id is not None:
            holders[record.call_id] += 1
        if record.state in (AgentState.RINGING, AgentState.ON_CALL):
            assert record.call_id is not None
    for call_id, n in holders.items():
        call = core.calls[call_id]
        if n > 1:  # only a ring-all call may ring several agents
            assert call.phase == CallPhase.RINGING
            assert call.queue in ring_all


def check_nobody_idles_while_callers_wait(core: Core) -> None:
    free = [a for a in core.agents.values() if a.state == AgentState.AVAILABLE]
    for name, line in core.lines.items():
        for call in line:
            for record in free:
                if name in record.queues:
                    may = tier_open(core, call, record.queues[name])
                    assert not (may and record.has_skills(call.skills)), (call, record)


def check_offers_take_the_first_eligible_call(
    core: Core, offers: list[CallOfferedToAgent]
) -> None:
    for offer in offers:
        served = core.calls.get(offer.call_id)
        record = core.agents[offer.agent_id]
        if (
            served is None
            or record.call_id != served.call_id
            or served.queue != offer.queue
            or offer.queue not in record.queues
            or served.caller.preferred_agent == offer.agent_id
        ):
            # since missed, moved or ended: not a live decision any more; and a
            # preferred agent takes the calls reserved for them first, by design
            continue
        for call in core.lines[offer.queue]:
            if tier_open(core, call, record.queues[offer.queue]) and record.has_skills(
                call.skills
            ):
                assert call.key > served.key, (call, served)


def check_state_counts(core: Core) -> None:
    for name, counts in core.counts.items():
        members = [a for a in core.agents.values() if name in a.queues]
        assert counts == dict(Tally(a.state for a in members)) | {
            s: 0 for s in AgentState if s not in {a.state for a in members}
        }


def step(  # noqa: C901, PLR0911 - one arm per kind of random input
    h: Harness, op: int, x: int, y: int, made: list[str]
) -> AcdInput | None:
    core: Core = h.engine._core
    ringing = [a for a in core.agents.values() if a.state == AgentState.RINGING]
    talking = [c for c in core.calls.values() if c.phase == CallPhase.CONNECTED]
    held = list(core.calls)
    who = AgentId(f"a{x % 4}")
    match op:
        case 0 | 1:
            made.append(f"c{len(made)}")
            h.enqueue(
                made[-1],
                "q1" if x % 3 else "q2",
                skills={"fr": 1} if y % 5 == 0 else {},
                tier=("ordinary", "key", "vip")[y % 3],
                preferred_agent=AgentId(f"a{y % 4}") if y % 7 == 0 else None,
            )
            return None
        case 2 if ringing:
            r = ringing[x % len(ringing)]
            assert r.call_id is not None
            if core.calls[r.call_id].phase == CallPhase.DIALING:
                return OriginateFinished(
                    at=h.now, call_id=r.call_id, answered=y % 2 == 0
                )
            return CallAnswered(at=h.now, call_id=r.call_id, agent_id=r.agent_id)
        case 3 if ringing:
            r = ringing[x % len(ringing)]
            assert r.call_id is not None
            return AgentNoAnswer(at=h.now, call_id=r.call_id, agent_id=r.agent_id)
        case 4 if held:
            return CallEnded(at=h.now, call_id=held[x % len(held)], by=Party.CALLER)
        case 5 if talking:
            call = talking[x % len(talking)]
            assert call.agent_id is not None
            return AgentLegEnded(at=h.now, call_id=call.call_id, agent_id=call.agent_id)
        case 6:
            h.advance(x % 120)
            return None
        case 7 if h.engine.agent_state(who) != AgentState.LOGGED_OUT:
            return (
                Pause(agent_id=who, reason="break") if y % 2 else SetReady(agent_id=who)
            )
        case 8:
            state = h.engine.agent_state(who)
            return (
                LogIn(agent_id=who)
                if state == AgentState.LOGGED_OUT
                else LogOut(agent_id=who)
            )
        case 9 if held:
            return RequestCallback(call_id=held[x % len(held)], number="+331")
        case 10 if held:
            return WithdrawCall(call_id=held[x % len(held)], reason="menu")
    return None


def drain(h: Harness) -> None:
    core: Core = h.engine._core
    for call in list(core.calls.values()):
        if call.phase == CallPhase.CONNECTED:
            h.do(CallEnded(at=h.now, call_id=call.call_id, by=Party.CALLER))
        else:
            h.do(WithdrawCall(call_id=call.call_id, reason="drain"))
    h.advance(3600)
    assert not core.calls


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ops=OPS,
    strategy=st.sampled_from(sorted(STRATEGIES)),
    tier_wait=st.sampled_from([0.0, 10.0]),
    aging=st.sampled_from([0.0, 1.0]),
    wrap=st.sampled_from([0.0, 5.0]),
)
def test_invariants_hold_over_random_sequences(
    ops: list[tuple[int, int, int]],
    strategy: str,
    tier_wait: float,
    aging: float,
    wrap: float,
) -> None:
    h = build(strategy, tier_wait=tier_wait, aging=aging, wrap=wrap)
    core: Core = h.engine._core
    made: list[str] = []
    for op, x, y in ops:
        before = len(h.log)
        inp = step(h, op, x, y, made)
        if inp is not None:
            h.do(inp)
        # Decisions made by one input are checked against the state right after it;
        # an advance fires many timers, whose later ones may reshuffle the lines.
        offers = [o for o in h.log[before:] if isinstance(o, CallOfferedToAgent)]
        if op == 6:
            offers = []
        check_invariants(core, offers)
    drain(h)
    finals = Tally(f.call_id for f in h.of_type(AcdCallFinished))
    assert finals == Tally({CallId(c): 1 for c in made})
    for name in ("q1", "q2"):
        total = core.stats[QueueName(name)].total
        ends = (
            Counter.ANSWERED,
            Counter.ABANDONED,
            Counter.OVERFLOWED,
            Counter.TURNED_AWAY,
            Counter.WITHDRAWN,
            Counter.CALLBACKS,
            Counter.CALLBACKS_FAILED,
        )
        assert total[Counter.OFFERED] == sum(total[c] for c in ends)


def test_engine_type_is_the_public_one() -> None:
    assert isinstance(build("linear", tier_wait=0, aging=0, wrap=0).engine, AcdEngine)
