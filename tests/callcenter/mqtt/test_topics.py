import pytest

from callcenter.domain import events as ev
from callcenter.domain import supervision as sv
from callcenter.domain.codec import EVENT_TYPES
from callcenter.domain.ids import AgentId, CallId, QueueName
from callcenter.mqtt import topics
from callcenter.mqtt.topics import CallAgents, Route, routes_for
from tests.callcenter.mqtt.samples import AGENT, CALL, SAMPLES, T0

S = "callcenter/v1/s1"


def test_samples_cover_every_event_type() -> None:
    assert {type(e).__name__ for e in SAMPLES} == set(EVENT_TYPES)


def test_topic_builders_follow_the_documented_scheme() -> None:
    assert topics.call_events("s1", "17.4") == f"{S}/calls/17.4/events"
    assert topics.agent_events("s1", "a1") == f"{S}/agents/a1/events"
    assert topics.agent_commands("s1", "a1") == f"{S}/agents/a1/commands"
    assert topics.agent_replies("s1", "a1") == f"{S}/agents/a1/replies"
    assert topics.all_agent_commands("s1") == f"{S}/agents/+/commands"
    assert topics.queue_stats("s1", "sales") == f"{S}/queues/sales/stats"
    assert topics.queue_events("s1", "sales") == f"{S}/queues/sales/events"
    assert topics.supervisor_events("s1") == f"{S}/supervisor/events/+"
    assert topics.supervisor_events("s1", "CallEnded") == (
        f"{S}/supervisor/events/CallEnded"
    )
    assert topics.system_status("s1") == f"{S}/system/status"


@pytest.mark.parametrize("raw", ["a/b", "a+b", "#", "50%", "x\x00y", "plain-id_1.2"])
def test_ids_are_one_topic_level_and_round_trip(raw: str) -> None:
    encoded = topics.level(raw)
    assert not set(encoded) & {"/", "+", "#", "\x00"}
    assert topics.unlevel(encoded) == raw


def test_empty_level_is_refused() -> None:
    with pytest.raises(topics.TopicError):
        topics.agent_events("s1", "")


def test_parse_agent_topic() -> None:
    parsed = topics.parse_agent_topic(topics.agent_commands("s1", "a/7"))
    assert parsed == ("s1", AgentId("a/7"), "commands")
    assert topics.parse_agent_topic(f"{S}/queues/q/stats") is None
    assert topics.parse_agent_topic("other/v1/s1/agents/a/commands") is None
    assert topics.parse_agent_topic(f"{S}/agents/a/commands/extra") is None


def test_an_event_naming_call_agent_and_queue_goes_to_all_their_topics() -> None:
    event = ev.CallOfferedToAgent(
        at=T0, call_id=CALL, queue=QueueName("sales"), agent_id=AGENT
    )
    assert [r.topic for r in routes_for(event, site="s1")] == [
        f"{S}/supervisor/events/CallOfferedToAgent",
        f"{S}/calls/{CALL}/events",
        f"{S}/agents/{AGENT}/events",
        f"{S}/queues/sales/events",
    ]
    assert all(r.qos == 0 and not r.retain for r in routes_for(event, site="s1"))


def test_agent_state_goes_to_the_agent_and_the_supervisor() -> None:
    event = ev.AgentStateChanged(at=T0, agent_id=AGENT, state=ev.AgentState.PAUSED)
    assert [r.topic for r in routes_for(event, site="s1")] == [
        f"{S}/supervisor/events/AgentStateChanged",
        f"{S}/agents/{AGENT}/events",
    ]


def test_queue_stats_are_retained_with_qos1() -> None:
    stats = next(e for e in SAMPLES if isinstance(e, ev.QueueStatsUpdated))
    assert routes_for(stats, site="s1") == (
        Route(topic=f"{S}/supervisor/events/QueueStatsUpdated"),
        Route(topic=f"{S}/queues/reservations/stats", qos=1, retain=True),
    )


def test_a_completed_call_without_agent_or_queue_names_neither() -> None:
    event = ev.CallCompleted(
        at=T0,
        call_id=CALL,
        outcome=ev.CallOutcome.IVR_ONLY,
        caller_number="1",
        queue=None,
        agent_id=None,
        customer_id=None,
        offered_at=T0,
        wait_seconds=0,
        talk_seconds=0,
    )
    assert len(routes_for(event, site="s1")) == 2


def test_monitoring_reaches_supervisors_only_never_the_agent() -> None:
    started = next(e for e in SAMPLES if isinstance(e, sv.MonitorStarted))
    routes = routes_for(started, site="s1", extra_agents=(AGENT,))
    assert [r.topic for r in routes] == [f"{S}/supervisor/events/MonitorStarted"]
    request = ev.SupervisorActed(
        at=T0, supervisor="sam", agent_id=AGENT, action="monitor",
        args={"mode": "whisper"}, ok=True, code="ok",
    )  # fmt: skip
    assert [r.topic for r in routes_for(request, site="s1")] == [
        f"{S}/supervisor/events/SupervisorActed"
    ]


def test_extra_agents_are_added_once() -> None:
    event = ev.CallAnswered(at=T0, call_id=CALL, agent_id=AGENT)
    routes = routes_for(event, site="s1", extra_agents=(AGENT, AgentId("a2")))
    agent_topics = [r.topic for r in routes if "/agents/" in r.topic]
    assert agent_topics == [f"{S}/agents/{AGENT}/events", f"{S}/agents/a2/events"]


def test_call_agents_copies_call_events_to_the_agent_who_has_the_call() -> None:
    calls = CallAgents()
    ended = ev.CallEnded(at=T0, call_id=CALL, by=ev.Party.CALLER)
    assert calls.observe(ended) == ()
    offer = ev.CallOfferedToAgent(
        at=T0, call_id=CALL, queue=QueueName("q"), agent_id=AGENT
    )
    assert calls.observe(offer) == ()
    assert calls.observe(ev.AgentRinging(at=T0, call_id=CALL, agent_id=AGENT)) == (
        AGENT,
    )
    assert calls.observe(ended) == (AGENT,)


def test_call_agents_forgets_on_no_answer_and_reassigns() -> None:
    calls = CallAgents()
    calls.observe(ev.AgentRinging(at=T0, call_id=CALL, agent_id=AGENT))
    calls.observe(ev.AgentNoAnswer(at=T0, call_id=CALL, agent_id=AGENT))
    assert len(calls) == 0
    other = AgentId("a2")
    calls.observe(ev.AgentRinging(at=T0, call_id=CALL, agent_id=other))
    ended = ev.CallEnded(at=T0, call_id=CALL, by=ev.Party.CALLER)
    assert calls.observe(ended) == (other,)


def test_call_agents_is_bounded() -> None:
    calls = CallAgents(max_calls=3)
    for n in range(10):
        calls.observe(ev.AgentRinging(at=T0, call_id=CallId(str(n)), agent_id=AGENT))
    assert len(calls) == 3
