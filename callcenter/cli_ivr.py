"""``callcenter ivr``: check, run and draw IVR call flows without a phone.

Examples::

    callcenter ivr check                       # every flow in config/ivr
    callcenter ivr check config/ivr/main.yaml --prompts /var/lib/asterisk/sounds
    callcenter ivr run main --caller +8613800138000 --dtmf 2,123456 --tier vip
    callcenter ivr graph main --format dot | dot -Tsvg > main.svg
"""

import dataclasses
from pathlib import Path

import click

from callcenter.domain.events import IvrNodeVisited
from callcenter.domain.ids import CallId
from ivr.errors import IvrScriptError, Problem
from ivr.graph import to_dot, to_mermaid
from ivr.inputs import Fact
from ivr.loader import FLOW_SUFFIXES, check_flow, check_flows, load_flows
from ivr.model import Flow
from ivr.requests import IvrFinished, IvrRequest
from ivr.scripted import CallerScript, Transcript, run_scripted
from ivr.session import IvrSession
from ivr.validate import check_references

DEFAULT_DIR = Path("config/ivr")

_dir_option = click.option(
    "--dir",
    "flows_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_DIR,
    show_default=True,
    help="Directory of flow files (subflows are looked up here).",
)


@click.group("ivr")
def ivr_group() -> None:
    """Check, run and draw IVR call flows (YAML under config/ivr)."""


def _check_path(path: Path, prompts: Path | None) -> tuple[int, list[Problem]]:
    if path.is_dir():
        flows, problems = check_flows(path, prompts_dir=prompts)
        return len(flows) + len({p.file for p in problems}), problems
    flow, problems = check_flow(path, prompts_dir=prompts)
    if flow is not None:
        siblings = (p.stem for p in path.parent.iterdir() if p.suffix in FLOW_SUFFIXES)
        problems.extend(check_references({flow.name: flow}, names=siblings))
    return 1, problems


@ivr_group.command("check")
@click.argument(
    "path", required=False, type=click.Path(path_type=Path), default=DEFAULT_DIR
)
@click.option(
    "--prompts",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Prompts directory (<dir>/<language>/<prompt>.wav): also check sound files.",
)
def check_command(path: Path, prompts: Path | None) -> None:
    """Validate a flow file or every flow of a directory (exit 1 on problems)."""
    if not path.exists():
        raise click.BadParameter(f"{path} does not exist", param_hint="PATH")
    count, problems = _check_path(path, prompts)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) found", err=True)
        raise SystemExit(1)
    click.echo(f"ok: {count} flow(s) valid in {path}")


def _load(flow_ref: str, flows_dir: Path) -> tuple[Flow, dict[str, Flow]]:
    path = Path(flow_ref)
    directory, name = flows_dir, flow_ref
    if path.suffix in FLOW_SUFFIXES:
        directory, name = path.parent, path.stem
    try:
        flows = load_flows(directory)
    except IvrScriptError as exc:
        raise click.ClickException(str(exc)) from exc
    if name not in flows:
        known = ", ".join(sorted(flows)) or "none"
        raise click.ClickException(f"no flow {name!r} in {directory} (known: {known})")
    return flows[name], flows


def _value(text: str) -> Fact:
    lowered = text.lower()
    if lowered in {"true", "yes", "false", "no"}:
        return lowered in {"true", "yes"}
    if text.lstrip("-").isdigit():
        return int(text)
    return text


def _variables(pairs: tuple[str, ...]) -> dict[str, Fact]:
    variables: dict[str, Fact] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--var")
        variables[name.strip()] = _value(text.strip())
    return variables


def _hold_keys(entries: tuple[str, ...]) -> tuple[tuple[float, str], ...]:
    keys = []
    for entry in entries:
        seconds, sep, digit = entry.partition(":")
        try:
            keys.append((float(seconds), digit))
        except ValueError:
            sep = ""
        if not sep or not digit:
            raise click.BadParameter(
                f"{entry!r} is not SECONDS:DIGIT", param_hint="--hold-key"
            )
    return tuple(keys)


def _describe(request: IvrRequest) -> str:
    fields = {f.name: getattr(request, f.name) for f in dataclasses.fields(request)}
    fields.pop("call_id", None)
    text = " ".join(f"{key}={value}" for key, value in fields.items() if key != "hold")
    return f"{type(request).__name__} {text}".rstrip()


def _report(flow: Flow, caller: str, transcript: Transcript, *, verbose: bool) -> None:
    click.echo(f"flow: {flow.name}  caller: {caller}")
    click.echo("path: " + " -> ".join(transcript.path))
    click.echo("prompts:")
    for prompt in transcript.heard:
        click.echo(f"  {prompt}")
    requests = [
        r for r in transcript.of_type(IvrRequest) if not isinstance(r, IvrFinished)
    ]
    if requests:
        click.echo("requests:")
        for request in requests:
            click.echo(f"  {_describe(request)}")
    if verbose:
        click.echo("outputs:")
        for output in transcript.outputs:
            if not isinstance(output, IvrNodeVisited):
                click.echo(f"  {output}")
    click.echo(f"outcome: {transcript.outcome} (after {transcript.ended_at:.0f} s)")


