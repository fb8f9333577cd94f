"""One builder per node kind: YAML fields in, a model node out.

Each builder reads its fields through a :class:`FieldReader`, so a wrong type or a
missing field becomes a located problem and the builder still returns a node
(with defaults) whenever it can, letting graph validation report more at once.
"""

import re
from collections.abc import Callable

from callcenter.domain.commands import SayKind
from ivr.conditions import Condition, ConditionSyntaxError, parse_condition
from ivr.errors import Problem
from ivr.fields import FieldReader, LineMap
from ivr.model import (
    DEFAULT_OFFER_PROMPT,
    LOOKUP_BY,
    AnnounceMode,
    BranchNode,
    CallbackNode,
    Case,
    CollectNode,
    EnqueueNode,
    HangupNode,
    HoldPolicy,
    LookupBy,
    LookupNode,
    MenuNode,
    MenuOption,
    Node,
    PlayNode,
    Question,
    ReturnNode,
    SayNode,
    Scalar,
    SetNode,
    SubflowNode,
    SurveyNode,
    TransferNode,
    VoicemailNode,
)
from ivr.validators import VALIDATORS

Builder = Callable[[FieldReader, str, int], Node | None]
_DIGITS = frozenset("0123456789*#")


def _condition(reader: FieldReader, key: str, text: object) -> Condition | None:
    if not isinstance(text, str | bool):
        reader.problem(key, f"{reader.where}: condition must be text, not {text!r}")
        return None
    try:
        return parse_condition(str(text).lower() if isinstance(text, bool) else text)
    except ConditionSyntaxError as exc:
        reader.problem(key, f"{reader.where}: bad condition: {exc}")
        return None


def _build_play(r: FieldReader, name: str, line: int) -> Node | None:
    prompts = r.text_list("prompts", required=True)
    interruptible = r.flag("interruptible", default=False)
    return PlayNode(
        name=name,
        line=line,
        prompts=prompts,
        next=r.ref("next", "") or "",
        interruptible=interruptible,
    )


def _build_say(r: FieldReader, name: str, line: int) -> Node | None:
    variable = r.optional_text("variable")
    raw = r.raw("value")
    value: int | None = None
    if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int)):
        r.problem("value", f"{r.where}: field 'value' must be an integer, not {raw!r}")
    elif raw is not None:
        value = raw
    if (variable is None) == (raw is None):
        r.problem("variable", f"{r.where}: give exactly one of 'variable' or 'value'")
    kind_text = r.text("as", default=SayKind.NUMBER.value) or SayKind.NUMBER.value
    if kind_text not in SayKind.__members__.values():
        choices = ", ".join(SayKind)
        r.problem("as", f"{r.where}: 'as' must be one of {choices}, not {kind_text!r}")
        kind_text = SayKind.NUMBER.value
    return SayNode(
        name=name,
        line=line,
        value=value,
        variable=variable,
        say_as=SayKind(kind_text),
        next=r.ref("next", "") or "",
    )


def _menu_options(r: FieldReader) -> tuple[MenuOption, ...]:
    options = r.mapping("options")
    if options is None:
        return ()
    found: list[MenuOption] = []
    for digit, spec in options.items():
        where = f"{r.where} option {digit!r}"
        line = options.key_lines[digit]
        if len(digit) != 1 or digit not in _DIGITS:
            r.problems.append(_problem(r, line, f"{where}: key must be one DTMF digit"))
        r.ref_lines[digit] = line
        if isinstance(spec, str):
            found.append(MenuOption(digit=digit, target=spec))
        elif isinstance(spec, LineMap):
            sub = FieldReader(spec, source=r.source, where=where)
            target = sub.text("next") or ""
            r.ref_lines[digit] = sub.line_of("next")
            when = sub.raw("when")
            condition = None if when is None else _condition(sub, "when", when)
            r.problems.extend(sub.finish())
            found.append(MenuOption(digit=digit, target=target, when=condition))
        else:
            message = f"{where}: must be a node name or a mapping with 'next'"
            r.problems.append(_problem(r, line, message))
    return tuple(found)


def _problem(r: FieldReader, line: int, message: str) -> Problem:
    return Problem(file=r.source, line=line, message=message)


def _build_menu(r: FieldReader, name: str, line: int) -> Node | None:
    prompts = r.text_list("prompt", required=True)
    return MenuNode(
        name=name,
        line=line,
        prompts=prompts,
        options=_menu_options(r),
        timeout=r.number("timeout", 5.0, minimum=0.5),
        retries=r.integer("retries", 2),
        invalid_prompt=r.optional_text("invalid_prompt"),
        no_input_prompt=r.optional_text("no_input_prompt"),
        on_failure=r.ref("on_failure", "failure", required=False),
    )


