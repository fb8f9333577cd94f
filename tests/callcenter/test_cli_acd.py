"""``callcenter staffing`` and ``callcenter simulate`` print what they promise."""

import json

from click.testing import CliRunner

from callcenter.cli_acd import simulate_command, staffing_command


def test_staffing_json() -> None:
    result = CliRunner().invoke(
        staffing_command, ["--calls-per-hour", "300", "--aht", "240", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["agents_needed"] == 25
    assert payload["traffic_erlangs"] == 20.0
    rows = {row["agents"]: row for row in payload["rows"]}
    assert rows[25]["service_level"] >= 0.8 > rows[24]["service_level"]


def test_staffing_table() -> None:
    result = CliRunner().invoke(
        staffing_command, ["--calls-per-hour", "300", "--aht", "240"]
    )
    assert result.exit_code == 0, result.output
    assert "25 agents" in result.output


def test_simulate_json_has_exactly_the_documented_keys() -> None:
    args = ["--agents", "5", "--calls-per-hour", "60", "--aht", "120", "--hours", "2"]
    result = CliRunner().invoke(simulate_command, [*args, "--seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload) == {
        "offered",
        "answered",
        "abandoned",
        "service_level",
        "asa_seconds",
        "prob_wait",
        "occupancy",
        "aht_seconds",
    }
    assert payload["offered"] == payload["answered"] + payload["abandoned"]
