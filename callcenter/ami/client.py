"""asyncio AMI client: a thin adapter that owns the socket around ``AmiConnection``.

The protocol core decides what bytes mean; this module only moves them, keeps time
(per-action timeouts, keepalive Ping) and reconnects with jittered exponential backoff.
After every (re)connect and login the ``on_connected`` hook runs before the client
reports ``CONNECTED``: that is where the PBX adapter re-reads the world
(``CoreShowChannels``, ``QueueStatus``), because events missed while disconnected are
gone for good. The first connection fails fast (bad host, bad secret); later losses are
retried forever until ``close()``.
"""

import asyncio
import contextlib
import itertools
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Self, cast

from callcenter.ami.errors import (
    ActionFailed,
    AmiError,
    AmiTimeout,
    LocalProtocolError,
    LoginFailed,
    NotConnected,
)
from callcenter.ami.feed import Feed
from callcenter.ami.messages import (
    Action,
    ActionResult,
    AmiMessage,
    Banner,
    Event,
    ProtocolViolation,
    Response,
)
from callcenter.ami.protocol import DEFAULT_MAX_MESSAGE_SIZE
from callcenter.ami.session import (
    AmiSession,
    ConnectionState,
    Secret,
    SupportsSecret,
    backoff_delay,
)

__all__ = ["AmiClient", "ConnectionState", "SupportsSecret", "backoff_delay"]

OnConnected = Callable[["AmiClient"], Awaitable[None]]
OnState = Callable[[ConnectionState], None]


