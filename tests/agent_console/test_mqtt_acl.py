"""The console on a production mosquitto: per-agent accounts and the example ACL.

mosquitto runs with a password file and ``config/mosquitto/acl.example`` as shipped.
The server's bridge logs in as ``callcenter``; each console logs in the way
``callcenter console`` does (``console_address``): MQTT user name = agent id, the
password from ``CALLCENTER_MQTT_PASSWORD``.
"""

import asyncio
import contextlib
import json
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aiomqtt
import pytest
from pydantic import SecretStr
from textual.widgets import Static

from agent_console.app import AgentConsoleApp
from agent_console.backend import BackendItem, LinkUp, MqttAddress, MqttBackend, Reply
from callcenter.cli_console import PASSWORD_ENV, console_address
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, QueueName
from callcenter.mqtt import topics
from callcenter.mqtt.bridge import MqttBridge
from callcenter.mqtt.settings import MqttSettings
from tests.agent_console.harness import NOW, VIP, Cti, until
from tests.mosquitto import Mosquitto, running_mosquitto
from tests.services import require_binary

ACL = Path("config/mosquitto/acl.example").resolve()
SITE = "s1"
PASSWORDS = {"callcenter": "server-secret", "1001": "anna-secret", "1002": "bo-secret"}

Calls = list[tuple[str, str]]


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """mosquitto with one account per user of ``PASSWORDS`` and the example ACL."""
    tool = require_binary("mosquitto_passwd")
    passwd = tmp_path / "passwd"
    passwd.touch(mode=0o600)
    for user, password in PASSWORDS.items():
        subprocess.run([tool, "-b", str(passwd), user, password], check=True)  # noqa: S603
    config = [f"password_file {passwd}", f"acl_file {ACL}"]
    with running_mosquitto(anonymous=False, extra_config=config) as mosquitto:
        yield mosquitto


@pytest.fixture
async def commands(cti: Cti, broker: Mosquitto) -> AsyncIterator[Calls]:
    """Run the server's bridge as user ``callcenter``; yield the commands it serves."""
    served: Calls = []

    async def handler(agent_id: AgentId, request: dict[str, Any]) -> dict[str, Any]:
        served.append((agent_id, str(request.get("command"))))
        return await cti.api.handle(agent_id, request)

    settings = MqttSettings(
        embedded=False, port=broker.port, site=SITE, username="callcenter",
        password=SecretStr(PASSWORDS["callcenter"]),
    )  # fmt: skip
    bridge = MqttBridge(cti.center.bus, settings, command_handler=handler)
    await bridge.start()
    try:
        async with asyncio.timeout(5):
            await bridge.wait_connected()
        yield served
    finally:
        await bridge.stop()


def login_of(broker: Mosquitto, agent: str, password: str | None = None) -> MqttAddress:
    """Return the address ``callcenter console --agent AGENT`` would use."""
    workstation = MqttSettings(embedded=False, port=broker.port, site=SITE)
    environ = {PASSWORD_ENV: password or PASSWORDS[agent]}
    return console_address(workstation, agent, environ=environ, ask=_no_prompt)


def _no_prompt(agent: str) -> str:
    msg = f"asked for the password of {agent} though {PASSWORD_ENV} is set"
    raise AssertionError(msg)


def shown(app: AgentConsoleApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def test_the_console_logs_in_as_its_agent_gets_the_pop_and_answers(
    cti: Cti, broker: Mosquitto, commands: Calls
) -> None:
    address = login_of(broker, "1001")
    assert (address.username, address.password) == ("1001", PASSWORDS["1001"])
    backend = MqttBackend("1001", address)
    app = AgentConsoleApp(backend, pin="1234", clock=lambda: NOW)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.desk.state == "available")
            await cti.ring(VIP)
            await until(pilot, lambda: "王芳" in shown(app, "#card"))
            await pilot.press("a")
            await until(pilot, lambda: ("1001", "answer") in commands)
            await cti.step_until(lambda: answered(cti, "1001"))
            await until(pilot, lambda: "TALKING" in shown(app, "#call-line"))
    finally:
        await backend.close()
    assert {agent for agent, _ in commands} == {"1001"}


async def test_the_console_reads_the_figures_of_its_queues(
    cti: Cti, broker: Mosquitto, commands: Calls
) -> None:
    backend = MqttBackend("1001", login_of(broker, "1001"))
    app = AgentConsoleApp(backend, pin="1234", clock=lambda: NOW)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            # Settled: logged in, no status reply still on its way to overwrite
            # the figures below with the ACD's own.
            await until(pilot, lambda: app.desk.state == "available")
            await until(pilot, lambda: not app._pending)
            cti.center.bus.publish(ev.QueueStatsUpdated(  # as the runtime does
                at=NOW, queue=QueueName("reservations"), waiting=7, longest_wait=95.0,
                offered=9, answered=2, abandoned=0, service_level=None,
                agents_available=0, agents_busy=1, agents_logged_in=1))  # fmt: skip
            await until(pilot, lambda: "reservations  7" in shown(app, "QueueBoard"))
    finally:
        await backend.close()