def _build_collect(r: FieldReader, name: str, line: int) -> Node | None:
    validator = r.optional_text("validator")
    if validator is not None and validator not in VALIDATORS:
        known = ", ".join(sorted(VALIDATORS))
        r.problem("validator", f"{r.where}: unknown validator {validator!r} ({known})")
    pattern = r.optional_text("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            r.problem("pattern", f"{r.where}: bad regular expression: {exc}")
    until_hash = r.flag("until_hash", default=False)
    max_digits = r.integer("max_digits", 20 if until_hash else 0, minimum=1)
    if max_digits == 0:
        r.problem("max_digits", f"{r.where}: give 'max_digits' or 'until_hash: true'")
        max_digits = 1
    min_digits = r.integer("min_digits", 1, minimum=1)
    if min_digits > max_digits:
        r.problem("min_digits", f"{r.where}: 'min_digits' exceeds 'max_digits'")
    return CollectNode(
        name=name,
        line=line,
        prompt=r.text("prompt") or "",
        store=r.text("store") or "",
        max_digits=max_digits,
        min_digits=min(min_digits, max_digits),
        timeout=r.number("timeout", 7.0, minimum=0.5),
        validator=validator,
        pattern=pattern,
        retries=r.integer("retries", 2),
        invalid_prompt=r.optional_text("invalid_prompt"),
        next=r.ref("next", "") or "",
        on_failure=r.ref("on_failure", "failure", required=False),
    )


def _build_lookup(r: FieldReader, name: str, line: int) -> Node | None:
    text = r.text("by", default="caller") or "caller"
    variable = r.optional_text("variable")
    by: LookupBy | None = next((kind for kind in LOOKUP_BY if kind == text), None)
    if by is None:
        kinds = ", ".join(LOOKUP_BY)
        r.problem("by", f"{r.where}: 'by' must be one of {kinds}, not {text!r}")
    elif by != "caller" and variable is None:
        r.problem("by", f"{r.where}: lookup by {by} needs 'variable'")
    return LookupNode(
        name=name,
        line=line,
        by=by or "caller",
        variable=variable,
        timeout=r.number("timeout", 3.0, minimum=0.1),
        next=r.ref("next", "") or "",
    )


def _build_branch(r: FieldReader, name: str, line: int) -> Node | None:
    raw = r.raw("cases", required=True)
    cases: list[Case] = []
    if raw is not None and not isinstance(raw, list):
        r.problem("cases", f"{r.where}: 'cases' must be a list of {{when, next}}")
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, LineMap):
            r.problem("cases", f"{r.where}: each case must be a mapping {{when, next}}")
            continue
        sub = FieldReader(item, source=r.source, where=f"{r.where} case")
        when = _condition(sub, "when", sub.raw("when", required=True))
        target = sub.text("next") or ""
        r.problems.extend(sub.finish())
        if when is not None:
            r.ref_lines[when.text] = sub.line_of("next")
            cases.append(Case(when=when, target=target, line=item.line))
    return BranchNode(
        name=name, line=line, cases=tuple(cases), otherwise=r.ref("else", "else") or ""
    )


def _build_set(r: FieldReader, name: str, line: int) -> Node | None:
    values = r.mapping("variables", required=True)
    pairs: list[tuple[str, Scalar]] = []
    for key, value in (values or {}).items():
        if not isinstance(value, str | int | bool):
            r.problem("variables", f"{r.where}: {key!r} must be text, number or bool")
            continue
        pairs.append((key, value))
    return SetNode(
        name=name, line=line, values=tuple(pairs), next=r.ref("next", "") or ""
    )


def _hold_policy(r: FieldReader) -> HoldPolicy:
    hold = r.mapping("hold")
    if hold is None:
        return HoldPolicy()
    h = FieldReader(hold, source=r.source, where=f"{r.where} hold")
    mode = h.text("announce_mode", default="") or AnnounceMode.CHANGED.value
    if mode not in AnnounceMode.__members__.values():
        h.problem("announce_mode", f"{h.where}: announce_mode must be changed/always")
        mode = AnnounceMode.CHANGED.value
    policy = HoldPolicy(
        moh_class=h.text("moh", default="default") or "default",
        announce_position=h.flag("announce_position", default=True),
        announce_ewt=h.flag("announce_ewt", default=True),
        announce_on_entry=h.flag("announce_on_entry", default=True),
        announce_every=h.number("announce_every", 60.0),
        announce_mode=AnnounceMode(mode),
        offer_after=h.number("offer_after", 0.0),
        offer_every=h.number("offer_every", 0.0),
        offer_prompt=h.text("offer_prompt", default="") or DEFAULT_OFFER_PROMPT,
        offer_timeout=h.number("offer_timeout", 5.0, minimum=0.5),
    )
    r.problems.extend(h.finish())
    return policy


