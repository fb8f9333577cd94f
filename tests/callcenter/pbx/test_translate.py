"""Every recorded call on a real Asterisk becomes the domain events the core expects.

Each row replays one transcript's AMI events (in order, as received) through
``translate`` with a fresh registry told how callers enter and how agents' channels
are named in that lab, and compares the whole sequence of domain events.
"""

import ast
from pathlib import Path

import pytest

from callcenter.ami.messages import Event
from callcenter.ami.protocol import AmiConnection
from callcenter.domain import events as ev
from callcenter.domain.events import Party
from callcenter.domain.ids import AgentId, CallId
from callcenter.pbx.registry import ChannelRegistry, EntryRule
from callcenter.pbx.translate import resync, translate
from tests.callcenter.ami.transcripts import rx

QUEUE = (EntryRule(application="Queue", data_contains=""),)
LOCAL_AGENTS = "Local/{agent}@agents"


def events_of(name: str) -> list[Event]:
    conn = AmiConnection()
    messages = conn.receive_data(rx(name)) + conn.receive_data(b"")
    return [message for message in messages if isinstance(message, Event)]


def replay(name: str, registry: ChannelRegistry) -> list[tuple[object, ...]]:
    return [
        summary(domain)
        for event in events_of(name)
        for domain in translate(event, registry, 100.0)
    ]


def summary(event: ev.DomainEvent) -> tuple[object, ...]:
    match event:
        case ev.CallOffered():
            return ("offered", event.call_id, event.caller_number, event.dialed_number)
        case (
            ev.AgentRinging()
            | ev.CallAnswered()
            | ev.AgentNoAnswer()
            | ev.AgentLegEnded()
        ):
            return (type(event).__name__, event.call_id, event.agent_id)
        case ev.CallEnded():
            return ("ended", event.call_id, event.by)
        case _:
            return (type(event).__name__,)


CASES = [
    pytest.param(
        "04-queue-answered",
        ChannelRegistry(entry=QUEUE, agent_endpoint=LOCAL_AGENTS),
        [
            ("offered", "1795342777.4", "+8613800138000", "200"),
            ("AgentRinging", "1795342777.4", "1002"),
            ("CallAnswered", "1795342777.4", "1002"),
            ("AgentLegEnded", "1795342777.4", "1002"),
            ("ended", "1795342777.4", Party.SYSTEM),
        ],
        id="04-queue-answered: agent hangs up first, dialplan ends the caller",
    ),
    pytest.param(
        "05-queue-abandon",
        ChannelRegistry(entry=QUEUE, agent_endpoint="Local/{agent}@agents-noanswer"),
        [
            ("offered", "1795342796.11", "+8613900139000", "300"),
            ("AgentRinging", "1795342796.11", "2001"),
            # the caller hangs up while it rings: DialEnd CANCEL is no agent's fault
            ("ended", "1795342796.11", Party.CALLER),
        ],
        id="05-queue-abandon: caller hangs up while the agent rings",
    ),
    pytest.param(
        "07-redirect-dial-bridge",
        ChannelRegistry(
            entry=(EntryRule(application="MusicOnHold", data_contains=""),),
            agent_endpoint=LOCAL_AGENTS,
        ),
        [
            ("offered", "1795342824.27", "+8613600136000", "hold"),
            ("AgentRinging", "1795342824.27", "1001"),
            ("CallAnswered", "1795342824.27", "1001"),
            ("AgentLegEnded", "1795342824.27", "1001"),
            ("ended", "1795342824.27", Party.SYSTEM),
        ],
        id="07-redirect-dial-bridge: held caller redirected to Dial(g)",
    ),
    pytest.param(
        "09-fastagi-hold-redirected",
        ChannelRegistry(
            entry=(EntryRule(application="AGI", data_contains="/ivr/main"),),
            agent_endpoint=LOCAL_AGENTS,
        ),
        [
            ("offered", "1795342860.35", "+8613500135000", "100"),
            ("AgentRinging", "1795342860.35", "1001"),
            ("CallAnswered", "1795342860.35", "1001"),
            ("AgentLegEnded", "1795342860.35", "1001"),
            ("ended", "1795342860.35", Party.SYSTEM),
        ],
        id="09-fastagi-hold-redirected: the product's design on a real Asterisk",
    ),
    pytest.param(
        "01-queue-answered",
        ChannelRegistry(entry=QUEUE, agent_endpoint=LOCAL_AGENTS),
        [
            ("offered", "1795345121.0", "+15551230001", "200"),
            ("AgentRinging", "1795345121.0", "1003"),
            ("CallAnswered", "1795345121.0", "1003"),
            ("AgentLegEnded", "1795345121.0", "1003"),
            ("ended", "1795345121.0", Party.SYSTEM),
        ],
        id="sip 01-queue-answered",
    ),
    pytest.param(
        "03-queue-abandon",
        ChannelRegistry(entry=QUEUE, agent_endpoint="Local/{agent}@agents-noanswer"),
        [
            ("offered", "1795345143.8", "5551230004", "300"),
            ("AgentRinging", "1795345143.8", "2001"),
            # NOANSWER then CANCEL for the same ring: one AgentNoAnswer
            ("AgentNoAnswer", "1795345143.8", "2001"),
            ("AgentRinging", "1795345143.8", "2001"),
            ("ended", "1795345143.8", Party.CALLER),
        ],
        id="sip 03-queue-abandon: a missed ring, a second ring, the caller gives up",
    ),
    pytest.param(
        "09-sipp-queue",
        ChannelRegistry(entry=QUEUE, agent_endpoint=LOCAL_AGENTS),
        [
            ("offered", "1795345240.36", "+15551230001", "200"),
            ("AgentRinging", "1795345240.36", "1001"),
            ("CallAnswered", "1795345240.36", "1001"),
            # the SIP caller hangs up first: the agent leg's end is not AgentLegEnded
            ("ended", "1795345240.36", Party.CALLER),
        ],
        id="sip 09-sipp-queue: SIP caller hangs up during the talk",
    ),
    pytest.param(
        "10-queue-sip-agent",
        ChannelRegistry(entry=QUEUE, agent_endpoint="PJSIP/{agent}"),
        [
            ("offered", "1795345254.39", "5551230008", "210"),
            ("AgentRinging", "1795345254.39", "1001"),
            ("CallAnswered", "1795345254.39", "1001"),
            ("ended", "1795345254.39", Party.CALLER),
        ],
        id="sip 10-queue-sip-agent: a real PJSIP/1001 phone answers",
    ),
]


