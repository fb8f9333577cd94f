"""The loader reports every problem of a flow at once, each with file and line."""

import textwrap
from pathlib import Path

import pytest

from callcenter.domain.commands import SayKind
from ivr.errors import IvrScriptError
from ivr.loader import check_flow, load_flow, load_flows
from ivr.model import (
    AnnounceMode,
    BranchNode,
    CollectNode,
    EnqueueNode,
    MenuNode,
    PlayNode,
    SayNode,
)
from tests.ivr.helpers import SAMPLES, write_flow

GOOD = textwrap.dedent(
    """
    start: hello
    nodes:
      hello:
        kind: play
        prompts: [custom/welcome]
        next: bye
      bye:
        kind: hangup
"""
).lstrip()


def problems_of(tmp_path: Path, text: str, **kwargs: Path) -> list[tuple[int, str]]:
    path = write_flow(tmp_path, text)
    flow, problems = check_flow(path, **kwargs)
    assert flow is None
    assert all(problem.file == path for problem in problems)
    return [(problem.line, problem.message) for problem in problems]


def test_a_good_flow_loads_into_typed_nodes(tmp_path: Path) -> None:
    flow = load_flow(write_flow(tmp_path, GOOD, name="greeting"))

    assert flow.name == "greeting"
    assert flow.start == "hello"
    hello = flow.nodes["hello"]
    assert isinstance(hello, PlayNode)
    assert hello.prompts == ("custom/welcome",)
    assert hello.line == 3
    assert flow.languages == ("en",)


def test_unknown_node_kind(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        """
        start: a
        nodes:
          a:
            kind: dance
        """,
    )
    assert found[0][0] == 4
    assert "unknown node kind 'dance'" in found[0][1]


def test_next_pointing_nowhere(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        """
        start: a
        nodes:
          a:
            kind: play
            prompts: [x]
            next: nowhere
        """,
    )
    assert found == [(6, "node 'a': next -> 'nowhere' points to no node")]


def test_exits_pointing_nowhere_are_reported_where_they_are_written(
    tmp_path: Path,
) -> None:
    found = problems_of(
        tmp_path,
        """
        start: m
        nodes:
          m:
            kind: menu
            prompt: p
            options:
              "1": bye
              "2": {next: gone}
              "3": lost
            on_failure: missing
          bye:
            kind: branch
            cases:
              - when: x
                next: void
            else: bye2
          bye2: {kind: hangup}
        """,
    )
    assert [line for line, _ in found] == [8, 9, 10, 15]
    assert found[0][1] == "node 'm': 2 -> 'gone' points to no node"
    assert found[2][1] == "node 'm': failure -> 'missing' points to no node"
    assert found[3][1] == "node 'bye': x -> 'void' points to no node"


def test_unreachable_node(tmp_path: Path) -> None:
    found = problems_of(tmp_path, GOOD + "  orphan:\n    kind: hangup\n")
    assert found == [(9, "node 'orphan' is unreachable from 'hello'")]


def test_menu_without_an_exit(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        """
        start: m
        nodes:
          m:
            kind: menu
            prompt: custom/menu
        """,
    )
    assert found == [(3, "menu 'm' has no options (no exit)")]


