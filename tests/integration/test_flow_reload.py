"""Reloading the IVR flows of a running center: new calls get the new flows.

A call in progress keeps the flows it started with; a folder that does not
validate (or lacks the main flow) is refused and the old flows stay in use.
"""

from pathlib import Path

from callcenter.center import reload_flows
from tests.integration.harness import Line

FLOW = """
start: menu
nodes:
  menu:
    kind: menu
    prompt: custom/VERSION-menu
    options: {"1": bye}
  bye:
    kind: hangup
    prompts: [custom/VERSION-bye]
"""


def write(folder: Path, version: str) -> None:
    (folder / "main.yaml").write_text(FLOW.replace("VERSION", version), "utf-8")


async def test_new_calls_get_new_flows_and_running_calls_keep_theirs(
    tmp_path: Path,
) -> None:
    write(tmp_path, "v1")
    line = Line(flows_dir=tmp_path)
    before = line.call("+100", ("1",))
    await line.run(1)  # the first caller is at the menu of v1
    write(tmp_path, "v2")

    assert reload_flows(line.center) == []
    after = line.call("+200", ("1",))
    await line.run(600)

    assert line.heard(before) == ["custom/v1-menu", "custom/v1-bye"]
    assert line.heard(after) == ["custom/v2-menu", "custom/v2-bye"]
    assert line.center.flows.generation == 1


async def test_a_broken_folder_keeps_the_flows_in_use(tmp_path: Path) -> None:
    write(tmp_path, "v1")
    line = Line(flows_dir=tmp_path)
    (tmp_path / "main.yaml").write_text("start: nowhere\nnodes: {}\n", "utf-8")

    problems = reload_flows(line.center)

    assert problems
    assert all(p.file.name == "main.yaml" for p in problems)
    call = line.call("+100", ("1",))
    await line.run(600)
    assert line.heard(call) == ["custom/v1-menu", "custom/v1-bye"]
    assert line.center.flows.generation == 0


async def test_a_folder_without_the_main_flow_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "v1")
    line = Line(flows_dir=tmp_path)
    (tmp_path / "main.yaml").rename(tmp_path / "other.yaml")

    problems = reload_flows(line.center)

    assert [(p.file.name, p.message) for p in problems] == [
        ("main.yaml", "flow missing")
    ]
    call = line.call("+100", ("1",))
    await line.run(600)
    assert line.heard(call)[0] == "custom/v1-menu"
