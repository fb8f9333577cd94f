"""Flow diagrams in Mermaid and Graphviz."""

from ivr.graph import to_dot, to_mermaid
from ivr.loader import load_flow
from tests.ivr.helpers import SAMPLES

MAIN = load_flow(SAMPLES / "main.yaml")


def test_mermaid_has_every_node_and_labelled_edges() -> None:
    text = to_mermaid(MAIN)

    assert text.startswith("flowchart TD\n")
    for name in MAIN.nodes:
        assert f"n_{name}" in text
    assert 'n_main_menu -->|"1"| n_reservations_queue' in text
    assert 'n_key_check -->|"tier == #quot;key#quot;"| n_key_intro' in text
    assert (
        'n_reservations_queue[["reservations_queue<br/><i>enqueue: reservations</i>"]]'
        in text
    )


def test_dot_is_a_digraph_with_shapes() -> None:
    text = to_dot(MAIN)

    assert text.startswith('digraph "main" {')
    assert '"main_menu" [shape=diamond, label="main_menu\\nmenu"];' in text
    assert '"complaint_check" -> "complaint_offer" [label="open_complaint"];' in text
    assert text.rstrip().endswith("}")
