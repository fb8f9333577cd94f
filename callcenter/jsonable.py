"""Turn frozen dataclasses (DTOs, events) into JSON-ready values."""

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any


def jsonable(value: Any) -> Any:
    """Return ``value`` as nested dicts, lists, strings and numbers."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value
