from collections.abc import Iterator

import pytest

from callcenter.mqtt.settings import MqttSettings
from tests.mosquitto import Mosquitto, running_mosquitto


@pytest.fixture
def mosquitto() -> Iterator[Mosquitto]:
    """A fresh mosquitto on a free loopback port (skips if absent, fails in CI)."""
    with running_mosquitto() as broker:
        yield broker


@pytest.fixture
def settings(mosquitto: Mosquitto) -> MqttSettings:
    return MqttSettings(port=mosquitto.port, embedded=False, site="test")
