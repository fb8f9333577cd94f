"""Turn frozen dataclasses (DTOs, events) into JSON-ready values."""

import dataclasses
import datetime as dt
from collections.abc import Mapping
from enum import Enum
from typing import Any


def jsonable(value: Any) -> Any:
    """Return ``value`` as nested dicts, lists, strings and numbers.

    Dates and times become ISO 8601 text (``2026-01-10``).
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):  # a datetime is a date too
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value
