"""Bounded, drop-oldest async feeds: how events and state changes reach consumers.

The AMI socket must never wait for a slow consumer (Asterisk would queue and finally
drop *us*), so every subscriber gets its own bounded buffer; when it is full the oldest
item is dropped and counted. A deque and one waiter future are used instead of
``asyncio.Queue`` because this sits on the hot path of every event.
"""

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, Self, TypeVar

T = TypeVar("T")


class Feed(Generic[T]):
    """One consumer's bounded buffer; an async iterator that ends when closed."""

    def __init__(
        self,
        *,
        maxsize: int,
        accept: Callable[[T], bool] | None = None,
        on_close: Callable[["Feed[T]"], None] | None = None,
    ) -> None:
        """Create a feed holding at most ``maxsize`` items.

        Args:
            maxsize: items buffered before the oldest are dropped.
            accept: optional filter; items it rejects are not buffered.
            on_close: called once when the consumer closes the feed (unsubscribe).
        """
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.dropped = 0
        self._accept = accept
        self._on_close = on_close
        self._items: deque[T] = deque(maxlen=maxsize)
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False

    @property
    def closed(self) -> bool:
        """Return whether the feed will yield no new items."""
        return self._closed

    def offer(self, item: T) -> None:
        """Buffer ``item`` without ever blocking; drop the oldest item when full."""
        self.offer_many((item,))

    def offer_many(self, items: Sequence[T]) -> None:
        """Buffer ``items`` in order as one batch: one wake-up, no per-item call.

        The deque's ``maxlen`` drops the oldest items when it is full.
        """
        if self._closed:
            return
        if self._accept is not None:
            accept = self._accept
            items = [item for item in items if accept(item)]
            if not items:
                return
        buffered = self._items
        overflow = len(buffered) + len(items) - self.maxsize
        if overflow > 0:
            self.dropped += overflow
        buffered.extend(items)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def close(self) -> None:
        """End the feed; buffered items are still delivered, then iteration stops."""
        if self._closed:
            return
        self._closed = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
        if self._on_close is not None:
            self._on_close(self)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        items = self._items
        while not items:
            if self._closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return items.popleft()

    def get_nowait(self) -> list[T]:
        """Return and remove everything buffered right now (batch consumers)."""
        items = list(self._items)
        self._items.clear()
        return items

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        self.close()
