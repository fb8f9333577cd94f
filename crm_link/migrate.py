"""Schema migrations without an alembic.ini: ``await upgrade(url)``.

The Alembic configuration is built here (script location inside the package, ruff
formatting of new revisions), so the CLI, the embedded runtime and the tests all
migrate the same way. ``autogenerate_diff`` is what the drift test checks is empty.
"""

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

import crm_link.models  # noqa: F401  (registers the tables)
from crm_link.db import Base, make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str = "") -> Config:
    """Return the Alembic configuration of the CRM schema."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    hooks = {
        "hooks": "ruff_format",
        "ruff_format.type": "module",
        "ruff_format.module": "ruff",
        "ruff_format.options": "format REVISION_SCRIPT_FILENAME",
    }
    for key, value in hooks.items():
        config.set_section_option("post_write_hooks", key, value)
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (default: the latest)."""
    await _migrate(url, "upgrade", revision)


async def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` back to ``revision`` (``base``: empty)."""
    await _migrate(url, "downgrade", revision)


async def _migrate(url: str, verb: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run, verb, revision)
    finally:
        await engine.dispose()


def _run(connection: Connection, verb: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    getattr(command, verb)(config, revision)


async def autogenerate_diff(url: str) -> list[Any]:
    """Return the differences between the models and the database at ``url``."""
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_diff)
    finally:
        await engine.dispose()


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def revision(url: str, message: str) -> None:
    """Autogenerate a new revision against the database at ``url`` (developers)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
