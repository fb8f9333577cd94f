"""Prometheus ``/metrics`` in the text exposition format (version 0.0.4).

Written by hand (it is a few lines of text) rather than adding prometheus-client.
Gauges describe the present (callers waiting, agents by state); counters only grow
(the ACD's ``total`` windows, alerts raised, frames sent), so ``rate()`` works
across local midnight.
"""

from collections.abc import Iterable

from aiohttp import web

from callcenter.domain.events import AgentState
from callcenter.web.state import STATE, WebState

routes = web.RouteTableDef()
_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
    return "{" + inner + "}"


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(
        self,
        name: str,
        kind: str,
        help_text: str,
        samples: Iterable[tuple[dict[str, str], float | None]],
    ) -> None:
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            if value is not None:
                self.lines.append(f"{name}{_labels(labels)} {value:g}")


def render(state: WebState) -> str:
    """Return the metrics page."""
    acd, now = state.center.switchboard.acd, state.center.clock.now()
    reports = {q: acd.queue_report(q, now) for q in acd.queue_names()}
    out = _Writer()
    out.family(
        "callcenter_queue_waiting",
        "gauge",
        "Callers waiting in the queue.",
        (({"queue": q}, r.waiting) for q, r in reports.items()),
    )
    out.family(
        "callcenter_queue_longest_wait_seconds",
        "gauge",
        "Wait of the oldest caller in the queue.",
        (({"queue": q}, r.longest_wait) for q, r in reports.items()),
    )
    out.family(
        "callcenter_queue_service_level_ratio",
        "gauge",
        "Service level (answered within target / answered + abandoned).",
        [
            s
            for q, r in reports.items()
            for s in (
                ({"queue": q, "window": "today"}, r.today.service_level),
                ({"queue": q, "window": "15m"}, r.last_15_min.service_level),
            )
        ],
    )
    out.family(
        "callcenter_queue_asa_seconds",
        "gauge",
        "Average speed of answer today.",
        (({"queue": q}, r.today.asa) for q, r in reports.items()),
    )
    out.family(
        "callcenter_queue_aht_seconds",
        "gauge",
        "Average handle time today.",
        (({"queue": q}, r.today.aht) for q, r in reports.items()),
    )
    for name, field in (
        ("offered", "offered"),
        ("answered", "answered"),
        ("abandoned", "abandoned"),
    ):
        out.family(
            f"callcenter_queue_calls_{name}_total",
            "counter",
            f"Calls {name} since the server started.",
            (({"queue": q}, getattr(r.total, field)) for q, r in reports.items()),
        )
    out.family(
        "callcenter_queue_agents",
        "gauge",
        "Queue members by agent state.",
        [
            ({"queue": q, "state": s.value}, r.agents_by_state.get(s, 0))
            for q, r in reports.items()
            for s in AgentState
        ],
    )
    _agents(out, state, now)
    complaints = state.board.complaints
    out.family(
        "callcenter_complaints_open",
        "gauge",
        "Open complaints by severity.",
        (({"severity": s}, n) for s, n in complaints["open"].items()),
    )
    out.family(
        "callcenter_complaints_overdue",
        "gauge",
        "Open complaints past their deadline, by severity.",
        (({"severity": s}, n) for s, n in complaints["overdue"].items()),
    )
    out.family(
        "callcenter_alerts_raised_total",
        "counter",
        "Supervisor alerts raised.",
        [({}, state.board.alerts.raised)],
    )
    hub = state.hub.stats
    out.family(
        "callcenter_wallboard_clients",
        "gauge",
        "Connected live clients.",
        [({}, hub.connected)],
    )
    out.family(
        "callcenter_wallboard_frames_total",
        "counter",
        "Wallboard updates published.",
        [({}, hub.frames)],
    )
    return "\n".join(out.lines) + "\n"  # fmt: skip


def _agents(out: _Writer, state: WebState, now: float) -> None:
    views = state.center.switchboard.acd.agents(now)
    out.family(
        "callcenter_agent_state",
        "gauge",
        "1 for the agent's current state.",
        [({"agent": v.agent_id, "state": v.state.value}, 1) for v in views],
    )
    out.family(
        "callcenter_agent_state_seconds",
        "gauge",
        "Seconds in the current state.",
        [({"agent": v.agent_id}, round(v.in_state_for, 3)) for v in views],
    )
    out.family("callcenter_agent_calls_handled_total", "counter",
               "Calls the agent answered.",
               [({"agent": v.agent_id}, v.calls_taken) for v in views])  # fmt: skip


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    """Serve the metrics page (any authenticated caller; Prometheus sends a token)."""
    body = render(request.app[STATE])
    return web.Response(body=body.encode(), headers={"Content-Type": _CONTENT_TYPE})
