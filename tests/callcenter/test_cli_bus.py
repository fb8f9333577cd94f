import asyncio

from click.testing import CliRunner

from callcenter.bus import EventBus
from callcenter.cli_bus import bus_group, format_event, tail
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId
from callcenter.mqtt import topics
from callcenter.mqtt.bridge import MqttBridge
from callcenter.mqtt.settings import MqttSettings
from tests.mosquitto import running_mosquitto

T0 = 1_767_600_000.0


def test_format_event_is_one_readable_line() -> None:
    event = ev.CallOffered(
        at=T0 + 0.25, call_id=CallId("17.4"), caller_number="+8613800138000"
    )
    assert format_event(event) == (
        "2026-01-05T08:00:00.250Z CallOffered          "
        "call_id=17.4 caller_number=+8613800138000"
    )
    paused = ev.AgentStateChanged(
        at=T0,
        agent_id=AgentId("1001"),
        state=ev.AgentState.PAUSED,
        reason="lunch break",
    )
    assert format_event(paused).endswith(
        "agent_id=1001 state=paused reason='lunch break'"
    )


def test_tail_is_a_documented_subcommand() -> None:
    result = CliRunner().invoke(bus_group, ["tail", "--help"])
    assert result.exit_code == 0
    assert "--topic" in result.output


async def test_tail_prints_events_published_by_a_running_bridge() -> None:
    with running_mosquitto() as broker:
        settings = MqttSettings(port=broker.port, site="ops")
        lines: list[str] = []
        follower = asyncio.create_task(
            tail(settings, topics.supervisor_events("ops"), echo=lines.append, count=2)
        )
        bus = EventBus()
        async with MqttBridge(bus, settings) as bridge:
            await bridge.wait_connected()
            async with asyncio.timeout(5):
                while not follower.done():
                    bus.publish(
                        ev.CallOffered(at=T0, call_id=CallId("1"), caller_number="9")
                    )
                    await asyncio.sleep(0.05)
    assert all("CallOffered" in line for line in lines)
    assert len(lines) == 2
