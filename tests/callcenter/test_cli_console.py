"""How ``callcenter console`` logs in to the broker (``console_address``).

The scheme: MQTT user name = agent id = the ``agents/{id}`` topic level, so that the
``%u`` patterns of ``config/mosquitto/acl.example`` confine each console to its own
topics. On a real mosquitto: ``tests/agent_console/test_mqtt_acl.py``.
"""

from pathlib import Path

from pydantic import SecretStr

from callcenter.cli_console import PASSWORD_ENV, console_address
from callcenter.mqtt import topics
from callcenter.mqtt.settings import MqttSettings

ACL = Path("config/mosquitto/acl.example")
PRODUCTION = MqttSettings(
    embedded=False, host="cti.example", port=8883, site="s1", tls=True,
    username="callcenter", password=SecretStr("server-secret"),
)  # fmt: skip


def never_asked(agent: str) -> str:
    msg = f"asked for the password of {agent}"
    raise AssertionError(msg)


def test_the_user_name_is_the_agent_id_and_the_password_comes_from_the_env() -> None:
    address = console_address(
        PRODUCTION, "1001", environ={PASSWORD_ENV: "anna-secret"}, ask=never_asked
    )
    assert (address.username, address.password) == ("1001", "anna-secret")
    assert (address.host, address.port, address.site, address.tls) == (
        "cti.example", 8883, "s1", True,
    )  # fmt: skip


def test_the_user_name_is_the_agent_level_of_the_console_topics() -> None:
    address = console_address(PRODUCTION, "1001", environ={PASSWORD_ENV: "x"})
    for topic in (
        topics.agent_events("s1", "1001"),
        topics.agent_replies("s1", "1001"),
        topics.agent_commands("s1", "1001"),
    ):
        assert topic.split("/")[4] == address.username
    assert "agents/%u/commands" in ACL.read_text()


def test_without_the_env_variable_the_password_is_asked_for_not_the_pin() -> None:
    asked: list[str] = []

    def ask(agent: str) -> str:
        asked.append(agent)
        return "typed-secret"

    address = console_address(PRODUCTION, "1001", environ={}, ask=ask)
    assert asked == ["1001"]
    assert address.password == "typed-secret"


def test_the_embedded_broker_has_no_accounts_so_nothing_is_asked() -> None:
    embedded = MqttSettings(port=1884)
    address = console_address(embedded, "1001", environ={}, ask=never_asked)
    assert (address.username, address.password, address.port) == ("1001", None, 1884)


def test_options_override_the_broker_and_the_user_name() -> None:
    env = {PASSWORD_ENV: "x"}
    moved = console_address(PRODUCTION, "1001", host="10.0.0.5", port=1883, environ=env)
    assert (moved.host, moved.port, moved.username) == ("10.0.0.5", 1883, "1001")
    renamed = console_address(PRODUCTION, "1001", user="console-1001", environ=env)
    assert renamed.username == "console-1001"
