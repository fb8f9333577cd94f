"""IvrSession basics and the simple node kinds, driven input by input."""

from pathlib import Path

import pytest

from callcenter.domain.commands import (
    AnswerCall,
    HangUp,
    PlayPrompts,
    SayKind,
    SayValue,
    Transfer,
)
from callcenter.domain.events import (
    CallEnded,
    IvrNodeVisited,
    Party,
    PromptFinished,
)
from callcenter.domain.ids import CallId
from ivr.errors import IvrSessionError
from ivr.inputs import CustomerFound, Tick
from ivr.requests import IvrFinished, LookupCustomer, RecordVoicemail
from tests.ivr.helpers import CALL, CALLER, Call, make_flow, media, visited


def play(*prompts: str, language: str = "en") -> PlayPrompts:
    return PlayPrompts(
        call_id=CALL, prompts=prompts, language=language, interruptible=False
    )


def test_start_answers_and_plays_then_waits(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path,
        """
        start: hello
        nodes:
          hello: {kind: play, prompts: [custom/welcome, custom/thanks], next: bye}
          bye: {kind: hangup}
        """,
    )
    call = Call(flow)

    outputs = call.start()

    assert outputs == [
        AnswerCall(call_id=CALL),
        IvrNodeVisited(at=1000.0, call_id=CALL, flow="flow", node="hello"),
        play("custom/welcome", "custom/thanks"),
    ]
    assert call.session.next_deadline() is None
    assert call.session.outcome == ""  # still running

    outputs = call.finished_prompt()

    assert outputs == [
        IvrNodeVisited(at=1001.0, call_id=CALL, flow="flow", node="bye"),
        HangUp(call_id=CALL),
        IvrFinished(call_id=CALL, outcome="completed", path=("hello", "bye")),
    ]
    assert call.session.finished
    assert call.session.outcome == "completed"
    assert call.session.path == ("hello", "bye")


def test_say_speaks_a_variable_or_a_literal(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path,
        """
        start: ref
        nodes:
          ref: {kind: say, variable: ref, as: digits, next: count}
          count: {kind: say, value: 42, next: leading_zero}
          leading_zero: {kind: say, variable: code, as: digits, next: missing}
          missing: {kind: say, variable: nothing, next: bye}
          bye: {kind: hangup}
        """,
    )
    call = Call(flow, variables={"ref": "123456", "code": "07"})

    first = call.start()
    second = call.finished_prompt()
    third = call.finished_prompt()
    rest = call.finished_prompt()

    assert media(first) == [
        SayValue(call_id=CALL, value=123456, kind=SayKind.DIGITS, language="en")
    ]
    assert media(second) == [SayValue(call_id=CALL, value=42, kind=SayKind.NUMBER)]
    assert media(third) == [play("digits/0", "digits/7")]
    assert visited(rest) == ["missing", "bye"]  # nothing to say: go on silently


def test_set_and_branch_use_the_condition_language(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path,
        """
        start: mark
        nodes:
          mark: {kind: set, variables: {vip_line: true, score: 3}, next: route}
          route:
            kind: branch
            cases:
              - when: tier == "vip" and score >= 3
                next: vip
              - when: vip_line
                next: other
            else: other
          vip: {kind: hangup, outcome: vip}
          other: {kind: hangup, outcome: other}
        """,
    )
    vip = Call(flow, variables={"tier": "vip"})
    vip.start()
    ordinary = Call(flow, variables={"tier": "ordinary"})
    ordinary.start()

    assert vip.session.outcome == "vip"
    assert vip.session.variables["score"] == 3
    assert ordinary.session.outcome == "other"
    assert ordinary.session.path == ("mark", "route", "other")


def test_crm_lookup_stores_facts_and_switches_language(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path,
        """
        languages: [en, zh]
        start: find
        nodes:
          find: {kind: crm_lookup, by: caller, next: hello}
          hello: {kind: play, prompts: [custom/welcome], next: bye}
          bye: {kind: hangup}
        """,
    )
    call = Call(flow)

    outputs = call.start()
    assert outputs[-1] == LookupCustomer(call_id=CALL, by="caller", value=CALLER)
    assert call.session.next_deadline() == 1003.0

    outputs = call.send(
        CustomerFound(facts={"tier": "vip", "language": "zh", "customer_id": "C1"})
    )

    assert media(outputs) == [play("custom/welcome", language="zh")]
    assert call.session.variables["tier"] == "vip"
    assert call.session.variables["known"] is True


def test_crm_lookup_times_out_as_unknown(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path,
        """
        start: find
        nodes:
          find: {kind: crm_lookup, by: digits, variable: account, timeout: 2, next: bye}
          bye: {kind: hangup}
        """,
    )
    call = Call(flow, variables={"account": "12345678"})

    outputs = call.start()
    assert outputs[-1] == LookupCustomer(call_id=CALL, by="digits", value="12345678")
    assert call.send(Tick(), after=1) == []  # not yet due
    outputs = call.send(Tick(), after=1)

    assert visited(outputs) == ["bye"]
    assert call.session.variables["known"] is False
    assert call.send(CustomerFound(facts={"tier": "vip"})) == []  # too late: ignored


