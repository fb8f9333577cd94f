"""In-process publish/subscribe of domain events.

Theory of operation
-------------------
The bus is the spine of one process: the PBX adapter, the ACD, the IVR and the CRM
publish ``DomainEvent`` objects; the same components, the MQTT bridge and the
wallboard consume them. Two kinds of consumers exist:

* **Subscriptions** (``subscribe``) are asynchronous. Each owns a bounded queue;
  ``publish`` appends to it and wakes the reader. When a queue is full the *oldest*
  queued event is dropped and counted, so a slow consumer loses history rather than
  stalling the publisher or the other consumers. A subscription selects events by
  type with ``isinstance`` (subscribing to a base class receives its subclasses).
* **Listeners** (``add_listener``) are synchronous callbacks run inside ``publish``.
  They see every event in publication order and never lose one, which is what a
  recorder or an audit log needs. They must be quick. An exception in a listener is
  caught, counted and logged (the first time only, with its traceback), never
  propagated to the publisher.

``publish`` never blocks and never raises because of a consumer. A listener that
publishes is allowed: the nested event is queued and dispatched right after the
current one, so every consumer observes one single global order.

The bus is not thread-safe: call it from the event loop thread (use
``loop.call_soon_threadsafe(bus.publish, event)`` from other threads).
"""

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, overload

from callcenter.domain.events import DomainEvent

logger = logging.getLogger(__name__)

E = TypeVar("E", bound=DomainEvent)

Listener = Callable[[DomainEvent], object]
"""A synchronous callback given every published event; its result is ignored."""

DEFAULT_MAXSIZE = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionStats:
    """Counters of one subscription, for diagnostics."""

    name: str
    event_types: tuple[str, ...]
    queued: int
    maxsize: int
    delivered: int
    dropped: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ListenerStats:
    """Counters of one listener, for diagnostics."""

    name: str
    calls: int
    errors: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BusStats:
    """A snapshot of the bus counters (``EventBus.stats``)."""

    published: int
    subscriptions: tuple[SubscriptionStats, ...]
    listeners: tuple[ListenerStats, ...]

    @property
    def dropped(self) -> int:
        """Return the events dropped over all live subscriptions."""
        return sum(sub.dropped for sub in self.subscriptions)


