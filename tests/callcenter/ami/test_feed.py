"""Feed: bounded, drop-oldest, batch delivery without blocking the socket."""

import asyncio

from callcenter.ami.feed import Feed


async def test_batches_keep_order_and_drop_the_oldest_when_full() -> None:
    feed: Feed[int] = Feed(maxsize=5)
    feed.offer_many([1, 2, 3])
    feed.offer(4)
    feed.offer_many([5, 6, 7])
    assert feed.dropped == 2
    assert feed.get_nowait() == [3, 4, 5, 6, 7]
    feed.offer_many(range(12))
    assert feed.dropped == 9
    assert feed.get_nowait() == [7, 8, 9, 10, 11]


async def test_filter_applies_to_batches() -> None:
    feed: Feed[int] = Feed(maxsize=10, accept=lambda n: n % 2 == 0)
    feed.offer_many([1, 2, 3, 4])
    feed.offer(5)
    assert feed.get_nowait() == [2, 4]


async def test_a_waiting_consumer_wakes_once_per_batch() -> None:
    feed: Feed[int] = Feed(maxsize=10)
    first = asyncio.create_task(anext(feed))
    await asyncio.sleep(0)
    feed.offer_many([1, 2, 3])
    assert await first == 1
    assert [await anext(feed), await anext(feed)] == [2, 3]
    feed.close()
    feed.offer_many([4])
    assert [n async for n in feed] == []
