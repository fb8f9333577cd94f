"""A loopback AMI server that answers like the recorded Asterisk.

It logs clients in, answers Ping and CoreShowChannels (with real ``CoreShowChannel``
events, re-labelled with the caller's ActionID), replays recorded events after login,
and can be stopped and restarted on the same port to simulate an Asterisk restart.
"""

import asyncio
import re
from dataclasses import dataclass, field

BANNER = b"Asterisk Call Manager/11.0.0\r\n"


def relabel(frame: bytes, action_id: str) -> bytes:
    """Put ``action_id`` into a recorded frame in place of its own ActionID."""
    frame = re.sub(rb"\r\nActionID: [^\r]*", b"", frame)
    return frame.replace(b"\r\n\r\n", f"\r\nActionID: {action_id}\r\n\r\n".encode())


@dataclass
class FakeAmi:
    secret: str = "cti-secret"
    channels: list[bytes] = field(default_factory=list)  # CoreShowChannel frames
    events: list[bytes] = field(default_factory=list)  # replayed after login
    port: int = 0
    silent: bool = False  # swallow Ping (for keepalive tests)
    actions: list[dict[str, str]] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Drop every client without a word, like a crashing Asterisk."""
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.transport.abort()
        await self._server.wait_closed()
        self._writers.clear()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._writers.append(writer)
        writer.write(BANNER)
        try:
            while True:
                frame = await reader.readuntil(b"\r\n\r\n")
                fields = dict(
                    line.split(": ", 1) for line in frame.decode().strip().split("\r\n")
                )
                self.actions.append(fields)
                writer.write(self._answer(fields))
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            return

    def _answer(self, fields: dict[str, str]) -> bytes:  # noqa: PLR0911 - one per action
        action_id = fields.get("ActionID", "")
        name = fields["Action"].lower()
        head = f"Response: Success\r\nActionID: {action_id}\r\n"
        if name == "login":
            if fields.get("Secret") != self.secret:
                return f"Response: Error\r\nActionID: {action_id}\r\nMessage: Authentication failed\r\n\r\n".encode()
            return (
                head + "Message: Authentication accepted\r\n\r\n"
            ).encode() + b"".join(self.events)
        if name == "ping":
            if self.silent:
                return b""
            return (
                head + "Ping: Pong\r\nTimestamp: 1795342724.040116\r\n\r\n"
            ).encode()
        if name == "coreshowchannels":
            items = b"".join(relabel(frame, action_id) for frame in self.channels)
            complete = (
                f"Event: CoreShowChannelsComplete\r\nActionID: {action_id}\r\n"
                f"EventList: Complete\r\nListItems: {len(self.channels)}\r\n\r\n"
            )
            start = head + "EventList: start\r\nMessage: Channels will follow\r\n\r\n"
            return start.encode() + items + complete.encode()
        if name == "logoff":
            return (
                f"Response: Goodbye\r\nActionID: {action_id}\r\n"
                "Message: Thanks for all the fish.\r\n\r\n"
            ).encode()
        return (
            f"Response: Error\r\nActionID: {action_id}\r\n"
            f"Message: Invalid/unknown command: {fields['Action']}.\r\n\r\n"
        ).encode()