@pytest.mark.parametrize(("transcript", "registry", "expected"), CASES)
def test_transcript_becomes_the_expected_domain_events(
    transcript: str, registry: ChannelRegistry, expected: list[tuple[object, ...]]
) -> None:
    assert replay(transcript, registry) == expected
    assert registry.calls == ()  # every call that ended is forgotten


def test_the_agent_we_asked_for_wins_over_the_channel_name() -> None:
    registry = ChannelRegistry(agent_endpoint="PJSIP/{agent}")
    events = events_of("09-fastagi-hold-redirected")
    entry = next(
        e for e in events if e.name == "Newexten" and e.get("Application") == "AGI"
    )
    call = registry.offer(
        uniqueid=entry.uniqueid or "", linkedid=entry.linkedid or "", name="x"
    )
    assert call is not None
    registry.expect_agent(call.call_id, AgentId("1004"), "Local/1001@agents")
    seen = [summary(d) for e in events for d in translate(e, registry, 1.0)]
    assert ("AgentRinging", call.call_id, "1004") in seen


def test_a_ring_we_cancelled_is_no_agent_no_answer() -> None:
    registry = ChannelRegistry(
        entry=QUEUE, agent_endpoint="Local/{agent}@agents-noanswer"
    )
    seen: list[tuple[object, ...]] = []
    for event in events_of("03-queue-abandon"):
        if event.name == "DialEnd" and registry.calls:
            registry.cancel_ring(registry.calls[0].call_id)
        seen += [summary(d) for d in translate(event, registry, 1.0)]
    assert not any(s[0] == "AgentNoAnswer" for s in seen)


def test_unknown_events_and_channels_translate_to_nothing() -> None:
    registry = ChannelRegistry()
    for event in events_of("08-queue-member-actions") + events_of("01-actions-idle"):
        assert translate(event, registry, 1.0) == []
    odd = Event(name="Hangup", headers=(("Uniqueid", "1.1"), ("Channel", "PJSIP/x-1")))
    assert translate(odd, registry, 1.0) == []


def test_agent_ids_are_read_from_channel_names() -> None:
    registry = ChannelRegistry(agent_endpoint="PJSIP/{agent}")
    assert registry.agent_from_channel("PJSIP/1001-00000002") == "1001"
    assert registry.agent_from_channel("PJSIP/sipp-00000001") == "sipp"
    assert registry.agent_from_channel("SIP/1001-00000002") is None
    local = ChannelRegistry(agent_endpoint="Local/{agent}@agents")
    assert local.agent_from_channel("Local/1001@agents-0000000b;1") == "1001"
    assert local.agent_from_channel("Local/2001@agents-noanswer-00000004;1") is None


def test_originate_response_reports_the_callback() -> None:
    registry = ChannelRegistry()
    registry.expect_originate("cb-1", CallId("cb-call"))
    failed = Event(
        name="OriginateResponse",
        headers=(("ActionID", "cb-1"), ("Response", "Failure"), ("Reason", "5")),
    )
    assert translate(failed, registry, 3.0) == [
        ev.OriginateFinished(
            at=3.0, call_id=CallId("cb-call"), answered=False, reason="busy"
        )
    ]
    assert translate(failed, registry, 3.0) == []  # answered once


def _snapshot(name: str, action_id: str) -> list[Event]:
    return [
        e
        for e in events_of(name)
        if e.name == "CoreShowChannel" and e.action_id == action_id
    ]


def test_resync_ends_vanished_calls_and_adopts_present_ones() -> None:
    registry = ChannelRegistry(
        entry=(EntryRule(application="MusicOnHold", data_contains=""),)
    )
    gone = registry.offer(uniqueid="1.1", linkedid="1.1", name="PJSIP/old-1")
    assert gone is not None
    snapshot = _snapshot("07-redirect-dial-bridge", "csc-1")
    out = resync(snapshot, registry, 5.0)
    assert [summary(e) for e in out] == [
        ("ended", "1.1", Party.SYSTEM),
        ("offered", "1795342824.27", "+8613600136000", "hold"),
    ]
    assert resync(snapshot, registry, 6.0) == []  # idempotent


def test_translation_modules_are_pure() -> None:
    root = Path(__file__).parents[3] / "callcenter" / "pbx"
    for module in ("translate.py", "registry.py", "spies.py", "translate_spies.py"):
        tree = ast.parse((root / module).read_text())
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        }
        assert not imported & {"asyncio", "socket", "logging", "time"}, module