class AmiClient:
    """An AMI client session: ``async with AmiClient(...) as ami:``.

    Reusable after it is closed, but not re-entrant.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 5038,
        username: str,
        secret: str | SupportsSecret,
        logger: logging.Logger | None = None,
        action_timeout: float = 10.0,
        connect_timeout: float = 5.0,
        ping_interval: float | None = 20.0,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        on_connected: OnConnected | None = None,
        on_state: OnState | None = None,
        event_queue_size: int = 10_000,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        rng: random.Random | None = None,
    ) -> None:
        """Configure without connecting; the module docstring tells the life cycle."""
        self.host, self.port, self.username = host, port, username
        self._secret = Secret(secret)
        self.log = logger or logging.getLogger(__name__)
        self.action_timeout, self.connect_timeout = action_timeout, connect_timeout
        self.ping_interval = ping_interval
        self.backoff_initial, self.backoff_max = backoff_initial, backoff_max
        self.max_message_size = max_message_size
        self.event_queue_size = event_queue_size
        self._on_connected, self._on_state = on_connected, on_state
        self._rng = rng or random.Random()
        self._ids = itertools.count(1)
        self._session: AmiSession | None = None
        self._ready = asyncio.Event()  # logged in: actions may be sent
        self._subscribers: list[Feed[Event]] = []
        self._state_feeds: list[Feed[ConnectionState]] = []
        self._runner: asyncio.Task[None] | None = None
        self.state = ConnectionState.DISCONNECTED
        self.banner: Banner | None = None

    def __repr__(self) -> str:
        return f"AmiClient({self.username}@{self.host}:{self.port}, {self.state})"

    async def __aenter__(self) -> Self:
        if self._runner is not None:
            raise LocalProtocolError("AmiClient is already running (not re-entrant)")
        await self._connect()
        self._runner = asyncio.create_task(self._supervise(), name="ami-supervisor")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Log off (best effort), close the socket, end every feed."""
        runner, self._runner = self._runner, None
        if runner is not None:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)
        session, self._session = self._session, None
        self._ready.clear()
        if session is not None and session.transport is not None:
            if not session.lost.done():
                with contextlib.suppress(AmiError):
                    await self.action(
                        Action(name="Logoff"), timeout=1.0, _session=session
                    )
            session.transport.close()
        self._set_state(ConnectionState.CLOSED)
        for feed in list(self._subscribers):
            feed.close()
        for state_feed in list(self._state_feeds):
            state_feed.close()

    def _next_id(self) -> str:
        return f"cc-{next(self._ids)}"

    async def action(
        self,
        action: Action,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - per-action, as documented
        check: bool = False,
        _session: AmiSession | None = None,
    ) -> ActionResult:
        """Send ``action`` and return Asterisk's whole answer (list items included).

        Waits for a connection (within the same timeout) while reconnecting.

        Raises:
            AmiTimeout: no complete answer within ``timeout`` (default action_timeout).
            ConnectionLost: the connection dropped before the answer.
            ActionFailed: ``check`` is true and Asterisk answered ``Error``.
        """
        if action.action_id is None:
            action = action.with_action_id(self._next_id())
        action_id = action.action_id
        assert action_id is not None  # noqa: S101 - set just above
        session = _session
        try:
            async with asyncio.timeout(
                self.action_timeout if timeout is None else timeout
            ):
                while session is None:
                    if self.state is ConnectionState.CLOSED and self._runner is None:
                        raise NotConnected("AmiClient is closed")
                    await self._ready.wait()
                    session = self._session
                result = await session.write(action)
        except TimeoutError:
            if session is not None:
                session.futures.pop(action_id, None)
                session.conn.forget(action_id)
            msg = f"no answer to {action.name} ({action_id}) in time"
            raise AmiTimeout(msg) from None
        if check and not result.ok:
            raise ActionFailed(
                result.response.message, action_name=action.name, result=result
            )
        return result

    def subscribe(self, *names: str, maxsize: int | None = None) -> Feed[Event]:
        """Return a bounded feed of events (all, or only those ``names``).

        Use it as ``async with client.subscribe("Hangup") as feed: async for ev in
        feed``; closing the feed unsubscribes it.
        """
        wanted = frozenset(name.lower() for name in names)
        feed: Feed[Event] = Feed(
            maxsize=maxsize or self.event_queue_size,
            accept=(lambda ev: ev.name.lower() in wanted) if wanted else None,
            on_close=self._subscribers.remove,
        )
        self._subscribers.append(feed)
        return feed

    async def events(self, *names: str) -> AsyncIterator[Event]:
        """Iterate over events (all, or only ``names``) until the client closes."""
        async with self.subscribe(*names) as feed:
            async for event in feed:
                yield event

    async def states(self) -> AsyncIterator[ConnectionState]:
        """Iterate over connection state changes, starting with the current state."""
        feed: Feed[ConnectionState] = Feed(
            maxsize=64, on_close=self._state_feeds.remove
        )
        self._state_feeds.append(feed)
        feed.offer(self.state)
        async with feed:
            async for state in feed:
                yield state

    def _set_state(self, state: ConnectionState) -> None:
        if state is self.state:
            return
        self.state = state
        self.log.info("AMI %s:%d %s", self.host, self.port, state)
        for feed in self._state_feeds:
            feed.offer(state)
        if self._on_state is not None:
            self._on_state(state)

    def _handle(self, session: AmiSession, messages: list[AmiMessage]) -> None:
        """Deliver one read's messages: events in batches, the rest one by one.

        Runs of events go to each feed with one ``offer_many``; anything else
        (answers, the banner, violations) is handled in its place in the stream,
        so a consumer still sees the events that came before an answer first.
        """
        first = 0
        for index, message in enumerate(messages):
            if type(message) is not Event:
                if index > first:
                    self._publish(messages[first:index])
                self._handle_other(session, message)
                first = index + 1
        self._publish(messages[first:] if first else messages)

    def _publish(self, events: list[AmiMessage]) -> None:
        if not events:
            return
        batch = cast("list[Event]", events)  # only events: checked by _handle
        for feed in self._subscribers:
            feed.offer_many(batch)

    def _handle_other(self, session: AmiSession, message: AmiMessage) -> None:
        match message:
            case ActionResult():
                future = session.futures.pop(message.action_id, None)
                if future is not None and not future.done():
                    future.set_result(message)
            case Banner():
                if not session.banner.done():
                    session.banner.set_result(message)
            case Response():
                self.log.debug("AMI response nobody waits for: %s", message.action_id)
            case ProtocolViolation():
                self.log.warning("AMI protocol violation: %s", message.reason)
            case _:
                pass

    async def _connect(self) -> None:
        self._set_state(ConnectionState.CONNECTING)
        loop = asyncio.get_running_loop()
        session: AmiSession | None = None
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, session = await loop.create_connection(
                    lambda: AmiSession(
                        self._handle, max_message_size=self.max_message_size
                    ),
                    self.host,
                    self.port,
                )
                self.banner = await session.banner
                await self._login(session)
        except BaseException:
            if session is not None and session.transport is not None:
                session.transport.abort()
            self._set_state(ConnectionState.DISCONNECTED)
            raise
        self._session = session
        self._ready.set()
        if self._on_connected is not None:
            await self._on_connected(self)
        self._set_state(ConnectionState.CONNECTED)

    async def _login(self, session: AmiSession) -> None:
        login = Action.create(
            "Login", Username=self.username, Secret=self._secret.reveal()
        ).with_action_id(self._next_id())
        result = await session.write(login)
        if not result.ok:
            raise LoginFailed(
                f"AMI login as {self.username!r}: {result.response.message}"
            )
        self.log.info(
            "AMI logged in to %s:%d as %s", self.host, self.port, self.username
        )

    async def _supervise(self) -> None:
        while True:
            session = self._session
            if session is not None:
                async with asyncio.TaskGroup() as tasks:
                    if self.ping_interval:
                        tasks.create_task(
                            self._keepalive(session), name="ami-keepalive"
                        )
                    await asyncio.wait([session.lost])  # never cancels it
                self._session = None
                self._ready.clear()
                self._set_state(ConnectionState.DISCONNECTED)
                self.log.warning("AMI connection to %s:%d lost", self.host, self.port)
            await self._reconnect()

    async def _reconnect(self) -> None:
        for attempt in itertools.count():
            delay = backoff_delay(
                attempt,
                initial=self.backoff_initial,
                maximum=self.backoff_max,
                rng=self._rng,
            )
            self.log.info("AMI reconnect attempt %d in %.3f s", attempt + 1, delay)
            await asyncio.sleep(delay)
            try:
                await self._connect()
            except (OSError, TimeoutError, AmiError) as exc:
                self.log.warning(
                    "AMI reconnect attempt %d failed: %s", attempt + 1, exc
                )
                self._drop_current()
                continue
            except Exception:
                self.log.exception("AMI on_connected hook failed; reconnecting")
                self._drop_current()
                continue
            return

    def _drop_current(self) -> None:
        session, self._session = self._session, None
        self._ready.clear()
        if session is not None and session.transport is not None:
            session.transport.abort()

    async def _keepalive(self, session: AmiSession) -> None:
        interval = self.ping_interval or 0.0
        while not session.lost.done():
            await asyncio.wait([session.lost], timeout=interval)
            if session.lost.done():
                return
            try:
                await self.action(
                    Action(name="Ping"), timeout=interval, _session=session
                )
            except AmiError as exc:
                self.log.warning(
                    "AMI keepalive failed (%s); dropping the connection", exc
                )
                if session.transport is not None:
                    session.transport.abort()
                return
