"""Loading recorded AMI conversations (copied from /work/shared/asterisk)."""

import random
from collections.abc import Iterator
from pathlib import Path

from callcenter.ami.messages import Action, AmiMessage
from callcenter.ami.protocol import AmiConnection

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ami"
SHARED = Path("/work/shared/asterisk")
RX_FILES = sorted([*FIXTURES.glob("*.rx.txt"), *FIXTURES.glob("*.ami.rx.raw")])
TX_FILES = sorted([*FIXTURES.glob("*.tx.txt"), *FIXTURES.glob("*.ami.tx.raw")])


def rx(name: str) -> bytes:
    """Return the bytes Asterisk sent in transcript ``name`` (file stem prefix)."""
    for path in RX_FILES:
        if path.name.startswith(name):
            return path.read_bytes()
    raise FileNotFoundError(name)


def tx_actions(path: Path) -> list[Action]:
    """Return the actions our side sent in a ``.tx`` transcript."""
    actions = []
    text = path.read_bytes().decode().replace("\r\n", "\n")
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        pairs = [tuple(line.split(": ", 1)) for line in block.strip().split("\n")]
        fields = [(k, v) for k, v in pairs[1:] if k != "ActionID"]
        action_id = next((v for k, v in pairs if k == "ActionID"), None)
        actions.append(
            Action(name=pairs[0][1], headers=tuple(fields), action_id=action_id)
        )
    return actions


def feed(
    data: bytes, chunks: Iterator[int] | None = None, **options: int
) -> list[AmiMessage]:
    """Feed ``data`` (then EOF) to a new connection in chunks of the given sizes."""
    conn = AmiConnection(**options)
    out: list[AmiMessage] = []
    pos = 0
    while pos < len(data):
        size = next(chunks) if chunks is not None else len(data)
        out += conn.receive_data(data[pos : pos + max(1, size)])
        pos += max(1, size)
    return out + conn.receive_data(b"")


def byte_at_a_time() -> Iterator[int]:
    while True:
        yield 1


def random_chunks(seed: int) -> Iterator[int]:
    rng = random.Random(seed)
    while True:
        yield rng.randint(1, 700)


def event_frames(data: bytes) -> list[bytes]:
    """Return the raw ``Event:`` frames (with terminator) of a transcript, no ActionID."""
    body = data.split(b"\r\n", 1)[1]
    return [
        frame + b"\r\n\r\n"
        for frame in body.split(b"\r\n\r\n")
        if frame.startswith(b"Event:") and b"\r\nActionID:" not in frame
    ]
