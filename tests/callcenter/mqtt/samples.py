"""One realistic instance of every domain event, for round trips and the docs."""

from callcenter.domain import events as ev
from callcenter.domain import supervision as sv
from callcenter.domain.ids import AgentId, CallId, CustomerId, QueueName

T0 = 1_767_600_000.0
CALL = CallId("1767600000.42")
AGENT = AgentId("1001")
QUEUE = QueueName("reservations")

SAMPLES: tuple[ev.DomainEvent, ...] = (
    ev.CallOffered(
        at=T0, call_id=CALL, caller_number="+8613800138000", dialed_number="4000"
    ),
    ev.IvrEntered(at=T0 + 0.2, call_id=CALL, flow="main"),
    ev.PromptFinished(at=T0 + 3.1, call_id=CALL, digit="1"),
    ev.IvrNodeVisited(at=T0 + 3.1, call_id=CALL, flow="main", node="menu"),
    ev.DigitsCollected(at=T0 + 9.0, call_id=CALL, digits="123456"),
    ev.CustomerIdentified(
        at=T0 + 9.1,
        call_id=CALL,
        customer_id=CustomerId("c-778"),
        name="Li Wei",
        tier="gold",
    ),
    ev.CallQueued(at=T0 + 9.2, call_id=CALL, queue=QUEUE, priority=5, position=1),
    ev.HoldInterrupted(at=T0 + 15.0, call_id=CALL, digit="2"),
    ev.MessageRecorded(
        at=T0 + 95.0,
        call_id=CallId("1767600060.9"),
        recording_ref="/var/spool/asterisk/callcenter/complaints-1767600060.9.wav",
        duration_seconds=41.2,
    ),
    ev.CallOfferedToAgent(at=T0 + 20.0, call_id=CALL, queue=QUEUE, agent_id=AGENT),
    ev.AgentRinging(at=T0 + 20.1, call_id=CALL, agent_id=AGENT),
    ev.AgentNoAnswer(at=T0 + 35.1, call_id=CALL, agent_id=AgentId("1002")),
    ev.CallAnswered(at=T0 + 23.0, call_id=CALL, agent_id=AGENT),
    ev.AgentStateChanged(
        at=T0 + 23.0, agent_id=AGENT, state=ev.AgentState.ON_CALL, call_id=CALL
    ),
    ev.AgentLegEnded(at=T0 + 140.0, call_id=CALL, agent_id=AGENT),
    ev.CallEnded(at=T0 + 150.0, call_id=CALL, by=ev.Party.CALLER),
    ev.CallAbandoned(
        at=T0 + 61.0, call_id=CallId("1767600050.7"), queue=QUEUE, waited=41.5
    ),
    ev.OriginateFinished(
        at=T0 + 300.0, call_id=CallId("cb-9"), answered=False, reason="busy"
    ),
    ev.CallCompleted(
        at=T0 + 150.0,
        call_id=CALL,
        outcome=ev.CallOutcome.ANSWERED,
        caller_number="+8613800138000",
        queue=QUEUE,
        agent_id=AGENT,
        customer_id=CustomerId("c-778"),
        offered_at=T0,
        wait_seconds=10.8,
        talk_seconds=117.0,
    ),
    ev.ScreenPopReady(
        at=T0 + 20.1,
        call_id=CALL,
        agent_id=AGENT,
        caller_number="+8613800138000",
        record={"customer": {"id": "c-778", "name": "Li Wei", "tier": "gold"}},
    ),
    ev.AgentCommandRejected(
        at=T0 + 30.0,
        agent_id=AGENT,
        command="pause",
        code="agent_on_call",
        message="cannot pause during a call",
    ),
    ev.AcdCallFinished(
        at=T0 + 23.0,
        call_id=CALL,
        queue=QUEUE,
        outcome=ev.CallOutcome.ANSWERED,
        agent_id=AGENT,
        waited=13.8,
    ),
    ev.QueueStatsUpdated(
        at=T0 + 150.0,
        queue=QUEUE,
        waiting=2,
        longest_wait=31.5,
        offered=118,
        answered=104,
        abandoned=9,
        service_level=0.83,
        agents_available=3,
        agents_busy=7,
        agents_logged_in=11,
    ),
    ev.SupervisorAlert(
        at=T0 + 160.0,
        kind="service_level",
        level=ev.AlertLevel.RED,
        subject=QUEUE,
        value=0.55,
        threshold=0.6,
        message="service level 55% below 60%",
    ),
    ev.SupervisorActed(
        at=T0 + 170.0,
        supervisor="sam",
        agent_id=AGENT,
        action="pause",
        args={"reason": "coaching"},
        ok=True,
        code="ok",
    ),
    sv.MonitorStarted(
        at=T0 + 60.0,
        call_id=CALL,
        agent_id=AGENT,
        supervisor="sam",
        endpoint="PJSIP/2001",
        mode=sv.MonitorMode.LISTEN,
    ),
    sv.MonitorModeChanged(
        at=T0 + 75.0,
        call_id=CALL,
        agent_id=AGENT,
        supervisor="sam",
        endpoint="PJSIP/2001",
        mode=sv.MonitorMode.WHISPER,
        previous=sv.MonitorMode.LISTEN,
    ),
    sv.MonitorEnded(
        at=T0 + 140.0,
        call_id=CALL,
        agent_id=AGENT,
        supervisor="sam",
        endpoint="PJSIP/2001",
        mode=sv.MonitorMode.WHISPER,
        reason=sv.MonitorEndReason.CALL_ENDED,
    ),
    sv.MonitorFailed(
        at=T0 + 61.0,
        call_id=CALL,
        agent_id=AGENT,
        supervisor="lin",
        endpoint="PJSIP/2002",
        mode=sv.MonitorMode.BARGE,
        code="not_answered",
        message="the supervisor's phone PJSIP/2002 did not answer (no answer)",
    ),
)
