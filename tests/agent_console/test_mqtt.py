"""The console over real MQTT: embedded broker, the server's bridge, MqttBackend."""

from textual.widgets import Static

from agent_console.app import AgentConsoleApp
from agent_console.backend import MqttAddress, MqttBackend
from callcenter.mqtt.bridge import MqttBridge
from callcenter.mqtt.broker import EmbeddedBroker
from callcenter.mqtt.settings import MqttSettings
from tests.agent_console.harness import NOW, VIP, Cti, until


async def test_login_and_screen_pop_over_mqtt_survive_a_broker_restart(
    cti: Cti,
) -> None:
    broker = EmbeddedBroker(port=0)
    await broker.start()
    settings = MqttSettings(port=broker.port)
    bridge = MqttBridge(cti.center.bus, settings, command_handler=cti.api.handle)
    await bridge.start()
    backend = MqttBackend("1001", MqttAddress(port=broker.port), retry=(0.05, 0.2))
    app = AgentConsoleApp(backend, pin="1234", clock=lambda: NOW)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.desk.state == "available")
            await cti.ring(VIP)
            await until(
                pilot, lambda: "王芳" in str(app.query_one("#card", Static).render())
            )
            port = broker.port
            await broker.stop()
            await until(pilot, lambda: app.query_one("#banner").display)
            broker = EmbeddedBroker(port=port)
            await broker.start()
            await until(pilot, lambda: not app.query_one("#banner").display)
            await until(pilot, lambda: app.desk.call is not None)
            call = app.desk.call
            assert call is not None
            assert call["state"] == "ringing"
    finally:
        await backend.close()
        await bridge.stop()
        await broker.stop()
