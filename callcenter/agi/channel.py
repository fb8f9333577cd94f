"""``AgiChannel``: what a script handler sees of its call, over any AGI transport.

The same handler runs over FastAGI (``server.py``) and process AGI (``process.py``);
each provides an ``AgiTransport`` that executes one command line and returns the
parsed reply. Typed methods return plain values and raise the errors mapped from AGI
codes, so a handler reads like a dialplan: ``await channel.stream_file("welcome")``.

Hang-ups: when the caller leaves, the running command usually returns ``result=-1``
and the *next* channel command gets ``511`` (after an unsolicited ``HANGUP`` line),
which raises ``AgiDeadChannel``, an ``AgiHangup``. Commands that do not need a live
channel (GET VARIABLE, EXEC, DATABASE) still work after a hang-up, for clean-up.
"""

from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from callcenter.agi.environment import AgiEnvironment
from callcenter.agi.errors import AgiHangup
from callcenter.agi.protocol import AgiResult, format_command


class AgiTransport(Protocol):
    """Executes one AGI command line and returns Asterisk's reply."""

    @property
    def hung_up(self) -> bool:
        """Return whether Asterisk announced the hang-up (``HANGUP`` line or SIGHUP)."""
        ...

    async def execute(
        self,
        line: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - per command
    ) -> AgiResult:
        """Send ``line`` and return the parsed reply.

        Raises:
            AgiHangup: the connection closed before a reply.
            AgiTimeout: no reply within ``timeout``.
        """
        ...


def _digit(value: int | None) -> str | None:
    """Map an AGI ``result`` holding an ASCII code to the digit, or None for none."""
    if value is None or value <= 0:
        return None
    return chr(value)


class AgiChannel:
    """The call as seen by one AGI script run."""

    def __init__(self, transport: AgiTransport, env: AgiEnvironment) -> None:
        """Wrap ``transport``; ``env`` is the session's ``agi_`` environment."""
        self._transport = transport
        self.env = env

    @property
    def hung_up(self) -> bool:
        """Return whether Asterisk told us the caller is gone."""
        return self._transport.hung_up

    async def command(
        self,
        line: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - per command
        check: bool = True,
    ) -> AgiResult:
        """Run a raw, already quoted command line and return its reply.

        Raises:
            AgiCommandError: for 510/511/520 replies when ``check`` is true.
        """
        result = await self._transport.execute(line, timeout=timeout)
        return result.raise_for_status(line) if check else result

    async def run(self, verb: str, *args: str | int) -> AgiResult:
        """Quote ``args``, run ``verb`` and return the checked reply."""
        return await self.command(format_command(verb, *args))

    def _failed(self, result: AgiResult, what: str) -> None:
        if result.value == -1 and self.hung_up:
            raise AgiHangup(f"{what}: caller hung up")

    async def answer(self) -> None:
        """Answer the channel."""
        self._failed(await self.run("ANSWER"), "ANSWER")

    async def hangup(self) -> None:
        """Hang up the channel; the script should end right after."""
        await self.run("HANGUP")

    async def stream_file(
        self, name: str, escape_digits: str = "", *, offset: int | None = None
    ) -> tuple[str | None, int]:
        """Play ``name``; return (digit pressed or None, sample offset reached).

        A missing prompt returns ``(None, 0)`` (Asterisk answers ``result=-1
        endpos=0``); a caller hanging up mid-prompt surfaces on the next command.
        """
        args: list[str | int] = [name, escape_digits]
        if offset is not None:
            args.append(offset)
        result = await self.run("STREAM FILE", *args)
        return _digit(result.value), result.endpos or 0

    async def get_data(
        self, prompt: str, timeout_ms: int | None = None, max_digits: int | None = None
    ) -> tuple[str, bool]:
        """Play ``prompt`` and collect digits; return (digits, timed_out).

        Raises:
            AgiHangup: Asterisk reported failure (``-1``) after a hang-up.
        """
        args: list[str | int] = [prompt]
        if timeout_ms is not None:
            args.append(timeout_ms)
            if max_digits is not None:
                args.append(max_digits)
        result = await self.run("GET DATA", *args)
        if result.result == "-1":
            raise AgiHangup("GET DATA failed: caller hung up")
        return result.result, result.timed_out

    async def wait_for_digit(self, timeout_ms: int) -> str | None:
        """Wait up to ``timeout_ms`` (-1 forever) for one DTMF digit."""
        result = await self.run("WAIT FOR DIGIT", timeout_ms)
        self._failed(result, "WAIT FOR DIGIT")
        return _digit(result.value)

    async def say_number(self, number: int, escape_digits: str = "") -> str | None:
        """Say ``number``; return the escape digit pressed, if any."""
        return _digit((await self.run("SAY NUMBER", number, escape_digits)).value)

    async def say_digits(self, digits: str, escape_digits: str = "") -> str | None:
        """Say ``digits`` one by one; return the escape digit pressed, if any."""
        return _digit((await self.run("SAY DIGITS", digits, escape_digits)).value)

    async def exec(self, app: str, args: str = "") -> int:
        """Run dialplan application ``app``; return its result (-2: no such app)."""
        result = await self.run("EXEC", app, *([args] if args else []))
        return result.value if result.value is not None else 0

    async def set_variable(self, name: str, value: str | int) -> None:
        """Set channel variable ``name``."""
        await self.run("SET VARIABLE", name, value)

    async def get_variable(self, name: str) -> str | None:
        """Return channel variable ``name`` (functions allowed), or None if unset."""
        result = await self.run("GET VARIABLE", name)
        return result.data if result.value == 1 else None

    async def get_full_variable(self, expression: str) -> str | None:
        """Return ``expression`` with ``${...}`` expanded, or None on failure."""
        result = await self.run("GET FULL VARIABLE", expression)
        return result.data if result.value == 1 else None

    async def verbose(self, message: str, level: int = 1) -> None:
        """Log ``message`` on the Asterisk console at verbosity ``level``."""
        await self.run("VERBOSE", message, level)

    async def channel_status(self) -> int:
        """Return the channel state number (6 = up)."""
        result = await self.run("CHANNEL STATUS")
        return result.value if result.value is not None else -1


Handler = Callable[[AgiChannel], Coroutine[Any, Any, None]]
