"""Draw a flow as a Mermaid flowchart or a Graphviz digraph.

Shapes say what a node does: decisions (menu, branch, collect) are diamonds,
endings (hangup, transfer, voicemail, return) are rounded, queues are boxes with
double sides. Edge labels are the menu digit, the branch condition or the exit
name (failure, closed, overflow, callback).
"""

import re

from ivr.model import (
    KIND_NAMES,
    BranchNode,
    CollectNode,
    EnqueueNode,
    Flow,
    HangupNode,
    MenuNode,
    Node,
    ReturnNode,
    SubflowNode,
    TransferNode,
    VoicemailNode,
)

_DECISIONS = (MenuNode, BranchNode, CollectNode)
_ENDINGS = (HangupNode, TransferNode, VoicemailNode, ReturnNode)


def _ident(name: str) -> str:
    return "n_" + re.sub(r"\W", "_", name)


def _detail(node: Node) -> str:
    kind = KIND_NAMES[type(node)]
    match node:
        case EnqueueNode():
            return f"{kind}: {node.queue}"
        case SubflowNode():
            return f"{kind}: {node.flow}"
        case TransferNode():
            return f"{kind}: {node.target}"
    return kind


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(flow: Flow) -> str:
    """Return the flow as a Mermaid ``flowchart`` (paste into Markdown)."""
    lines = ["flowchart TD", f'  start(("start")) --> {_ident(flow.start)}']
    for node in flow.nodes.values():
        label = _mermaid_text(f"{node.name}<br/><i>{_detail(node)}</i>")
        ident = _ident(node.name)
        if isinstance(node, _DECISIONS):
            lines.append(f'  {ident}{{"{label}"}}')
        elif isinstance(node, _ENDINGS):
            lines.append(f'  {ident}(["{label}"])')
        elif isinstance(node, EnqueueNode):
            lines.append(f'  {ident}[["{label}"]]')
        else:
            lines.append(f'  {ident}["{label}"]')
    for node in flow.nodes.values():
        for label, target in node.edges():
            arrow = f'-->|"{_mermaid_text(label)}"|' if label else "-->"
            lines.append(f"  {_ident(node.name)} {arrow} {_ident(target)}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(flow: Flow) -> str:
    """Return the flow as a Graphviz ``digraph`` (render with ``dot -Tsvg``)."""
    lines = [
        f'digraph "{_dot_text(flow.name)}" {{',
        "  rankdir=TB;",
        '  node [fontname="Helvetica"];',
        '  start [shape=circle, label="start"];',
        f'  start -> "{_dot_text(flow.start)}";',
    ]
    for node in flow.nodes.values():
        shape = "box"
        if isinstance(node, _DECISIONS):
            shape = "diamond"
        elif isinstance(node, _ENDINGS):
            shape = "oval"
        elif isinstance(node, EnqueueNode):
            shape = "box3d"
        label = f"{_dot_text(node.name)}\\n{_dot_text(_detail(node))}"
        lines.append(f'  "{_dot_text(node.name)}" [shape={shape}, label="{label}"];')
    for node in flow.nodes.values():
        for label, target in node.edges():
            attrs = f' [label="{_dot_text(label)}"]' if label else ""
            lines.append(f'  "{_dot_text(node.name)}" -> "{_dot_text(target)}"{attrs};')
    lines.append("}")
    return "\n".join(lines) + "\n"
