"""The configuration is validated on load; every problem is one clear line."""

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.center import build_acd
from callcenter.cli import main
from callcenter.domain.ids import QueueName
from callcenter.errors import ConfigError
from callcenter.settings import load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "callcenter.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problem(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text), environ=environ or {})
    return str(info.value)


def test_no_file_gives_the_embedded_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.pbx.kind == "simulated"
    assert settings.mqtt.embedded
    assert {q.name for q in settings.queues} == {
        "reservations",
        "bookings",
        "complaints",
        "key_accounts",
    }
    assert settings.database_url().startswith("sqlite+aiosqlite:///")


def test_the_shipped_sample_is_valid() -> None:
    sample = Path(__file__).parents[2] / "config" / "callcenter.toml"
    settings = load_settings(sample, environ={})
    assert settings.agents


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    message = problem(tmp_path, "[pbx]\nkindd = 'asterisk'\n")
    assert "callcenter.toml: pbx.kindd: unknown key" in message


def test_unknown_section(tmp_path: Path) -> None:
    assert "wallbord: unknown key" in problem(tmp_path, "[wallbord]\nport = 1\n")


def test_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    message = problem(tmp_path, "[web]\nport = 'eighty'\n")
    assert "web.port" in message
    assert "integer" in message
    assert "'eighty'" in message


def test_out_of_range_value(tmp_path: Path) -> None:
    message = problem(tmp_path, "[pbx]\nport = 70000\n")
    assert "pbx.port" in message
    assert "less than or equal to 65535" in message


def test_bad_choice(tmp_path: Path) -> None:
    message = problem(tmp_path, "[pbx]\nkind = 'freeswitch'\n")
    assert "pbx.kind" in message
    assert "'simulated' or 'asterisk'" in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    message = problem(tmp_path, "[pbx]\nport = 0\n[web]\nport = -1\n")
    assert len(message.splitlines()) == 2


def test_agent_in_an_unknown_queue(tmp_path: Path) -> None:
    text = (
        "[[queues]]\nname = 'sales'\n"
        "[[agents]]\nid = '1'\nname = 'A'\nqueues = {support = 0}\n"
    )
    assert "agents[0].queues: unknown queue 'support'" in problem(tmp_path, text)


def test_queue_weight_reaches_the_acd_and_defaults_to_zero(tmp_path: Path) -> None:
    text = (
        "[[queues]]\nname = 'sales'\nweight = 10\n"
        "[[queues]]\nname = 'support'\n"
        "[[agents]]\nid = '1'\nname = 'A'\nqueues = {sales = 0, support = 0}\n"
    )
    settings = load_settings(write(tmp_path, text), environ={})
    assert [q.weight for q in settings.queues] == [10, 0]
    queues = build_acd(settings)._core.queues
    assert queues[QueueName("sales")].weight == 10
    assert queues[QueueName("support")].weight == 0


def test_a_negative_queue_weight_is_refused(tmp_path: Path) -> None:
    message = problem(tmp_path, "[[queues]]\nname = 'sales'\nweight = -1\n")
    assert "queues[0].weight" in message
    assert "greater than or equal to 0" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        path = tmp_path  # a directory cannot be read as a file, even by root
    else:
        path = write(tmp_path, "")
        path.chmod(0)
    with pytest.raises(ConfigError, match="cannot read configuration file"):
        load_settings(path, environ={})


def test_not_toml(tmp_path: Path) -> None:
    assert "not valid TOML" in problem(tmp_path, "[pbx\n")


def test_secret_comes_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        write(tmp_path, "[pbx]\nkind = 'asterisk'\n"),
        environ={"CALLCENTER_AMI_SECRET": "s3cret"},
    )
    assert settings.pbx.secret is not None
    assert settings.pbx.secret.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)


def test_secrets_never_appear_in_errors(tmp_path: Path) -> None:
    message = problem(tmp_path, "[pbx]\nsecret = 12345\n")
    assert "pbx.secret" in message
    assert "12345" not in message


def test_cli_exits_2_with_one_line_per_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "[web]\nport = 'x'\n[pbx]\nbogus = 1\n")
    result = CliRunner().invoke(main, ["--config", str(path), "config", "check"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line]
    assert len(lines) == 2
    assert all(line.startswith("error: ") for line in lines)
    assert "Traceback" not in result.output


def test_cli_config_check_ok(tmp_path: Path) -> None:
    path = write(tmp_path, "[simulation]\nseed = 7\n")
    result = CliRunner().invoke(main, ["--config", str(path), "config", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: pbx=simulated")


@pytest.mark.parametrize(
    "command",
    [
        ["ivr", "reload"],
        ["wallboard", "--token", "t"],
        ["bus", "tail"],
        ["pbx", "check"],
        ["up", "--for", "1"],
    ],
)
def test_every_command_reading_the_config_reports_a_bad_file_the_same_way(
    tmp_path: Path, command: list[str]
) -> None:
    path = write(tmp_path, "[web]\nport = 'x'\n")
    result = CliRunner().invoke(main, ["--config", str(path), *command])
    assert result.exit_code == 2, result.output
    assert result.output.strip().startswith("error: ")
    assert "web.port" in result.output
    assert "Traceback" not in result.output


def test_a_supervisors_phone_is_an_endpoint_or_an_extension(tmp_path: Path) -> None:
    user = "[[web.users]]\nname = 'sam'\npassword_hash = 'x'\nphone = '{}'\n"
    for phone in ("PJSIP/2001", "2001"):
        settings = load_settings(write(tmp_path, user.format(phone)), environ={})
        assert settings.web.users[0].phone == phone
    message = problem(tmp_path, user.format("2001,qw"))
    assert "web.users[0].phone: String should match pattern" in message
