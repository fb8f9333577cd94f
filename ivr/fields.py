"""Line-aware YAML reading and typed field access for the flow loader.

PyYAML's composer knows where every key sits; :func:`parse_yaml` keeps that as
:class:`LineMap` (a dict remembering each key's line) and reports duplicate keys,
which plain ``yaml.safe_load`` silently drops. :class:`FieldReader` reads one
node's fields with type checks, recording every problem instead of stopping at
the first, and finally reports fields it did not recognise (typos).
"""

from pathlib import Path
from typing import Any

import yaml

from ivr.errors import Problem


class LineMap(dict[str, Any]):
    """A YAML mapping that remembers its own line and each key's line."""

    line: int
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    problems: list[Problem]
    source: Path


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    result = LineMap()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key: object = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        text = str(key)
        if text in result:
            loader.problems.append(
                Problem(
                    file=loader.source, line=line, message=f"duplicate key {text!r}"
                )
            )
        result[text] = loader.construct_object(value_node, deep=True)
        result.key_lines[text] = line
    return result


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def parse_yaml(text: str, source: Path) -> tuple[Any, list[Problem]]:
    """Parse YAML text; mappings become ``LineMap``. Return (document, problems)."""
    loader = _LineLoader(text)
    loader.problems = []
    loader.source = source
    try:
        document = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [
            Problem(file=source, line=line, message=f"invalid YAML: {problem}")
        ]
    finally:
        loader.dispose()
    return document, loader.problems


_MISSING = object()


class FieldReader:
    """Typed access to one YAML mapping, collecting problems as it goes."""

    def __init__(
        self, data: LineMap, *, source: Path, where: str, line: int | None = None
    ) -> None:
        self.data = data
        self.line = data.line if line is None else line
        self.source = source
        self.where = where
        self.problems: list[Problem] = []
        self.ref_lines: dict[str, int] = {}
        self._used: set[str] = set()

    def line_of(self, key: str) -> int:
        """Return the line of ``key`` (or of the mapping when absent)."""
        return self.data.key_lines.get(key, self.line)

    def problem(self, key: str, message: str) -> None:
        """Record a problem about ``key``."""
        self.problems.append(
            Problem(file=self.source, line=self.line_of(key), message=message)
        )

    def _get(self, key: str, required: bool) -> Any:  # noqa: FBT001
        self._used.add(key)
        value = self.data.get(key, _MISSING)
        if value is _MISSING and required:
            self.problem(key, f"{self.where}: missing required field {key!r}")
        return value

    def _wrong(self, key: str, value: Any, wanted: str) -> None:
        self.problem(
            key, f"{self.where}: field {key!r} must be {wanted}, not {value!r}"
        )

    def text(self, key: str, default: str | None = None) -> str | None:
        """Read a non-empty string (numbers are accepted as their text)."""
        value = self._get(key, required=default is None)
        if value is _MISSING or value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int):
            self._wrong(key, value, "a string")
            return default
        text = str(value)
        if not text:
            self._wrong(key, value, "a non-empty string")
            return default
        return text

    def ref(self, key: str, label: str, *, required: bool = True) -> str | None:
        """Read a node reference, remembering its line under the edge ``label``."""
        value = self.text(key) if required else self.optional_text(key)
        if value is not None:
            self.ref_lines[label] = self.line_of(key)
        return value

    def optional_text(self, key: str) -> str | None:
        """Read a string that may be absent."""
        return self.text(key, default="") or None

    def number(self, key: str, default: float, *, minimum: float = 0) -> float:
        """Read a number of at least ``minimum`` (seconds, usually)."""
        value = self._get(key, required=False)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self._wrong(key, value, "a number")
            return default
        if value < minimum:
            self._wrong(key, value, f"a number >= {minimum:g}")
            return default
        return float(value)

    def integer(self, key: str, default: int, *, minimum: int = 0) -> int:
        """Read an integer of at least ``minimum``."""
        value = self._get(key, required=False)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self._wrong(key, value, f"an integer >= {minimum}")
            return default
        return value

    def flag(self, key: str, *, default: bool) -> bool:
        """Read a boolean."""
        value = self._get(key, required=False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self._wrong(key, value, "true or false")
            return default
        return value

    def text_list(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        """Read a string or a list of strings."""
        value = self._get(key, required=required)
        if value is _MISSING or value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(
            isinstance(item, str) and item for item in items
        ):
            self._wrong(key, value, "a string or a list of strings")
            return ()
        if required and not items:
            self._wrong(key, value, "a non-empty list")
        return tuple(items)

    def mapping(self, key: str, *, required: bool = False) -> LineMap | None:
        """Read a nested mapping."""
        value = self._get(key, required=required)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, LineMap):
            self._wrong(key, value, "a mapping")
            return None
        return value

    def raw(self, key: str, *, required: bool = False) -> Any:
        """Read any value (``None`` when absent); the caller checks its type."""
        value = self._get(key, required=required)
        return None if value is _MISSING else value

    def finish(self, *, ignore: frozenset[str] = frozenset()) -> list[Problem]:
        """Report unknown fields and return every problem found.

        Keys starting with ``x-`` are the author's own (e.g. YAML anchors to reuse).
        """
        for key in self.data:
            if key not in self._used and key not in ignore and not key.startswith("x-"):
                self.problem(key, f"{self.where}: unknown field {key!r}")
        return self.problems
