"""Errors of the IVR package.

A script problem is reported as a :class:`Problem` (file, line, what is wrong) and
the loader raises one :class:`IvrScriptError` carrying all of them, so an author
fixes a flow in one round instead of one error per run.
"""

from dataclasses import dataclass
from pathlib import Path

from callcenter.errors import CallCenterError


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One thing wrong in a flow file, located by file and 1-based line."""

    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class IvrError(CallCenterError):
    """Base of every IVR error."""


class IvrScriptError(IvrError):
    """A flow file (or a set of flows) does not validate; ``problems`` lists all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(str(problem) for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in IVR flow(s):\n{lines}")


class IvrSessionError(IvrError):
    """The session was misused (e.g. fed an input of another call)."""