def state(cti: Cti, agent: str) -> ev.AgentState:
    return cti.center.switchboard.acd.agent_state(AgentId(agent))


def answered(cti: Cti, agent: str) -> bool:
    return any(
        isinstance(e, ev.CallAnswered) and e.agent_id == agent for e in cti.events
    )


async def test_agent_1001_neither_sees_nor_commands_agent_1002(
    cti: Cti, broker: Mosquitto, commands: Calls
) -> None:
    spy_login = login_of(broker, "1001")
    spy = aiomqtt.Client(
        "127.0.0.1", broker.port,
        username=spy_login.username, password=spy_login.password,
    )  # fmt: skip
    bo = MqttBackend("1002", login_of(broker, "1002"))
    async with spy, collecting(bo) as bo_saw:
        for channel in ("events", "replies", "#"):
            await spy.subscribe(f"{topics.site_root(SITE)}/agents/1002/{channel}", 1)
        await spy.subscribe(topics.agent_replies(SITE, "1001"), qos=1)
        await until_true(lambda: any(isinstance(item, LinkUp) for item in bo_saw))
        # 1002 has no PIN: this login would succeed if it reached the server.
        hijack = {"v": 1, "command": "login", "request_id": "hijack", "args": {}}
        await spy.publish(topics.agent_commands(SITE, "1002"), json.dumps(hijack), 1)
        own = {"v": 1, "command": "status", "request_id": "own", "args": {}}
        await spy.publish(topics.agent_commands(SITE, "1001"), json.dumps(own), 1)
        spy_saw = [await next_message(spy)]  # the reply to its own command
        await asyncio.sleep(0.3)  # time for the hijack to arrive, if it could
        assert commands == [("1001", "status")]
        assert state(cti, "1002") == ev.AgentState.LOGGED_OUT
        bo.send("login")  # 1002's own console: its events and replies flow
        await until_true(lambda: replied(bo_saw, "login") and state_of(bo_saw))
        spy_saw += await drain(spy, 0.3)
    assert [m.topic.value for m in spy_saw] == [topics.agent_replies(SITE, "1001")]
    assert json.loads(bytes(spy_saw[0].payload))["request_id"] == "own"
    assert state(cti, "1002") == ev.AgentState.AVAILABLE


@contextlib.asynccontextmanager
async def collecting(backend: MqttBackend) -> AsyncIterator[list[BackendItem]]:
    """Run ``backend`` and collect what it yields."""
    items: list[BackendItem] = []

    async def pump() -> None:
        async for item in backend.events():
            items.append(item)  # noqa: PERF401 - keep what came, as it comes

    task = asyncio.create_task(pump())
    try:
        yield items
    finally:
        await backend.close()
        await task


def replied(items: list[BackendItem], command: str) -> bool:
    return any(isinstance(i, Reply) and i.command == command for i in items)


def state_of(items: list[BackendItem]) -> bool:
    return any(
        getattr(i, "payload", {}).get("type") == "AgentStateChanged" for i in items
    )


async def until_true(check: Callable[[], bool], limit: float = 5) -> None:
    async with asyncio.timeout(limit):
        while not check():  # noqa: ASYNC110 - a list another task fills
            await asyncio.sleep(0.02)


async def next_message(client: aiomqtt.Client, limit: float = 5) -> aiomqtt.Message:
    async with asyncio.timeout(limit):
        return await anext(aiter(client.messages))


async def drain(client: aiomqtt.Client, seconds: float) -> list[aiomqtt.Message]:
    got: list[aiomqtt.Message] = []
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            async for message in client.messages:
                got.append(message)  # noqa: PERF401 - keep what came
    return got


async def test_a_wrong_password_is_refused_with_a_banner_that_says_so(
    cti: Cti, broker: Mosquitto, commands: Calls
) -> None:
    backend = MqttBackend("1001", login_of(broker, "1001", password="guess"))
    app = AgentConsoleApp(backend, pin="1234", clock=lambda: NOW)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.query_one("#banner").display)
            banner = shown(app, "#banner")
            assert "refused MQTT user '1001'" in banner
            assert "wrong user name or password" in banner
            assert "guess" not in banner
            assert app.is_running
            assert not backend.connected
    finally:
        await backend.close()
    assert commands == []
    assert state(cti, "1001") == ev.AgentState.LOGGED_OUT
