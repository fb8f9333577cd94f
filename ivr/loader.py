"""Load IVR flows from YAML files, reporting every problem with file and line.

A flow file looks like::

    description: Main line
    languages: [en, zh]
    start: greeting
    nodes:
      greeting:
        kind: play
        prompts: [custom/welcome]
        next: main_menu

See ``docs/IVR.md`` for every node kind. :func:`load_flow` raises
:class:`~ivr.errors.IvrScriptError` listing all problems; :func:`check_flow` returns
them instead, which is what ``callcenter ivr check`` and the registry use.
"""

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from ivr.builders import BUILDERS
from ivr.errors import IvrScriptError, Problem
from ivr.fields import FieldReader, LineMap, parse_yaml
from ivr.model import Flow, Node
from ivr.validate import check_graph, check_prompts, check_references

FLOW_SUFFIXES = (".yaml", ".yml")


_Built = tuple[Node | None, list[Problem], dict[str, int]]


def _build_node(name: str, spec: object, source: Path, line: int) -> _Built:
    """Return the node (None when hopeless), its problems and its exits' lines."""
    if not isinstance(spec, LineMap):
        message = f"node {name!r} must be a mapping with a 'kind'"
        return None, [Problem(file=source, line=line, message=message)], {}
    reader = FieldReader(spec, source=source, where=f"node {name!r}", line=line)
    kind = reader.text("kind")
    if kind is None:
        return None, reader.problems, {}
    builder = BUILDERS.get(kind)
    if builder is None:
        known = ", ".join(sorted(BUILDERS))
        message = f"node {name!r}: unknown node kind {kind!r} (known: {known})"
        reader.problem("kind", message)
        return None, reader.problems, {}
    reader.where = f"{kind} node {name!r}"
    node = builder(reader, name, line)
    return node, reader.finish(), reader.ref_lines


def _build_nodes(
    top: FieldReader,
) -> tuple[dict[str, Node], dict[str, Mapping[str, int]]]:
    raw = top.mapping("nodes", required=True)
    nodes: dict[str, Node] = {}
    ref_lines: dict[str, Mapping[str, int]] = {}
    for name, spec in (raw or {}).items():
        line = raw.key_lines[name] if raw else 1
        node, problems, ref_lines[name] = _build_node(name, spec, top.source, line)
        top.problems.extend(problems)
        # A node that failed to build stays as a bare placeholder so references
        # to it are not reported a second time; the flow is invalid anyway.
        nodes[name] = node if node is not None else Node(name=name, line=line)
    if raw is not None and not raw:
        top.problem("nodes", "flow has no nodes")
    return nodes, ref_lines


def check_flow(
    path: Path, *, prompts_dir: Path | None = None
) -> tuple[Flow | None, list[Problem]]:
    """Load ``path`` and return ``(flow, problems)``; the flow is None when broken."""
    flow, problems = _read_flow(path, prompts_dir)
    return (None if problems else flow), problems


def _read_flow(
    path: Path, prompts_dir: Path | None
) -> tuple[Flow | None, list[Problem]]:
    """Return the flow as far as it could be built (even when broken) and problems."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [
            Problem(file=path, line=1, message=f"cannot read: {exc.strerror}")
        ]
    document, problems = parse_yaml(text, path)
    if document is None and not problems:
        problems.append(Problem(file=path, line=1, message="empty flow file"))
    if not isinstance(document, LineMap):
        if document is not None:
            problems.append(
                Problem(file=path, line=1, message="a flow must be a mapping")
            )
        return None, problems
    top = FieldReader(document, source=path, where="flow")
    start = top.text("start") or ""
    languages = top.text_list("languages") or ("en",)
    description = top.text("description", default="") or ""
    nodes, ref_lines = _build_nodes(top)
    problems.extend(top.finish())
    flow = Flow(
        name=path.stem,
        source=path,
        start=start,
        nodes=MappingProxyType(nodes),
        languages=languages,
        description=description,
        ref_lines=MappingProxyType(ref_lines),
    )
    problems.extend(check_graph(flow))
    if prompts_dir is not None:
        problems.extend(check_prompts(flow, prompts_dir))
    problems.sort(key=lambda problem: problem.line)
    return flow, problems


def load_flow(path: Path, *, prompts_dir: Path | None = None) -> Flow:
    """Load and validate one flow file.

    Raises:
        IvrScriptError: listing every problem found, each with file and line.
    """
    flow, problems = check_flow(path, prompts_dir=prompts_dir)
    if flow is None:
        raise IvrScriptError(problems)
    return flow


def flow_files(directory: Path) -> list[Path]:
    """Return the flow files of a directory, sorted by name."""
    return sorted(
        p for p in directory.iterdir() if p.suffix in FLOW_SUFFIXES and p.is_file()
    )


def check_flows(
    directory: Path, *, prompts_dir: Path | None = None
) -> tuple[dict[str, Flow], list[Problem]]:
    """Load every flow of ``directory``; return the good ones and all problems.

    Subflow and after-call references are checked across the directory.
    """
    flows: dict[str, Flow] = {}
    problems: list[Problem] = []
    if not directory.is_dir():
        return flows, [Problem(file=directory, line=1, message="not a directory")]
    files = flow_files(directory)
    built: dict[str, Flow] = {}
    for path in files:
        flow, found = _read_flow(path, prompts_dir)
        problems.extend(found)
        if flow is not None:
            built[flow.name] = flow
            if not found:
                flows[flow.name] = flow
    problems.extend(check_references(built, names=(path.stem for path in files)))
    return flows, problems


def load_flows(directory: Path, *, prompts_dir: Path | None = None) -> dict[str, Flow]:
    """Load every flow of a directory: name (file stem) -> flow.

    Raises:
        IvrScriptError: listing every problem of every file.
    """
    flows, problems = check_flows(directory, prompts_dir=prompts_dir)
    if problems:
        raise IvrScriptError(problems)
    return flows


def flow_names(flows: Mapping[str, Flow]) -> list[str]:
    """Return flow names sorted, for messages."""
    return sorted(flows)