def test_missing_prompt_file_only_when_a_prompts_dir_is_given(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    (prompts / "en" / "custom").mkdir(parents=True)
    load_flow(write_flow(tmp_path, GOOD))  # no directory: not checked

    found = problems_of(tmp_path, GOOD, prompts_dir=prompts)
    assert found == [
        (3, f"prompt 'custom/welcome' has no sound file under {prompts / 'en'}")
    ]

    (prompts / "en" / "custom" / "welcome.wav").write_bytes(b"RIFF")
    assert load_flow(write_flow(tmp_path, GOOD), prompts_dir=prompts).name == "flow"


def test_prompt_files_are_checked_per_language(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    for language in ("en", "zh"):
        (prompts / language / "custom").mkdir(parents=True)
    (prompts / "en" / "custom" / "welcome.gsm").write_bytes(b"")
    found = problems_of(tmp_path, "languages: [en, zh]\n" + GOOD, prompts_dir=prompts)
    assert len(found) == 1
    assert "zh" in found[0][1]


def test_a_missing_language_directory_is_one_problem(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    found = problems_of(tmp_path, GOOD, prompts_dir=prompts)
    assert found == [(1, f"language 'en' has no prompts directory {prompts / 'en'}")]


def test_loop_with_no_way_out(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        """
        start: a
        nodes:
          a:
            kind: play
            prompts: [x]
            next: b
          b:
            kind: set
            variables: {seen: true}
            next: a
        """,
    )
    assert found == [
        (
            3,
            "loop with no way out: a -> b never reaches an end and never waits for the caller",
        )
    ]


def test_a_loop_through_a_menu_or_with_an_exit_is_fine(tmp_path: Path) -> None:
    load_flow(
        write_flow(
            tmp_path,
            """
            start: menu
            nodes:
              menu:
                kind: menu
                prompt: custom/menu
                options: {"9": again, "1": bye}
              again:
                kind: play
                prompts: [custom/again]
                next: menu
              bye:
                kind: hangup
            """,
        )
    )


def test_bad_field_types_are_each_reported(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        """
        start: m
        nodes:
          m:
            kind: menu
            prompt: 5
            timeout: soon
            retries: -1
            options: {"1": bye}
          bye:
            kind: hangup
            prompts: yes
        """,
    )
    lines = {line for line, _ in found}
    assert lines == {5, 6, 7, 11}
    assert any("'timeout' must be a number, not 'soon'" in m for _, m in found)
    assert any("'retries' must be an integer >= 0" in m for _, m in found)


def test_unknown_and_missing_fields(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        """
        start: a
        nodes:
          a:
            kind: play
            promts: [x]
            next: b
          b:
            kind: hangup
        """,
    )
    assert (3, "play node 'a': missing required field 'prompts'") in found
    assert (5, "play node 'a': unknown field 'promts'") in found


def test_anchors_under_x_keys_can_share_settings(tmp_path: Path) -> None:
    flow = load_flow(
        write_flow(
            tmp_path,
            """
            x-hold: &hold {announce_every: 30, offer_after: 60}
            start: q
            nodes:
              q:
                kind: enqueue
                queue: reservations
                hold: {<<: *hold, moh: jazz}
                callback: cb
              cb: {kind: callback}
            """,
        )
    )
    queue = flow.nodes["q"]
    assert isinstance(queue, EnqueueNode)
    assert (queue.hold.moh_class, queue.hold.announce_every) == ("jazz", 30)


def test_duplicate_node_names(tmp_path: Path) -> None:
    found = problems_of(tmp_path, GOOD + "  bye:\n    kind: hangup\n")
    assert (9, "duplicate key 'bye'") in found


def test_invalid_yaml_has_a_line(tmp_path: Path) -> None:
    found = problems_of(tmp_path, "start: a\nnodes:\n  a: [unclosed\n")
    assert len(found) == 1
    assert found[0][1].startswith("invalid YAML")
    assert found[0][0] >= 3


def test_missing_start_node(tmp_path: Path) -> None:
    found = problems_of(tmp_path, GOOD.replace("start: hello", "start: nope"))
    assert (1, "start node 'nope' does not exist") in found


def test_bad_condition_syntax(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        """
        start: b
        nodes:
          b:
            kind: branch
            cases:
              - when: tier == == "vip"
                next: bye
            else: bye
          bye:
            kind: hangup
        """,
    )
    assert found[0][0] == 6
    assert "bad condition" in found[0][1]


def test_unknown_validator_and_bad_pattern(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        """
        start: c
        nodes:
          c:
            kind: collect
            prompt: p
            max_digits: 4
            validator: passport
            pattern: "[0-9"
            store: x
            next: bye
          bye:
            kind: hangup
        """,
    )
    assert [line for line, _ in found] == [7, 8]


def test_language_must_be_one_of_the_flow_languages(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path,
        """
        languages: [en, zh]
        start: s
        nodes:
          s:
            kind: set
            variables: {language: fr}
            next: bye
          bye:
            kind: hangup
        """,
    )
    assert found == [
        (4, "node 's': language 'fr' is not one of the flow's languages ['en', 'zh']")
    ]


def test_all_problems_of_all_files_are_reported_at_once(tmp_path: Path) -> None:
    write_flow(tmp_path, GOOD.replace("next: bye", "next: gone"), name="one")
    write_flow(
        tmp_path,
        """
        start: s
        nodes:
          s:
            kind: subflow
            flow: missing
            next: bye
          bye:
            kind: hangup
          extra:
            kind: teleport
        """,
        name="two",
    )
    with pytest.raises(IvrScriptError) as caught:
        load_flows(tmp_path)
    messages = [str(problem) for problem in caught.value.problems]
    assert any(m.startswith(f"{tmp_path / 'one.yaml'}:6:") for m in messages)
    assert any("unknown node kind 'teleport'" in m for m in messages)
    assert any("flow 'missing' does not exist" in m for m in messages)
    assert str(tmp_path / "two.yaml") in str(caught.value)


def test_node_fields_are_typed(tmp_path: Path) -> None:
    flow = load_flow(SAMPLES / "main.yaml")
    menu = flow.nodes["main_menu"]
    assert isinstance(menu, MenuNode)
    assert [o.digit for o in menu.options] == ["1", "2", "3", "4"]
    assert menu.options[3].when is not None
    assert menu.options[3].when({"tier": "key"})
    collect = flow.nodes["booking_reference"]
    assert isinstance(collect, CollectNode)
    assert collect.validator == "booking_reference"
    say = flow.nodes["read_back_reference"]
    assert isinstance(say, SayNode)
    assert say.say_as is SayKind.DIGITS
    queue = flow.nodes["complaints_queue"]
    assert isinstance(queue, EnqueueNode)
    assert queue.hold.announce_mode is AnnounceMode.ALWAYS
    assert queue.after_call == "survey"
    assert isinstance(flow.nodes["complaint_check"], BranchNode)


def test_sample_flows_load_and_use_the_shared_queue_names() -> None:
    flows = load_flows(SAMPLES)
    assert {"main", "hotel", "travel", "survey"} <= set(flows)
    queues = {
        node.queue
        for flow in flows.values()
        for node in flow.nodes.values()
        if isinstance(node, EnqueueNode)
    }
    assert queues == {"reservations", "bookings", "complaints", "key_accounts"}
