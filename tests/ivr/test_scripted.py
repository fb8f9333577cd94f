"""The sample flows end to end on the scripted caller, and hang-ups at every node."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pytest

from callcenter.domain.ids import CallId
from ivr.inputs import Fact
from ivr.loader import load_flows
from ivr.model import HangupNode, ReturnNode, TransferNode
from ivr.requests import (
    IvrFinished,
    LeaveQueue,
    QueryQueueStatus,
    RequestCallback,
    SaveSurvey,
)
from ivr.scripted import CallerScript, Transcript, run_scripted
from ivr.session import IvrSession
from tests.ivr.helpers import CALLER, SAMPLES

FLOWS = load_flows(SAMPLES)
NEVER = None
KEY: dict[str, Fact] = {
    "known": True,
    "tier": "key",
    "language": "en",
    "account_manager": "am-7",
}


@dataclass(frozen=True)
class Scenario:
    flow: str
    outcome: str
    script: CallerScript
    variables: Mapping[str, Fact] = field(default_factory=dict)


def keys(*entries: str) -> tuple[str, ...]:
    return entries


SCENARIOS: dict[str, Scenario] = {
    "main reservations then survey": Scenario(
        "main",
        "answered",
        CallerScript(dtmf=keys("1", "1", "5", "4", "3"), agent_after=30),
    ),
    "main booking in chinese": Scenario(
        "main",
        "answered",
        CallerScript(dtmf=keys("2", "2", "12345678", "5", "5", "5"), agent_after=30),
    ),
    "main open complaint": Scenario(
        "main",
        "answered",
        CallerScript(
            dtmf=keys("1", "4", "4", "4"),
            facts={"known": True, "language": "zh", "open_complaint": True},
            agent_after=40,
        ),
    ),
    "main key account": Scenario(
        "main",
        "answered",
        CallerScript(dtmf=keys("4", "5", "5", "5"), facts=KEY, agent_after=20),
    ),
    "main after hours": Scenario(
        "main", "voicemail", CallerScript(dtmf=keys("1")), {"business_hours": False}
    ),
    "main urgent complaint queue closed": Scenario(
        "main",
        "voicemail",
        CallerScript(facts={"known": True, "urgent_complaint": True}, queue_open=False),
    ),
    "main callback from the queue": Scenario(
        "main",
        "callback",
        CallerScript(dtmf=keys("1", "1", "2", "1"), agent_after=NEVER),
    ),
    "main overflow callback": Scenario(
        "main",
        "callback",
        CallerScript(dtmf=keys("1", "1", *["1"] * 5, "1"), agent_after=NEVER),
    ),
    "hotel reservations": Scenario(
        "hotel", "answered", CallerScript(dtmf=keys("1", "3", "3", "3"), agent_after=30)
    ),
    "hotel stay reference": Scenario(
        "hotel",
        "answered",
        CallerScript(dtmf=keys("2", "65432109", "4", "4", "4"), agent_after=30),
    ),
    "hotel front desk after repeat": Scenario(
        "hotel", "transferred", CallerScript(dtmf=keys("9", "3"))
    ),
    "hotel complaints": Scenario(
        "hotel", "answered", CallerScript(dtmf=keys("4", "2", "2", "2"), agent_after=30)
    ),
    "hotel feedback": Scenario(
        "hotel", "feedback", CallerScript(dtmf=keys("8", "5", "5", "5"))
    ),
    "hotel vip": Scenario(
        "hotel",
        "answered",
        CallerScript(
            dtmf=keys("1", "5", "5", "5"), facts={"tier": "vip"}, agent_after=10
        ),
    ),
    "hotel guest with a complaint": Scenario(
        "hotel",
        "answered",
        CallerScript(
            dtmf=keys("1", "5", "5", "5"),
            facts={"open_complaint": True},
            agent_after=10,
        ),
    ),
    "hotel callback": Scenario(
        "hotel", "callback", CallerScript(dtmf=keys("1", "2", "1"), agent_after=NEVER)
    ),
    "hotel closed": Scenario(
        "hotel", "voicemail", CallerScript(dtmf=keys("1"), queue_open=False)
    ),
    "hotel complaints closed": Scenario(
        "hotel", "voicemail", CallerScript(dtmf=keys("4"), queue_open=False)
    ),
    "travel new trip": Scenario(
        "travel",
        "answered",
        CallerScript(dtmf=keys("1", "5", "5", "5"), agent_after=30),
    ),
    "travel booking": Scenario(
        "travel",
        "answered",
        CallerScript(dtmf=keys("2", "12345678", "5", "5", "5"), agent_after=30),
    ),
    "travel emergency": Scenario("travel", "transferred", CallerScript(dtmf=keys("3"))),
    "travel complaint": Scenario(
        "travel",
        "answered",
        CallerScript(dtmf=keys("4", "1", "1", "1"), agent_after=30),
    ),
    "travel account number": Scenario(
        "travel",
        "answered",
        CallerScript(
            dtmf=keys("5", "49927398716#", "5", "5", "5"),
            facts={"known": False, "tier": "key"},
            agent_after=30,
        ),
    ),
    "travel unknown account": Scenario(
        "travel",
        "answered",
        CallerScript(dtmf=keys("5", "49927398716#", "5", "5", "5"), agent_after=30),
    ),
    "travel key account": Scenario(
        "travel",
        "answered",
        CallerScript(dtmf=keys("5", "5", "5"), facts=KEY, agent_after=30),
    ),
    "travel urgent": Scenario(
        "travel",
        "answered",
        CallerScript(
            dtmf=keys("5", "5", "5"), facts={"urgent_complaint": True}, agent_after=30
        ),
    ),
    "travel callback": Scenario(
        "travel", "callback", CallerScript(dtmf=keys("1", "2", "1"), agent_after=NEVER)
    ),
    "travel closed": Scenario(
        "travel", "voicemail", CallerScript(dtmf=keys("1"), queue_open=False)
    ),
    "survey alone": Scenario(
        "survey", "completed", CallerScript(dtmf=keys("5", "4", "3"))
    ),
}


def run(scenario: Scenario, script: CallerScript | None = None) -> Transcript:
    session = IvrSession(
        FLOWS[scenario.flow],
        call_id=CallId("e2e"),
        caller_number=CALLER,
        flows=FLOWS,
        variables=scenario.variables,
    )
    return run_scripted(session, script or scenario.script, start=1_700_000_000.0)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_ends_as_expected(name: str) -> None:
    scenario = SCENARIOS[name]
    transcript = run(scenario)

    assert transcript.outcome == scenario.outcome, transcript.path
    assert transcript.outputs[-1] == IvrFinished(
        call_id=CallId("e2e"), outcome=scenario.outcome, path=transcript.path
    )


def test_main_line_reservations_with_survey() -> None:
    transcript = run(SCENARIOS["main reservations then survey"])

    assert transcript.path == (
        "identify",
        "greeting",
        "language_known",
        "choose_language",
        "set_english",
        "complaint_check",
        "hours_check",
        "key_check",
        "main_menu",
        "reservations_queue",
        "survey:intro",
        "survey:questions",
        "survey:done",
    )
    assert transcript.heard[:4] == [
        "custom/welcome",
        "custom/choose-language",
        "custom/menu-intro",
        "custom/main-menu",
    ]
    assert transcript.of_type(SaveSurvey)[0].answers == {
        "satisfaction": 5,
        "resolved": 4,
        "agent": 3,
    }


def test_callback_keeps_the_queue_place() -> None:
    transcript = run(SCENARIOS["main callback from the queue"])

    assert transcript.of_type(RequestCallback)[0].number == CALLER
    assert transcript.of_type(LeaveQueue) == []


def test_overflow_leaves_the_queue_then_books_a_callback() -> None:
    transcript = run(SCENARIOS["main overflow callback"])

    assert transcript.of_type(LeaveQueue)[0].reason == "overflow"
    assert transcript.path[-2:] == ("reservations_queue", "overflow_callback")


def test_retries_exhausted_in_the_main_menu_go_to_a_person() -> None:
    script = CallerScript(dtmf=keys("", "", "7", "", "8"), agent_after=NEVER)
    transcript = run(SCENARIOS["main reservations then survey"], script)

    assert transcript.path[-2:] == ("main_menu", "reservations_queue")
    assert (
        transcript.heard.count("custom/invalid-option") == 1
    )  # not after the last try
    assert transcript.heard.count("custom/no-input") == 1


def test_announced_position_matches_the_queue_each_time() -> None:
    script = CallerScript(
        dtmf=keys("1", "1", "1", "1"),
        queue_position=6,
        position_every=40,
        agent_after=300,
    )
    transcript = run(SCENARIOS["main reservations then survey"], script)

    said = [p for p in transcript.heard if p.startswith("<number")]
    queries = transcript.of_type(QueryQueueStatus)
    assert len(queries) >= 4
    assert said[0] == "<number 6>"
    assert "<number 5>" in said
    assert "<number 4>" in said


def _coverage() -> dict[tuple[str, str], str]:
    """(flow, path label) -> the first scenario that visits it."""
    found: dict[tuple[str, str], str] = {}
    for name, scenario in SCENARIOS.items():
        for label in run(scenario).path:
            found.setdefault((scenario.flow, label), name)
    return found


COVERAGE = _coverage()
ALL_NODES = [(name, node) for name, flow in FLOWS.items() for node in flow.nodes]


def test_the_scenarios_visit_every_node_of_every_sample_flow() -> None:
    missing = [(f, n) for f, n in ALL_NODES if (f, n) not in COVERAGE]
    assert missing == []


@pytest.mark.parametrize(("flow", "node"), ALL_NODES)
def test_hanging_up_at_any_node_ends_cleanly(flow: str, node: str) -> None:
    scenario = SCENARIOS[COVERAGE[(flow, node)]]
    transcript = run(scenario, replace(scenario.script, hangup_at=node))
    if transcript.after_hangup is None:  # the node ended the call in the same step
        assert transcript.path[-1] == node
        assert isinstance(
            FLOWS[flow].nodes[node], ReturnNode | HangupNode | TransferNode
        )
        return

    assert transcript.outcome == "hangup"
    assert node in transcript.path  # nodes that do not wait run on until the next wait
    answer = transcript.after_hangup
    assert answer is not None
    assert answer[-1] == IvrFinished(
        call_id=CallId("e2e"), outcome="hangup", path=transcript.path
    )
    assert all(isinstance(o, SaveSurvey) for o in answer[:-1])  # no PBX command
    assert transcript.outputs[-len(answer) :] == answer
