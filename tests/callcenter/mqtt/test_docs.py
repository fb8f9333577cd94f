"""docs/BUS.md shows the real payload and topics of every event type.

The section between the markers is generated from the codec and the topic scheme;
refresh it with ``UPDATE_DOCS=1 .venv/bin/pytest tests/callcenter/mqtt/test_docs.py``.
"""

import json
import os
from pathlib import Path

from callcenter.domain.codec import from_payload, to_payload
from callcenter.mqtt.topics import routes_for
from tests.callcenter.mqtt.samples import SAMPLES

DOC = Path("docs/BUS.md")
BEGIN = "<!-- BEGIN GENERATED PAYLOADS: tests/callcenter/mqtt/test_docs.py -->"
END = "<!-- END GENERATED PAYLOADS -->"


def render() -> str:
    parts = [BEGIN, ""]
    for event in SAMPLES:
        name = type(event).__name__
        payload = json.dumps(to_payload(event), ensure_ascii=False)
        parts.append(f"#### {name}\n")
        for route in routes_for(event, site="default"):
            flags = f" (QoS {route.qos}, retained)" if route.retain else ""
            parts.append(f"- `{route.topic}`{flags}")
        parts += ["", "```json", payload, "```", ""]
    parts.append(END)
    return "\n".join(parts)


def test_the_payload_section_of_bus_md_is_current() -> None:
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    fresh = head + render() + tail
    if os.environ.get("UPDATE_DOCS") == "1":
        DOC.write_text(fresh, encoding="utf-8")
        return
    assert text == fresh, "docs/BUS.md is stale: run with UPDATE_DOCS=1"


def test_every_documented_payload_decodes_to_its_event() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.partition(BEGIN)[2].partition(END)[0]
    blocks = [b.split("```")[0].strip() for b in section.split("```json")[1:]]
    assert [from_payload(json.loads(b)) for b in blocks] == list(SAMPLES)