def _facts(
    tier: str | None,
    *,
    open_complaint: bool,
    urgent_complaint: bool,
    language: str | None,
    name: str | None,
) -> dict[str, Fact]:
    """Return what the fake CRM knows: nothing unless a customer flag was given."""
    if not (tier or open_complaint or urgent_complaint or language or name):
        return {"known": False}
    facts: dict[str, Fact] = {
        "known": True,
        "customer_id": "C-0001",
        "name": name or "Demo Customer",
        "tier": tier or "ordinary",
        "open_complaint": open_complaint or urgent_complaint,
        "urgent_complaint": urgent_complaint,
    }
    if language:
        facts["language"] = language
    return facts


@ivr_group.command("run")
@click.argument("flow_ref", metavar="FLOW")
@_dir_option
@click.option("--caller", default="+8613800138000", show_default=True)
@click.option(
    "--dtmf", default="", help="Keys per question, comma separated; '' = timeout."
)
@click.option("--tier", type=click.Choice(["vip", "key", "ordinary"]), default=None)
@click.option("--open-complaint", is_flag=True, help="The CRM has an open complaint.")
@click.option("--urgent-complaint", is_flag=True, help="The open complaint is urgent.")
@click.option("--language", default=None, help="The customer's language in the CRM.")
@click.option("--name", default=None, help="The customer's name in the CRM.")
@click.option("--var", "var_pairs", multiple=True, help="Initial variable NAME=VALUE.")
@click.option("--queue-position", default=3, show_default=True, type=click.IntRange(1))
@click.option("--queue-closed", is_flag=True, help="The queue answers closed.")
@click.option("--agent-after", default=120.0, show_default=True, type=float)
@click.option("--hold-key", multiple=True, help="Key pressed on hold: SECONDS:DIGIT.")
@click.option("--hangup-at", default=None, help="Hang up on reaching this node.")
@click.option("-v", "--verbose", is_flag=True, help="Also print every output.")
def run_command(
    flow_ref: str,
    flows_dir: Path,
    caller: str,
    dtmf: str,
    tier: str | None,
    *,
    open_complaint: bool,
    urgent_complaint: bool,
    language: str | None,
    name: str | None,
    var_pairs: tuple[str, ...],
    queue_position: int,
    queue_closed: bool,
    agent_after: float,
    hold_key: tuple[str, ...],
    hangup_at: str | None,
    verbose: bool,
) -> None:
    """Run FLOW (a name in --dir or a .yaml path) against a scripted caller."""
    flow, flows = _load(flow_ref, flows_dir)
    facts = _facts(
        tier,
        open_complaint=open_complaint,
        urgent_complaint=urgent_complaint,
        language=language,
        name=name,
    )
    script = CallerScript(
        dtmf=tuple(dtmf.split(",")) if dtmf else (),
        facts=facts,
        queue_position=queue_position,
        queue_open=not queue_closed,
        agent_after=agent_after,
        hold_keys=_hold_keys(hold_key),
        hangup_at=hangup_at,
    )
    transcript = _run_flow(flow, flows, caller, _variables(var_pairs), script)
    _report(flow, caller, transcript, verbose=verbose)


def _run_flow(
    flow: Flow,
    flows: dict[str, Flow],
    caller: str,
    variables: dict[str, Fact],
    script: CallerScript,
) -> Transcript:
    session = IvrSession(
        flow,
        call_id=CallId("scripted-1"),
        caller_number=caller,
        flows=flows,
        variables=variables,
    )
    return run_scripted(session, script)


@ivr_group.command("graph")
@click.argument("flow_ref", metavar="FLOW")
@_dir_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to this file instead of standard output.",
)
def graph_command(
    flow_ref: str, flows_dir: Path, fmt: str, output: Path | None
) -> None:
    """Write FLOW as a Mermaid or Graphviz diagram."""
    flow, _ = _load(flow_ref, flows_dir)
    text = to_mermaid(flow) if fmt == "mermaid" else to_dot(flow)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


@ivr_group.command("reload")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The running server's data directory (default: from the configuration).",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    help="Seconds to wait for the server's answer in its log.",
)
@click.pass_context
def reload_command(ctx: click.Context, data_dir: Path | None, wait: float) -> None:
    """Make the running server reload its IVR flows (SIGHUP) and show the outcome.

    The new flows are used for new calls only when every file validates; otherwise
    the old flows stay in use. Calls in progress keep the flow they started with.
    """
    from callcenter.cli_up import load_or_exit  # noqa: PLC0415
    from callcenter.pidfile import pid_path, request_reload, running_pid  # noqa: PLC0415

    if data_dir is None:
        data_dir = load_or_exit(ctx).general.data_dir
    pid = running_pid(data_dir)
    if pid is None:
        click.echo(
            f"no running callcenter server found ({pid_path(data_dir)} missing or "
            "stale).\nStart one with `callcenter up` (it reads the flows at start), "
            "or pass --data-dir; `callcenter ivr check` validates flows offline.",
            err=True,
        )
        ctx.exit(1)
    answer = request_reload(pid, data_dir / "logs" / "callcenter.log", wait=wait)
    if not answer.lines:
        click.echo(
            f"sent SIGHUP to server {pid}; no answer in its log within {wait:g} s "
            f"(see {data_dir / 'logs' / 'callcenter.log'})"
        )
        ctx.exit(1)
    click.echo("\n".join(answer.lines))
    ctx.exit(0 if answer.ok else 1)