def _build_enqueue(r: FieldReader, name: str, line: int) -> Node | None:
    hold = _hold_policy(r)
    callback = r.ref("callback", "callback", required=False)
    if hold.offer_after > 0 and callback is None:
        r.problem("hold", f"{r.where}: a callback offer needs a 'callback' node")
    after_call = r.optional_text("after_call")
    return EnqueueNode(
        name=name,
        line=line,
        queue=r.text("queue") or "",
        skills=r.text_list("skills"),
        hold=hold,
        max_wait=r.number("max_wait", 0.0),
        callback=callback,
        on_closed=r.ref("on_closed", "closed", required=False),
        on_overflow=r.ref("on_overflow", "overflow", required=False),
        after_call=None if after_call == "none" else after_call,
    )


def _build_voicemail(r: FieldReader, name: str, line: int) -> Node | None:
    return VoicemailNode(
        name=name,
        line=line,
        mailbox=r.text("mailbox") or "",
        max_seconds=r.integer("max_seconds", 120, minimum=1),
        prompts=r.text_list("prompts"),
    )


def _build_callback(r: FieldReader, name: str, line: int) -> Node | None:
    default = CallbackNode(name=name, line=line)
    return CallbackNode(
        name=name,
        line=line,
        confirm_prompt=r.text("confirm_prompt", default=default.confirm_prompt)
        or default.confirm_prompt,
        enter_prompt=r.text("enter_prompt", default=default.enter_prompt)
        or default.enter_prompt,
        done_prompts=r.text_list("done_prompts") or default.done_prompts,
        timeout=r.number("timeout", 7.0, minimum=0.5),
        retries=r.integer("retries", 2),
        on_failure=r.ref("on_failure", "failure", required=False),
    )


def _questions(r: FieldReader) -> tuple[Question, ...]:
    raw = r.raw("questions", required=True)
    if not isinstance(raw, list) or not raw:
        if raw is not None:
            r.problem("questions", f"{r.where}: 'questions' must be a non-empty list")
        return ()
    found: list[Question] = []
    for item in raw:
        if not isinstance(item, LineMap):
            r.problem("questions", f"{r.where}: each question needs key and prompt")
            continue
        sub = FieldReader(item, source=r.source, where=f"{r.where} question")
        found.append(
            Question(key=sub.text("key") or "", prompt=sub.text("prompt") or "")
        )
        r.problems.extend(sub.finish())
    return tuple(found)


def _build_survey(r: FieldReader, name: str, line: int) -> Node | None:
    return SurveyNode(
        name=name,
        line=line,
        questions=_questions(r),
        timeout=r.number("timeout", 6.0, minimum=0.5),
        retries=r.integer("retries", 1),
        invalid_prompt=r.optional_text("invalid_prompt"),
        thanks_prompts=r.text_list("thanks_prompts"),
        next=r.ref("next", "", required=False),
    )


def _build_transfer(r: FieldReader, name: str, line: int) -> Node | None:
    return TransferNode(
        name=name,
        line=line,
        target=r.text("target") or "",
        prompts=r.text_list("prompts"),
    )


def _build_hangup(r: FieldReader, name: str, line: int) -> Node | None:
    return HangupNode(
        name=name,
        line=line,
        prompts=r.text_list("prompts"),
        outcome=r.optional_text("outcome"),
    )


def _build_subflow(r: FieldReader, name: str, line: int) -> Node | None:
    return SubflowNode(
        name=name, line=line, flow=r.text("flow") or "", next=r.ref("next", "") or ""
    )


def _build_return(r: FieldReader, name: str, line: int) -> Node | None:
    del r
    return ReturnNode(name=name, line=line)


BUILDERS: dict[str, Builder] = {
    "play": _build_play,
    "say": _build_say,
    "menu": _build_menu,
    "collect": _build_collect,
    "crm_lookup": _build_lookup,
    "branch": _build_branch,
    "set": _build_set,
    "enqueue": _build_enqueue,
    "voicemail": _build_voicemail,
    "callback": _build_callback,
    "survey": _build_survey,
    "transfer": _build_transfer,
    "hangup": _build_hangup,
    "subflow": _build_subflow,
    "return": _build_return,
}
"""Node kinds by their YAML ``kind`` name."""