class Subscription(Generic[E]):
    """A bounded, drop-oldest stream of the events one consumer asked for.

    Iterate it with ``async for``; close it with ``close()`` or by using it as a
    (sync or async) context manager. After ``close`` the events already queued are
    still yielded, then the iteration stops.
    """

    def __init__(
        self,
        bus: "EventBus",
        event_types: tuple[type[E], ...],
        *,
        maxsize: int,
        name: str,
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._bus = bus
        self.event_types = event_types
        self.maxsize = maxsize
        self.name = name
        self._queue: deque[E] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self.delivered = 0
        """Events handed to the consumer so far."""
        self.dropped = 0
        """Events discarded because the queue was full (oldest first)."""

    @property
    def closed(self) -> bool:
        """Return whether the subscription stopped receiving events."""
        return self._closed

    def accepts(self, event_type: type[DomainEvent]) -> bool:
        """Return whether events of ``event_type`` belong to this subscription."""
        return issubclass(event_type, self.event_types)

    def pending(self) -> int:
        """Return the number of events queued and not yet consumed."""
        return len(self._queue)

    def close(self) -> None:
        """Stop receiving; the iteration ends once the queued events are consumed."""
        if self._closed:
            return
        self._closed = True
        self._bus._discard(self)  # noqa: SLF001 - the bus and its subscriptions are one unit
        self._wake()

    def _offer(self, event: E) -> None:
        if len(self._queue) >= self.maxsize:
            self._queue.popleft()
            self.dropped += 1
        self._queue.append(event)
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> E:
        while not self._queue:
            if self._closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        self.delivered += 1
        return self._queue.popleft()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def stats(self) -> SubscriptionStats:
        """Return this subscription's counters."""
        return SubscriptionStats(
            name=self.name,
            event_types=tuple(t.__name__ for t in self.event_types),
            queued=len(self._queue),
            maxsize=self.maxsize,
            delivered=self.delivered,
            dropped=self.dropped,
        )


_AnySubscription = Subscription[DomainEvent]


@dataclass(slots=True)
class _ListenerSlot:
    callback: Listener
    name: str
    calls: int = 0
    errors: int = 0


class EventBus:
    """Fan-out of domain events to subscriptions and synchronous listeners."""

    def __init__(self) -> None:
        """Create an empty bus."""
        self._subscriptions: list[_AnySubscription] = []
        self._listeners: list[_ListenerSlot] = []
        self._routes: dict[type[DomainEvent], tuple[_AnySubscription, ...]] = {}
        self._pending: deque[DomainEvent] = deque()
        self._dispatching = False
        self._published = 0
        self._serial = 0

    def publish(self, event: DomainEvent) -> None:
        """Hand ``event`` to every listener and matching subscription.

        Never blocks and never raises because of a consumer: full queues drop their
        oldest event and listener errors are counted.
        """
        self._pending.append(event)
        if self._dispatching:
            return  # a listener published: the outer call dispatches it next
        self._dispatching = True
        try:
            while self._pending:
                self._dispatch(self._pending.popleft())
        finally:
            self._dispatching = False

    def _dispatch(self, event: DomainEvent) -> None:
        self._published += 1
        for slot in tuple(self._listeners):
            slot.calls += 1
            try:
                slot.callback(event)
            except Exception:  # a listener must never break publish
                slot.errors += 1
                if slot.errors == 1:
                    logger.exception(
                        "bus listener %s failed on %s (further errors only counted)",
                        slot.name,
                        type(event).__name__,
                    )
        for subscription in self._route(type(event)):
            subscription._offer(event)  # noqa: SLF001

    def _route(self, event_type: type[DomainEvent]) -> tuple[_AnySubscription, ...]:
        route = self._routes.get(event_type)
        if route is None:
            route = tuple(s for s in self._subscriptions if s.accepts(event_type))
            self._routes[event_type] = route
        return route

    @overload
    def subscribe(
        self, *, maxsize: int = DEFAULT_MAXSIZE, name: str | None = None
    ) -> Subscription[DomainEvent]: ...

    @overload
    def subscribe(
        self,
        *event_types: type[E],
        maxsize: int = DEFAULT_MAXSIZE,
        name: str | None = None,
    ) -> Subscription[E]: ...

    def subscribe(
        self,
        *event_types: type[DomainEvent],
        maxsize: int = DEFAULT_MAXSIZE,
        name: str | None = None,
    ) -> Subscription[Any]:
        """Open a subscription to events of the given types (all events if none).

        Args:
            event_types: Classes to receive, subclasses included.
            maxsize: Queue bound; beyond it the oldest queued event is dropped.
            name: Label shown by ``stats``; defaults to ``sub-N``.

        Returns:
            The subscription, to iterate with ``async for`` and close when done.

        Raises:
            TypeError: An argument is not a ``DomainEvent`` class.
            ValueError: ``maxsize`` is below 1.
        """
        for event_type in event_types:
            candidate: object = event_type  # callers may ignore the annotation
            if not (isinstance(candidate, type) and issubclass(candidate, DomainEvent)):
                msg = f"not a DomainEvent class: {event_type!r}"
                raise TypeError(msg)
        self._serial += 1
        subscription = Subscription(
            self,
            event_types or (DomainEvent,),
            maxsize=maxsize,
            name=name or f"sub-{self._serial}",
        )
        self._subscriptions.append(subscription)
        self._routes.clear()
        return subscription

    def _discard(self, subscription: object) -> None:
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)
            self._routes.clear()

    def add_listener(
        self, callback: Listener, *, name: str | None = None
    ) -> Callable[[], None]:
        """Call ``callback(event)`` synchronously for every event, in order.

        Args:
            callback: Must be quick; exceptions are caught and counted.
            name: Label shown by ``stats``; defaults to the callback's qualified name.

        Returns:
            A function that removes the listener (idempotent).
        """
        label = name or str(getattr(callback, "__qualname__", repr(callback)))
        slot = _ListenerSlot(callback=callback, name=label)
        self._listeners.append(slot)

        def remove() -> None:
            if slot in self._listeners:
                self._listeners.remove(slot)

        return remove

    def close(self) -> None:
        """Close every subscription (their readers finish the queued events)."""
        for subscription in tuple(self._subscriptions):
            subscription.close()

    def stats(self) -> BusStats:
        """Return a snapshot of the counters of the bus and of each consumer."""
        return BusStats(
            published=self._published,
            subscriptions=tuple(s.stats() for s in self._subscriptions),
            listeners=tuple(
                ListenerStats(name=s.name, calls=s.calls, errors=s.errors)
                for s in self._listeners
            ),
        )
