"""A fake Asterisk on loopback: an AMI server and FastAGI calls into our server.

The AMI side speaks the real framing (banner, CRLF headers, EventList answers) and
records every action; tests push events and drop connections at will. ``AgiCall``
connects to our FastAGI server like Asterisk does and lets a test answer each command
it receives, one by one.
"""

import asyncio
import contextlib
import socket
from collections.abc import Callable, Sequence

Headers = Sequence[tuple[str, str]]
BANNER = b"Asterisk Call Manager/11.0.0\r\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def frame(headers: Headers) -> bytes:
    return b"".join(f"{k}: {v}\r\n".encode() for k, v in headers) + b"\r\n"


def channel(
    uniqueid: str,
    name: str,
    *,
    linkedid: str = "",
    app: str = "",
    data: str = "",
    state: str = "Up",
    number: str = "",
) -> dict[str, str]:
    return {
        "Channel": name,
        "ChannelStateDesc": state,
        "CallerIDNum": number or "<unknown>",
        "CallerIDName": "<unknown>",
        "Exten": "100",
        "Uniqueid": uniqueid,
        "Linkedid": linkedid or uniqueid,
        "Application": app,
        "ApplicationData": data,
    }


class FakeAmi:
    """An AMI server: login, a few actions, events pushed by the test."""

    def __init__(self, *, secret: str = "s3cret", silent: bool = False) -> None:  # noqa: S107
        self.secret = secret
        self.silent = silent  # accept, then never say a word (timeouts)
        self.port = 0
        self.channels: list[dict[str, str]] = []
        self.actions: list[dict[str, str]] = []
        self.logins = 0
        self.on_action: Callable[[dict[str, str]], None] | None = None
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and drop every connection (Asterisk going down)."""
        if self._server is not None:
            self._server.close()
        self.drop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    def drop(self) -> None:
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()

    def event(self, name: str, **headers: str) -> None:
        data = frame([("Event", name), *headers.items()])
        for writer in self._writers:
            writer.write(data)

    def named(self, name: str) -> list[dict[str, str]]:
        return [a for a in self.actions if a.get("Action", "").lower() == name.lower()]

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            if self.silent:
                await reader.read()
                return
            writer.write(BANNER)
            self._writers.append(writer)
            while block := await reader.readuntil(b"\r\n\r\n"):
                action = dict(
                    line.split(": ", 1)
                    for line in block.decode().strip().split("\r\n")
                    if ": " in line
                )
                self.actions.append(action)
                if not self._answer(action, writer):
                    break
                if self.on_action is not None:
                    self.on_action(action)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(ValueError):
                self._writers.remove(writer)
            writer.close()

    def _answer(self, action: dict[str, str], writer: asyncio.StreamWriter) -> bool:
        name = action.get("Action", "").lower()
        aid = [("ActionID", action["ActionID"])] if "ActionID" in action else []
        if name == "login":
            if action.get("Secret") != self.secret:
                writer.write(
                    frame(
                        [
                            ("Response", "Error"),
                            *aid,
                            ("Message", "Authentication failed"),
                        ]
                    )
                )
                return False
            self.logins += 1
            writer.write(
                frame(
                    [
                        ("Response", "Success"),
                        *aid,
                        ("Message", "Authentication accepted"),
                    ]
                )
            )
        elif name == "coreshowchannels":
            writer.write(
                frame(
                    [
                        ("Response", "Success"),
                        *aid,
                        ("EventList", "start"),
                        ("Message", "Channels will follow"),
                    ]
                )
            )
            for chan in self.channels:
                writer.write(frame([("Event", "CoreShowChannel"), *aid, *chan.items()]))
            writer.write(
                frame(
                    [
                        ("Event", "CoreShowChannelsComplete"),
                        *aid,
                        ("EventList", "Complete"),
                        ("ListItems", str(len(self.channels))),
                    ]
                )
            )
        elif name == "pjsipshowendpoints":
            writer.write(
                frame(
                    [
                        ("Response", "Success"),
                        *aid,
                        ("EventList", "start"),
                        ("Message", "A listing of Endpoints follows"),
                    ]
                )
            )
            for ep, state in (("1001", "Not in use"), ("1002", "Unavailable")):
                writer.write(
                    frame(
                        [
                            ("Event", "EndpointList"),
                            *aid,
                            ("ObjectType", "endpoint"),
                            ("ObjectName", ep),
                            ("DeviceState", state),
                            ("Contacts", ""),
                        ]
                    )
                )
            writer.write(
                frame(
                    [
                        ("Event", "EndpointListComplete"),
                        *aid,
                        ("EventList", "Complete"),
                        ("ListItems", "2"),
                    ]
                )
            )
        elif name == "command":
            writer.write(
                frame(
                    [
                        ("Response", "Success"),
                        *aid,
                        ("Message", "Command output follows"),
                        ("Output", "Asterisk 22.10.1 built by fake @ loopback"),
                    ]
                )
            )
        elif name == "coresettings":
            writer.write(
                frame(
                    [
                        ("Response", "Success"),
                        *aid,
                        ("AMIversion", "11.0.0"),
                        ("AsteriskVersion", "22.10.1"),
                    ]
                )
            )
        elif name == "logoff":
            writer.write(
                frame(
                    [
                        ("Response", "Goodbye"),
                        *aid,
                        ("Message", "Thanks for all the fish."),
                    ]
                )
            )
            return False
        else:
            writer.write(
                frame(
                    [
                        ("Response", "Success"),
                        *aid,
                        ("Message", f"{action.get('Action')} successful"),
                    ]
                )
            )
        return True


class AgiCall:
    """One channel entering ``AGI(agi://127.0.0.1:PORT/callcenter)``."""

    def __init__(
        self,
        *,
        uniqueid: str,
        linkedid: str,
        number: str = "+8613800138000",
        name: str = "PJSIP/sipp-00000001",
    ) -> None:
        self.uniqueid, self.linkedid, self.number, self.name = (
            uniqueid,
            linkedid,
            number,
            name,
        )
        self.variables: dict[str, str] = {}
        self.commands: list[str] = []
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def connect(self, port: int) -> None:
        self._reader, self._writer = await asyncio.open_connection("127.0.0.1", port)
        env = {
            "agi_network": "yes",
            "agi_network_script": "callcenter",
            "agi_request": f"agi://127.0.0.1:{port}/callcenter",
            "agi_channel": self.name,
            "agi_uniqueid": self.uniqueid,
            "agi_callerid": self.number,
            "agi_calleridname": "Li Wei",
            "agi_context": "callcenter-inbound",
            "agi_extension": "100",
        }
        self._writer.write(
            "".join(f"{k}: {v}\n" for k, v in env.items()).encode() + b"\n"
        )

    def send(self, *lines: str) -> None:
        assert self._writer is not None
        self._writer.write("".join(f"{line}\n" for line in lines).encode())

    async def command(self, wait: float = 5.0) -> str:
        """Return the next command, answering variable commands by themselves."""
        assert self._reader is not None
        async with asyncio.timeout(wait):
            while True:
                line = (await self._reader.readline()).decode().strip()
                if not line:
                    raise ConnectionError("our server closed the AGI session")
                self.commands.append(line)
                if not self._auto(line):
                    return line

    def _auto(self, line: str) -> bool:
        if line.startswith("GET VARIABLE"):
            name = line.split(" ", 2)[2].strip('"')
            if name == "CHANNEL(linkedid)":
                self.send(f"200 result=1 ({self.linkedid})")
            elif name in self.variables:
                self.send(f"200 result=1 ({self.variables[name]})")
            else:
                self.send("200 result=0")
            return True
        if line.startswith("SET VARIABLE"):
            _, _, name, value = line.split(" ", 3)
            self.variables[name.strip('"')] = value.strip('"')
            self.send("200 result=1")
            return True
        return False

    async def expect(
        self, prefix: str, reply: str = "200 result=0", wait: float = 5.0
    ) -> str:
        """Skip hold polls and music switches until a command starting with ``prefix``."""
        while True:
            line = await self.command(wait)
            if line.startswith(prefix):
                self.send(reply)
                return line
            if line.startswith("WAIT FOR DIGIT"):
                await asyncio.sleep(0.01)
                self.send("200 result=0")
            elif line.startswith(("SET MUSIC", "ANSWER")):
                self.send("200 result=0")
            else:
                raise AssertionError(f"expected {prefix!r}, got {line!r}")

    async def closed_by_server(self, wait: float = 5.0) -> bool:
        assert self._reader is not None
        async with asyncio.timeout(wait):
            while data := await self._reader.readline():
                self.commands.append(data.decode().strip())
                self.send(
                    "511 Command Not Permitted on a dead channel or intercept routine"
                )
        return True

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


async def eventually(predicate: Callable[[], bool], wait: float = 5.0) -> None:
    """Wait until ``predicate()`` holds (state changed by other tasks)."""
    async with asyncio.timeout(wait):
        while not predicate():  # noqa: ASYNC110 - polling state owned by other tasks
            await asyncio.sleep(0.01)
