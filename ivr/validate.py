"""Graph checks of a built flow: references, reachability, exits, loops, prompts.

These run after every node was built, so one pass reports every broken ``next``,
every unreachable node, every menu without a way out, every loop the caller could
never leave and every missing prompt file (when a prompts directory is given).
"""

from collections.abc import Iterable, Mapping
from pathlib import Path

from ivr.errors import Problem
from ivr.model import (
    INPUT_NODES,
    TERMINAL_NODES,
    CollectNode,
    EnqueueNode,
    Flow,
    MenuNode,
    Node,
    SetNode,
    SubflowNode,
)

SOUND_EXTENSIONS = (".wav", ".gsm", ".ulaw", ".alaw", ".sln", ".g722", ".g729", ".mp3")
"""File extensions Asterisk plays for a prompt named without one."""


def check_graph(flow: Flow) -> list[Problem]:
    """Return every structural problem of ``flow``."""
    problems: list[Problem] = []
    if flow.start not in flow.nodes:
        problems.append(_at(flow, 1, f"start node {flow.start!r} does not exist"))
    for node in flow.nodes.values():
        problems.extend(_node_problems(flow, node))
    problems.extend(_unreachable(flow))
    problems.extend(_stuck_loops(flow))
    return problems


def _at(flow: Flow, line: int, message: str) -> Problem:
    return Problem(file=flow.source, line=line, message=message)


def _node_problems(flow: Flow, node: Node) -> list[Problem]:
    problems = [
        _at(
            flow,
            flow.line_of_edge(node, label),
            f"node {node.name!r}: {label or 'next'} -> {target!r} points to no node",
        )
        for label, target in node.edges()
        if target not in flow.nodes
    ]
    if isinstance(node, MenuNode) and not node.options:
        problems.append(
            _at(flow, node.line, f"menu {node.name!r} has no options (no exit)")
        )
    if isinstance(node, SetNode):
        for key, value in node.values:
            if key == "language" and value not in flow.languages:
                message = (
                    f"node {node.name!r}: language {value!r} is not one of the "
                    f"flow's languages {list(flow.languages)}"
                )
                problems.append(_at(flow, node.line, message))
    return problems


def _reachable(flow: Flow, start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in flow.nodes:
            continue
        seen.add(name)
        todo.extend(target for _, target in flow.nodes[name].edges())
    return seen


def _unreachable(flow: Flow) -> list[Problem]:
    if flow.start not in flow.nodes:
        return []
    seen = _reachable(flow, flow.start)
    return [
        _at(flow, node.line, f"node {node.name!r} is unreachable from {flow.start!r}")
        for node in flow.nodes.values()
        if node.name not in seen
    ]


def _can_end(node: Node) -> bool:
    if isinstance(node, TERMINAL_NODES):
        return True
    # A menu or collect without ``on_failure`` hangs up when retries run out.
    return isinstance(node, MenuNode | CollectNode) and node.on_failure is None


def _ending_nodes(flow: Flow) -> set[str]:
    incoming: dict[str, set[str]] = {name: set() for name in flow.nodes}
    for node in flow.nodes.values():
        for _, target in node.edges():
            incoming.setdefault(target, set()).add(node.name)
    done = {name for name, node in flow.nodes.items() if _can_end(node)}
    todo = list(done)
    while todo:
        for source in incoming.get(todo.pop(), ()):
            if source not in done:
                done.add(source)
                todo.append(source)
    return done


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components that contain a cycle (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for target in graph[name]:
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            component = stack[stack.index(name) :]
            del stack[stack.index(name) :]
            if len(component) > 1 or name in graph[name]:
                found.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    return found


def _stuck_loops(flow: Flow) -> list[Problem]:
    ending = _ending_nodes(flow)
    stuck = {
        name
        for name, node in flow.nodes.items()
        if name not in ending and not isinstance(node, INPUT_NODES)
    }
    graph = {
        name: {t for _, t in flow.nodes[name].edges() if t in stuck} for name in stuck
    }
    problems = []
    for component in _cycles(graph):
        first = min(component, key=lambda name: flow.nodes[name].line)
        message = (
            f"loop with no way out: {' -> '.join(component)} never reaches an end "
            "and never waits for the caller"
        )
        problems.append(_at(flow, flow.nodes[first].line, message))
    return problems


def check_prompts(flow: Flow, prompts_dir: Path) -> list[Problem]:
    """Return a problem for every prompt file missing in a language directory."""
    problems = []
    for language in flow.languages:
        base = prompts_dir / language
        if not base.is_dir():
            message = f"language {language!r} has no prompts directory {base}"
            problems.append(_at(flow, 1, message))
            continue
        for line, prompt in flow.prompts():
            if not any((base / f"{prompt}{ext}").is_file() for ext in SOUND_EXTENSIONS):
                message = f"prompt {prompt!r} has no sound file under {base}"
                problems.append(_at(flow, line, message))
    return problems


def check_references(
    flows: Mapping[str, Flow], names: Iterable[str] = ()
) -> list[Problem]:
    """Return problems for subflows and after-call flows that do not exist."""
    known = set(flows) | set(names)
    problems = []
    for flow in flows.values():
        for node in flow.nodes.values():
            wanted = None
            if isinstance(node, SubflowNode):
                wanted = node.flow
            elif isinstance(node, EnqueueNode):
                wanted = node.after_call
            if wanted is not None and wanted not in known:
                message = f"node {node.name!r}: flow {wanted!r} does not exist"
                problems.append(_at(flow, node.line, message))
    return problems
