"""Menu, collect, callback and survey nodes: asking, retrying, failing."""

from pathlib import Path

from callcenter.domain.commands import (
    CollectDigits,
    HangUp,
    PlayPrompts,
    SayKind,
    SayValue,
)
from ivr.model import Flow
from ivr.requests import IvrFinished, RequestCallback, SaveSurvey
from tests.ivr.helpers import CALL, Call, make_flow, media, visited

MENU = """
start: menu
nodes:
  menu:
    kind: menu
    prompt: [custom/intro, custom/menu]
    options:
      "1": one
      "4": {next: key, when: tier == "key"}
    retries: 1
    invalid_prompt: custom/invalid
    no_input_prompt: custom/no-input
    on_failure: fallback
  one: {kind: hangup, outcome: one}
  key: {kind: hangup, outcome: key}
  fallback: {kind: hangup, outcome: fallback}
"""


def ask(prompt: str, max_digits: int = 1, timeout: float = 5.0) -> CollectDigits:
    return CollectDigits(
        call_id=CALL, prompt=prompt, max_digits=max_digits, timeout=timeout
    )


def play(*prompts: str, interruptible: bool = False) -> PlayPrompts:
    return PlayPrompts(call_id=CALL, prompts=prompts, interruptible=interruptible)


def menu_flow(tmp_path: Path) -> Flow:
    return make_flow(tmp_path, MENU)


def test_menu_plays_an_interruptible_intro_then_collects_one_key(
    tmp_path: Path,
) -> None:
    call = Call(menu_flow(tmp_path))

    assert media(call.start()) == [play("custom/intro", interruptible=True)]
    assert call.finished_prompt() == [ask("custom/menu")]
    call.keys("1")

    assert call.session.outcome == "one"
    assert call.session.path == ("menu", "one")


def test_a_key_during_the_intro_chooses_at_once(tmp_path: Path) -> None:
    call = Call(menu_flow(tmp_path))
    call.start()

    outputs = call.finished_prompt(digit="1")

    assert visited(outputs) == ["one"]


def test_menu_retries_on_invalid_and_no_input_then_takes_on_failure(
    tmp_path: Path,
) -> None:
    call = Call(menu_flow(tmp_path))
    call.start()
    call.finished_prompt()

    assert media(call.keys("7")) == [play("custom/invalid")]
    assert media(call.finished_prompt()) == [play("custom/intro", interruptible=True)]
    assert call.finished_prompt() == [ask("custom/menu")]
    outputs = call.keys("")  # timeout: retries (1) are used up

    assert visited(outputs) == ["fallback"]
    assert call.session.outcome == "fallback"


def test_no_input_plays_the_no_input_prompt(tmp_path: Path) -> None:
    call = Call(menu_flow(tmp_path))
    call.start()
    call.finished_prompt()

    assert media(call.keys("")) == [play("custom/no-input")]


def test_conditional_option_is_offered_only_when_it_holds(tmp_path: Path) -> None:
    ordinary = Call(menu_flow(tmp_path), variables={"tier": "ordinary"})
    ordinary.start()
    ordinary.finished_prompt()
    assert media(ordinary.keys("4")) == [play("custom/invalid")]

    key = Call(menu_flow(tmp_path), variables={"tier": "key"})
    key.start()
    key.finished_prompt()
    key.keys("4")
    assert key.session.outcome == "key"


def test_menu_without_on_failure_hangs_up_when_retries_run_out(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path,
        """
        start: menu
        nodes:
          menu: {kind: menu, prompt: custom/menu, options: {"1": one}, retries: 0}
          one: {kind: hangup}
        """,
    )
    call = Call(flow)
    call.start()
    outputs = call.keys("9")

    assert outputs[0] == HangUp(call_id=CALL)
    assert outputs[1] == IvrFinished(
        call_id=CALL, outcome="menu_failed", path=("menu",)
    )


COLLECT = """
start: ref
nodes:
  ref:
    kind: collect
    prompt: custom/enter-ref
    max_digits: 8
    validator: booking_reference
    store: booking
    retries: 1
    invalid_prompt: custom/invalid-ref
    next: ok
    on_failure: agent
  ok: {kind: hangup, outcome: ok}
  agent: {kind: hangup, outcome: agent}
"""


def test_collect_validates_and_stores(tmp_path: Path) -> None:
    call = Call(make_flow(tmp_path, COLLECT))

    assert call.start()[-1] == ask("custom/enter-ref", max_digits=8, timeout=7.0)
    call.keys("01234567#")

    assert call.session.variables["booking"] == "01234567"
    assert call.session.outcome == "ok"


