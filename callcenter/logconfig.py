"""Logging set-up, done once by the CLI.

Logs go to a rotated file under the data dir, and warnings also to stderr. Nothing
else configures handlers.
"""

import logging
import logging.handlers
from pathlib import Path

CONSOLE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
QUIET_LIBRARIES = ("amqtt", "transitions", "aiosqlite", "asyncio", "sqlalchemy.engine")


def configure_logging(
    log_dir: Path | None, *, level: str = "info", console: bool = True
) -> Path | None:
    """Send logs to ``log_dir/callcenter.log`` (rotated) and, optionally, stderr.

    Returns the log file path, or ``None`` when logging to a file is not possible
    (read-only or full disk): the service keeps running and says so on stderr.
    """
    root = logging.getLogger()
    root.setLevel(level.upper())
    for handler in list(root.handlers):
        root.removeHandler(handler)
    path: Path | None = None
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            path = log_dir / "callcenter.log"
            file_handler = logging.handlers.RotatingFileHandler(
                path, maxBytes=10_000_000, backupCount=5, encoding="utf-8"
            )
        except OSError as exc:
            path = None
            logging.getLogger(__name__).warning(
                "cannot write logs to %s: %s", log_dir, exc
            )
        else:
            file_handler.setFormatter(logging.Formatter(CONSOLE_FORMAT))
            root.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        stream.setLevel(logging.WARNING)
        root.addHandler(stream)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    return path
