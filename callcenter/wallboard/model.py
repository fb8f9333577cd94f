"""The wallboard state a client keeps: a snapshot, then patches applied to it.

Shared by the terminal wallboard and the benchmark; the browser does the same in
``callcenter/web/static/app.js``.
"""

from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


@dataclass(slots=True)
class BoardModel:
    """What the server last said, merged."""

    queues: list[Json] = field(default_factory=list)
    agents: dict[str, Json] = field(default_factory=dict)
    complaints: Json = field(default_factory=dict)
    chart: Json = field(default_factory=dict)
    alerts: list[Json] = field(default_factory=list)
    thresholds: Json = field(default_factory=dict)
    version: int = -1
    at: float = 0.0

    def apply(self, message: Json) -> None:
        """Merge a ``snapshot`` (replaces everything) or a ``patch``."""
        if message.get("type") == "snapshot":
            self.agents = {}
            self.thresholds = message.get("thresholds", {})
        for key in ("queues", "complaints", "chart", "alerts"):
            if key in message:
                setattr(self, key, message[key])
        for agent_id, row in message.get("agents", {}).items():
            if row is None:
                self.agents.pop(agent_id, None)
            else:
                self.agents[agent_id] = row
        self.version = int(message.get("version", self.version))
        self.at = float(message.get("at", self.at))


def clock_text(seconds: float) -> str:
    """Format a duration as m:ss or h:mm:ss."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def percent(value: float | None) -> str:
    """Format a ratio as a percentage, or a dash."""
    return "-" if value is None else f"{value:.0%}"
