"""AmiConnection framing: CRLF found with bytes.find, any bare LF still tolerated."""

import itertools
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.ami.messages import Event
from callcenter.ami.protocol import AmiConnection
from tests.callcenter.ami.transcripts import RX_FILES, feed


def mix_line_ends(data: bytes, rng: random.Random) -> bytes:
    *lines, last = data.split(b"\r\n")
    return b"".join(line + rng.choice((b"\r\n", b"\n")) for line in lines) + last


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(RX_FILES),
    st.randoms(use_true_random=False),
    st.lists(st.integers(1, 3000), min_size=1, max_size=20),
)
def test_any_mix_of_crlf_and_bare_lf_gives_the_crlf_messages(
    path: Path, rng: random.Random, sizes: list[int]
) -> None:
    data = path.read_bytes()
    assert feed(mix_line_ends(data, rng), itertools.cycle(sizes)) == feed(data)


def test_bare_lf_after_a_clean_read_ends_the_message_it_belongs_to() -> None:
    conn = AmiConnection()
    first = conn.receive_data(b"Asterisk Call Manager/11.0.0\r\nEvent: A\r\nX: 1\n")
    second = conn.receive_data(b"\r\nEvent: B\r\n\r\n")
    assert [m.name for m in first + second if isinstance(m, Event)] == ["A", "B"]
    assert conn.buffered_bytes == 0


def test_terminator_split_across_reads_in_every_place() -> None:
    data = b"Asterisk Call Manager/11.0.0\r\nEvent: A\r\n\r\nEvent: B\r\n\r\n"
    for cut in range(1, len(data)):
        conn = AmiConnection()
        messages = conn.receive_data(data[:cut]) + conn.receive_data(data[cut:])
        assert [m.name for m in messages if isinstance(m, Event)] == ["A", "B"]
