"""The demo CRM in a SQLite file, migrated and seeded once for a module or session.

Fixtures run outside the test's event loop, so the build runs in a loop of its own
on a worker thread; tests then open the file (or copy it) as they need.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from crm_link.db import make_engine
from crm_link.migrate import upgrade
from crm_link.seed import seed_demo

SEEDED_AT = 1_767_600_000.0  # the harnesses' clock: Monday 2026-01-05 08:00 UTC


async def _build(url: str, now: float) -> None:
    await upgrade(url)
    engine = make_engine(url)
    try:
        await seed_demo(engine, now=now)
    finally:
        await engine.dispose()


def demo_crm(path: Path, *, now: float = SEEDED_AT) -> str:
    """Migrate and seed the demo CRM into ``path``; return its database URL."""
    url = f"sqlite+aiosqlite:///{path}"
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _build(url, now)).result()
    return url