def test_collect_retries_invalid_input_then_fails_over(tmp_path: Path) -> None:
    call = Call(make_flow(tmp_path, COLLECT))
    call.start()

    assert media(call.keys("123")) == [play("custom/invalid-ref")]
    assert call.finished_prompt() == [
        ask("custom/enter-ref", max_digits=8, timeout=7.0)
    ]
    call.keys("")

    assert call.session.outcome == "agent"
    assert "booking" not in call.session.variables


def test_collect_with_a_pattern(tmp_path: Path) -> None:
    flow = make_flow(
        tmp_path,
        """
        start: pin
        nodes:
          pin:
            kind: collect
            prompt: custom/pin
            until_hash: true
            pattern: "1[0-9]*"
            store: pin
            retries: 0
            next: ok
          ok: {kind: hangup}
        """,
    )
    good = Call(flow)
    assert good.start()[-1] == ask("custom/pin", max_digits=20, timeout=7.0)
    good.keys("1999#")
    assert good.session.outcome == "completed"

    bad = Call(flow)
    bad.start()
    bad.keys("2999#")
    assert bad.session.outcome == "input_failed"


CALLBACK = """
start: cb
nodes:
  cb:
    kind: callback
    retries: 1
    on_failure: sorry
  sorry: {kind: hangup, outcome: sorry}
"""


def test_callback_confirms_the_caller_number(tmp_path: Path) -> None:
    call = Call(make_flow(tmp_path, CALLBACK))

    assert media(call.start()) == [
        SayValue(call_id=CALL, value=8613800138000, kind=SayKind.DIGITS)
    ]
    assert call.finished_prompt() == [
        ask("custom/callback-confirm-number", timeout=7.0)
    ]
    outputs = call.keys("1")

    assert outputs[0] == RequestCallback(call_id=CALL, number="+8613800138000")
    assert media(outputs) == [play("custom/callback-booked")]
    outputs = call.finished_prompt()
    assert outputs == [
        HangUp(call_id=CALL),
        IvrFinished(call_id=CALL, outcome="callback", path=("cb",)),
    ]


def test_callback_to_another_number(tmp_path: Path) -> None:
    call = Call(make_flow(tmp_path, CALLBACK))
    call.start()
    call.finished_prompt()

    assert call.keys("2") == [
        ask("custom/callback-enter-number", max_digits=15, timeout=7.0)
    ]
    outputs = call.keys("02012345678#")

    assert outputs[0] == RequestCallback(call_id=CALL, number="02012345678")
    assert call.session.variables["callback_number"] == "02012345678"


def test_anonymous_caller_enters_a_number_and_may_fail(tmp_path: Path) -> None:
    call = Call(make_flow(tmp_path, CALLBACK), caller="anonymous")

    assert call.start()[-1] == ask(
        "custom/callback-enter-number", max_digits=15, timeout=7.0
    )
    call.keys("12")
    call.keys("")

    assert call.session.outcome == "sorry"
    assert not any(isinstance(o, RequestCallback) for o in call.log)


SURVEY = """
start: survey
nodes:
  survey:
    kind: survey
    questions:
      - {key: satisfaction, prompt: custom/q1}
      - {key: resolved, prompt: custom/q2}
    retries: 1
    invalid_prompt: custom/1-to-5
    thanks_prompts: [custom/thanks]
"""


def test_survey_scores_answers_and_saves_them(tmp_path: Path) -> None:
    call = Call(make_flow(tmp_path, SURVEY))

    assert call.start()[-1] == ask("custom/q1", timeout=6.0)
    assert media(call.keys("7")) == [play("custom/1-to-5")]
    assert call.finished_prompt() == [ask("custom/q1", timeout=6.0)]
    assert call.keys("5") == [ask("custom/q2", timeout=6.0)]
    outputs = call.keys("4")

    assert outputs[0] == SaveSurvey(
        call_id=CALL, answers={"satisfaction": 5, "resolved": 4}
    )
    assert media(outputs) == [play("custom/thanks")]
    call.finished_prompt()
    assert call.session.outcome == "completed"
    assert call.session.variables["survey_resolved"] == 4


def test_unanswered_questions_are_skipped(tmp_path: Path) -> None:
    call = Call(make_flow(tmp_path, SURVEY))
    call.start()
    call.keys("")  # no answer: asked once more (retries: 1)
    assert call.keys("") == [ask("custom/q2", timeout=6.0)]  # skipped
    outputs = call.keys("3")

    assert [o for o in outputs if isinstance(o, SaveSurvey)] == [
        SaveSurvey(call_id=CALL, answers={"resolved": 3})
    ]


def test_partial_answers_are_saved_when_the_caller_hangs_up(tmp_path: Path) -> None:
    call = Call(make_flow(tmp_path, SURVEY))
    call.start()
    call.keys("2")

    outputs = call.hang_up()

    assert outputs == [
        SaveSurvey(call_id=CALL, answers={"satisfaction": 2}),
        IvrFinished(call_id=CALL, outcome="hangup", path=("survey",)),
    ]
