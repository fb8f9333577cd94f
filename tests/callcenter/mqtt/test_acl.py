"""The ACL example in config/mosquitto really confines an agent to its own topics."""

import asyncio
import contextlib
import subprocess
from pathlib import Path

import aiomqtt

from callcenter.mqtt import topics
from tests.mosquitto import running_mosquitto
from tests.services import require_binary

ACL = Path("config/mosquitto/acl.example").resolve()
USERS = {"callcenter": "server-pw", "1001": "agent-pw", "1002": "other-pw"}


def password_file(tmp_path: Path) -> Path:
    tool = require_binary("mosquitto_passwd")
    path = tmp_path / "passwd"
    path.touch()
    for user, password in USERS.items():
        subprocess.run([tool, "-b", str(path), user, password], check=True)  # noqa: S603
    path.chmod(0o600)
    return path


def client(port: int, user: str) -> aiomqtt.Client:
    return aiomqtt.Client("127.0.0.1", port, username=user, password=USERS[user])


async def drain(c: aiomqtt.Client, seconds: float = 0.5) -> list[str]:
    got: list[str] = []
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            async for message in c.messages:
                got.append(message.topic.value)  # noqa: PERF401 - keep what came
    return got


async def test_an_agent_sees_and_commands_only_its_own_topics(tmp_path: Path) -> None:
    extra = [f"password_file {password_file(tmp_path)}", f"acl_file {ACL}"]
    with running_mosquitto(anonymous=False, extra_config=extra) as broker:
        port, site = broker.port, "s1"
        async with client(port, "callcenter") as server, client(port, "1001") as agent:
            await server.subscribe(topics.all_agent_commands(site), qos=1)
            for wanted in (
                topics.agent_events(site, "1001"),
                topics.agent_events(site, "1002"),
                topics.queue_stats(site, "+"),
                topics.call_events(site, "+"),
                topics.supervisor_events(site),
                f"callcenter/v1/{site}/#",  # denied: wider than the agent's share
            ):
                await agent.subscribe(wanted, qos=1)
            for agent_id in ("1001", "1002"):
                await server.publish(topics.agent_events(site, agent_id), b"{}", qos=1)
                await agent.publish(topics.agent_commands(site, agent_id), b"{}", qos=1)
            await server.publish(topics.queue_stats(site, "sales"), b"{}", qos=1)
            await server.publish(topics.call_events(site, "c1"), b"{}", qos=1)
            await server.publish(topics.supervisor_events(site, "X"), b"{}", qos=1)
            seen_by_agent = await drain(agent)
            seen_by_server = await drain(server, 0.1)
    assert sorted(seen_by_agent) == [
        topics.agent_events(site, "1001"),
        topics.queue_stats(site, "sales"),
    ]
    assert seen_by_server == [topics.agent_commands(site, "1001")]
