"""Fixtures of the CRM suite: every database test runs on SQLite and PostgreSQL.

PostgreSQL is a throwaway server started once per session with ``initdb`` and
``pg_ctl`` in a temporary folder on a free loopback port (run as the ``postgres``
user, or ``nobody``, when the tests run as root). The schema is migrated once; each test
gets a copied template file on SQLite and truncated tables on PostgreSQL, so tests
are isolated and fast. Tests that change the schema get a database of their own.
"""

import asyncio
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa

import crm_link.models  # noqa: F401  (registers the tables)
from crm_link.db import Base, make_engine, make_session_factory
from crm_link.migrate import upgrade
from crm_link.service import CrmService
from tests.services import free_port, require_binary

NOW = 1_767_600_000.0  # 2026-01-05 08:00 UTC
_counter = itertools.count()


def run_in_thread(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run ``coroutine`` to completion on its own loop (session fixtures are sync
    but may be first requested from inside a running test loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


@dataclass(frozen=True, slots=True)
class PostgresServer:
    """A running throwaway PostgreSQL."""

    port: int
    data: Path

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://crm@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str) -> str:
        return f"postgresql://crm@127.0.0.1:{self.port}/{database}"


def _server_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    pytest.fail("running as root and no postgres/nobody user to run PostgreSQL as")


def _as(user: str | None, *command: str) -> list[str]:
    runuser = shutil.which("runuser")
    if user is None or runuser is None:
        return list(command)
    return [runuser, "-u", user, "--", *command]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    postgres = Path(require_binary("postgres", "/usr/lib/postgresql/*/bin/postgres"))
    initdb, pg_ctl = postgres.with_name("initdb"), postgres.with_name("pg_ctl")
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="crm-pg-"))
    if user is not None:
        shutil.chown(root, user)
    data, port = root / "data", free_port()
    subprocess.run(  # noqa: S603  (our own binaries)
        _as(user, str(initdb), "-D", str(data), "-A", "trust", "-U", "crm",
            "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"),
        check=True, capture_output=True,
    )  # fmt: skip
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    subprocess.run(  # noqa: S603  (our own binaries)
        _as(user, str(pg_ctl), "-D", str(data), "-o", options,
            "-l", str(root / "log"), "-w", "start"),
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield PostgresServer(port=port, data=data)
    finally:
        subprocess.run(  # noqa: S603  (our own binaries)
            _as(user, str(pg_ctl), "-D", str(data), "-m", "immediate", "-w", "stop"),
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


async def _pg_execute(server: PostgresServer, *statements: str) -> None:
    connection = await asyncpg.connect(server.dsn("postgres"))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def pg_template(postgres_server: PostgresServer) -> str:
    async def build() -> None:
        await _pg_execute(postgres_server, "CREATE DATABASE crm_template")
        await upgrade(postgres_server.url("crm_template"))

    run_in_thread(build())
    return "crm_template"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crm-template") / "template.db"
    run_in_thread(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def pg_shared(postgres_server: PostgresServer) -> str:
    """One migrated database that tests share, emptied before each test."""

    async def build() -> None:
        await _pg_execute(postgres_server, "CREATE DATABASE crm_shared")
        await upgrade(postgres_server.url("crm_shared"))

    run_in_thread(build())
    return postgres_server.url("crm_shared")


async def _empty_tables(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
async def db_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[str]:
    """A migrated, empty database of the parametrized backend for this test.

    SQLite gets a copy of a migrated template file; PostgreSQL a shared migrated
    database with every table truncated (much faster than a new database).
    """
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "crm.db"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url: str = request.getfixturevalue("pg_shared")
    await _empty_tables(url)
    yield url


@pytest.fixture
async def own_db_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[str]:
    """A database of its own (for tests that change the schema itself)."""
    if backend == "sqlite":
        path = tmp_path / "own.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template_name: str = request.getfixturevalue("pg_template")
    name = f"crm_test_{os.getpid()}_{next(_counter)}"
    await _pg_execute(server, f"CREATE DATABASE {name} TEMPLATE {template_name}")
    yield server.url(name)
    await _pg_execute(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def crm(db_url: str, tmp_path: Path) -> AsyncIterator[CrmService]:
    engine = make_engine(db_url)
    service = CrmService(make_session_factory(engine), engine=engine)
    yield service
    await service.aclose()
