"""Loading recorded FastAGI sessions (copied from /work/shared/asterisk)."""

import re
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).parents[2] / "fixtures" / "agi"
SESSION_FILES = sorted(
    [
        *FIXTURES.glob("*-session.txt"),
        *FIXTURES.glob("*.agi.txt"),
        *FIXTURES.glob("*.fastagi.log"),
    ]
)
RAW_FILES = sorted(FIXTURES.glob("*.fastagi.rx.raw"))

_STAMPED = re.compile(r"^\d+\.\d+ ([<>]) ?(.*)$")
_LOGGED = re.compile(r"^\s*\d+\.\d+ (<<|>>|--) ?(.*)$")


@dataclass
class Exchange:
    command: str
    replies: list[str] = field(default_factory=list)


@dataclass
class AgiTranscript:
    env: list[str]
    exchanges: list[Exchange]

    def env_bytes(self) -> bytes:
        return "".join(f"{line}\n" for line in [*self.env, ""]).encode()


def load(path: Path) -> AgiTranscript:
    """Split a session log into the environment and command/reply exchanges."""
    env: list[str] = []
    exchanges: list[Exchange] = []
    for raw in path.read_text().splitlines():
        match = _STAMPED.match(raw) or _LOGGED.match(raw)
        if match is None:
            continue
        direction, text = match.groups()
        if direction == "--":
            continue
        if text == "''":
            text = ""
        if direction in {">", ">>"}:
            exchanges.append(Exchange(text))
        elif exchanges:
            exchanges[-1].replies.append(text)
        elif text:
            env.append(text)
    return AgiTranscript(env=env, exchanges=exchanges)