def test_transfer_and_voicemail_end_the_session(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path,
        """
        start: route
        nodes:
          route:
            kind: branch
            cases: [{when: after_hours, next: vm}]
            else: desk
          desk: {kind: transfer, target: frontdesk}
          vm: {kind: voicemail, mailbox: general, max_seconds: 60, prompts: [custom/leave]}
        """,
    )
    desk = Call(flow)
    assert desk.start()[-2:] == [
        Transfer(call_id=CALL, target="frontdesk"),
        IvrFinished(call_id=CALL, outcome="transferred", path=("route", "desk")),
    ]

    voicemail = Call(flow, variables={"after_hours": True})
    assert media(voicemail.start()) == [play("custom/leave")]
    outputs = voicemail.finished_prompt()
    assert outputs[0] == RecordVoicemail(
        call_id=CALL, mailbox="general", max_seconds=60
    )
    assert voicemail.session.outcome == "voicemail"
    assert not any(isinstance(o, HangUp) for o in outputs)


def test_subflow_runs_another_flow_and_returns(tmp_path: Path) -> None:
    inner = make_flow(
        tmp_path,
        """
        start: hi
        nodes:
          hi: {kind: play, prompts: [custom/inner], next: back}
          back: {kind: return}
        """,
        name="inner",
    )
    outer = make_flow(
        tmp_path,
        """
        start: go
        nodes:
          go: {kind: subflow, flow: inner, next: bye}
          bye: {kind: hangup, prompts: [custom/bye]}
        """,
        name="outer",
    )
    call = Call(outer, flows={"inner": inner, "outer": outer})

    outputs = call.start()
    assert outputs[-2] == IvrNodeVisited(
        at=1000.0, call_id=CALL, flow="inner", node="hi"
    )
    call.finished_prompt()
    call.finished_prompt()

    assert call.session.path == ("go", "inner:hi", "inner:back", "bye")
    assert call.session.outcome == "completed"


def test_caller_hangup_finishes_cleanly_at_any_point(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path,
        """
        start: hello
        nodes:
          hello: {kind: play, prompts: [custom/welcome], next: bye}
          bye: {kind: hangup}
        """,
    )
    call = Call(flow)
    call.start()

    outputs = call.hang_up()

    assert outputs == [IvrFinished(call_id=CALL, outcome="hangup", path=("hello",))]
    assert call.session.finished
    assert call.session.next_deadline() is None
    assert call.finished_prompt() == []  # everything after the end is ignored


def test_inputs_of_another_call_are_refused(tmp_path: Path) -> None:
    flow = make_flow(tmp_path, "start: bye\nnodes:\n  bye: {kind: hangup}\n")
    call = Call(flow)
    with pytest.raises(IvrSessionError):
        call.send(Tick())  # before start
    call.start()
    other = CallEnded(at=0.0, call_id=CallId("other"), by=Party.CALLER)
    with pytest.raises(IvrSessionError):
        call.send(other)
    with pytest.raises(IvrSessionError):
        call.session.start(0.0)


def test_unexpected_inputs_are_ignored(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path,
        """
        start: hello
        nodes:
          hello: {kind: play, prompts: [custom/welcome], next: bye}
          bye: {kind: hangup}
        """,
    )
    call = Call(flow)
    call.start()

    assert call.keys("5") == []
    assert call.send(Tick()) == []
    assert not call.session.finished
    assert call.send(PromptFinished(at=0.0, call_id=CALL)) != []


def test_a_runtime_loop_is_cut_off(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path,
        """
        start: spin
        nodes:
          spin:
            kind: branch
            cases: [{when: never, next: bye}]
            else: spin
          bye: {kind: hangup}
        """,
    )
    call = Call(flow)
    outputs = call.start()

    assert outputs[-1] == IvrFinished(
        call_id=CALL, outcome="loop_aborted", path=call.session.path
    )
    assert isinstance(outputs[-2], HangUp)


def test_variables_are_read_only_and_language_defaults_to_the_flow(
    tmp_path: Path,
) -> None:
    flow = make_flow(
        tmp_path, "languages: [zh]\nstart: bye\nnodes:\n  bye: {kind: hangup}\n"
    )
    call = Call(flow, language="fr")
    assert call.session.variables["language"] == "zh"
    assert call.session.variables["caller_number"] == CALLER
    with pytest.raises(TypeError):
        call.session.variables["x"] = 1  # type: ignore[index]


def test_a_subflow_missing_from_the_session_hangs_up(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path,
        """
        start: go
        nodes:
          go: {kind: subflow, flow: elsewhere, next: bye}
          bye: {kind: hangup}
        """,
    )
    call = Call(flow)  # only this flow is known to the session
    outputs = call.start()

    assert outputs[-1] == IvrFinished(
        call_id=CALL, outcome="flow_missing", path=("go",)
    )
