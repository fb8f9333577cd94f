"""``callcenter ivr``: check, run, graph and reload through click's CliRunner."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.cli_ivr import ivr_group
from tests.ivr.helpers import SAMPLES, write_flow


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_check_passes_on_the_sample_flows(runner: CliRunner) -> None:
    result = runner.invoke(ivr_group, ["check", str(SAMPLES)])

    assert result.exit_code == 0, result.output
    assert "ok: 4 flow(s) valid" in result.output


def test_check_one_file_checks_subflows_against_its_directory(
    runner: CliRunner,
) -> None:
    result = runner.invoke(ivr_group, ["check", str(SAMPLES / "main.yaml")])
    assert result.exit_code == 0, result.output


def test_check_prints_every_problem_and_fails(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = write_flow(
        tmp_path,
        """
        start: a
        nodes:
          a: {kind: play, prompts: [x], next: nowhere}
          b: {kind: juggle}
        """,
    )

    result = runner.invoke(ivr_group, ["check", str(path)])

    assert result.exit_code == 1
    assert f"{path}:3: node 'a': next -> 'nowhere' points to no node" in result.output
    assert f"{path}:4: node 'b': unknown node kind 'juggle'" in result.output


def test_check_with_prompts_reports_missing_sound_files(
    runner: CliRunner, tmp_path: Path
) -> None:
    prompts = tmp_path / "prompts"
    (prompts / "en").mkdir(parents=True)
    shutil.copy(SAMPLES / "survey.yaml", tmp_path / "survey.yaml")

    result = runner.invoke(
        ivr_group, ["check", str(tmp_path / "survey.yaml"), "--prompts", str(prompts)]
    )

    assert result.exit_code == 1
    assert "custom/survey-intro" in result.output


def test_run_prints_path_prompts_and_outcome(runner: CliRunner) -> None:
    args = ["run", "main", "--dir", str(SAMPLES), "--caller", "+8613800138000"]
    result = runner.invoke(
        ivr_group, [*args, "--dtmf", "1,1,5,4,3", "--agent-after", "30"]
    )

    assert result.exit_code == 0, result.output
    assert (
        "path: identify -> greeting -> language_known -> choose_language"
        in result.output
    )
    assert "  custom/welcome\n" in result.output
    assert "Enqueue queue=reservations" in result.output
    assert (
        "SaveSurvey answers={'satisfaction': 5, 'resolved': 4, 'agent': 3}"
        in result.output
    )
    assert "outcome: answered" in result.output


def test_run_a_known_vip_skips_the_language_menu(runner: CliRunner) -> None:
    args = ["run", "main", "--dir", str(SAMPLES), "--dtmf", "2,12345678"]
    args += ["--tier", "vip"]
    result = runner.invoke(ivr_group, args)

    assert result.exit_code == 0, result.output
    assert "choose_language" not in result.output
    assert (
        "main_menu -> booking_reference -> find_booking -> read_back_reference"
        in result.output
    )
    assert "LookupCustomer by=digits value=12345678" in result.output
    assert "<digits 12345678>" in result.output


def test_run_open_complaint_goes_to_the_complaints_team(runner: CliRunner) -> None:
    result = runner.invoke(
        ivr_group,
        [
            "run",
            str(SAMPLES / "main.yaml"),
            "--dtmf",
            "1,1",
            "--open-complaint",
            "--language",
            "en",
        ],
    )

    assert result.exit_code == 0, result.output
    assert "complaint_offer -> complaints_queue" in result.output
    assert "Enqueue queue=complaints" in result.output


def test_run_with_variables_and_a_hangup(runner: CliRunner) -> None:
    closed = runner.invoke(
        ivr_group,
        [
            "run",
            "main",
            "--dir",
            str(SAMPLES),
            "--dtmf",
            "1",
            "--var",
            "business_hours=false",
        ],
    )
    assert "outcome: voicemail" in closed.output

    hung_up = runner.invoke(
        ivr_group,
        [
            "run",
            "main",
            "--dir",
            str(SAMPLES),
            "--dtmf",
            "1,1",
            "--hangup-at",
            "main_menu",
        ],
    )
    assert "outcome: hangup" in hung_up.output


def test_run_rejects_bad_arguments(runner: CliRunner) -> None:
    unknown = runner.invoke(ivr_group, ["run", "nope", "--dir", str(SAMPLES)])
    assert unknown.exit_code != 0
    assert "no flow 'nope'" in unknown.output

    bad_var = runner.invoke(
        ivr_group, ["run", "main", "--dir", str(SAMPLES), "--var", "x"]
    )
    assert bad_var.exit_code != 0


def test_graph_writes_mermaid_or_dot(runner: CliRunner, tmp_path: Path) -> None:
    mermaid = runner.invoke(ivr_group, ["graph", "survey", "--dir", str(SAMPLES)])
    assert mermaid.output.startswith("flowchart TD")

    target = tmp_path / "main.dot"
    dot = runner.invoke(
        ivr_group,
        ["graph", "main", "--dir", str(SAMPLES), "--format", "dot", "-o", str(target)],
    )
    assert dot.exit_code == 0
    assert target.read_text().startswith('digraph "main"')


def test_reload_without_a_running_server_says_so(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(ivr_group, ["reload", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "no running callcenter server found" in result.output
    assert "callcenter up" in result.output


@pytest.mark.parametrize("flow", ["main", "hotel", "travel", "survey"])
def test_every_sample_flow_runs(runner: CliRunner, flow: str) -> None:
    args = [
        "run",
        flow,
        "--dir",
        str(SAMPLES),
        "--dtmf",
        "1,1,5,5,5",
        "--agent-after",
        "20",
    ]
    result = runner.invoke(ivr_group, args)

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("outcome: ")
