"""Reports in the browser and as CSV downloads (``/api/v1/reports/...``)."""

from datetime import date
from zoneinfo import ZoneInfo

from aiohttp import web

from callcenter.web.bodies import (
    AgentStateReportQuery,
    CallReportQuery,
    ComplaintReportQuery,
    read_query,
)
from callcenter.web.middleware import ApiError
from callcenter.web.reports import (
    CallRow,
    ComplaintRow,
    GroupBy,
    ReportError,
    call_report,
    complaint_report,
    period,
    to_csv,
    to_json,
)
from callcenter.web.reports_agents import StateTimeRow, occupancy_by, state_time_report
from callcenter.web.state import STATE

routes = web.RouteTableDef()


def _period(request: web.Request, first: date, last: date) -> tuple[float, float]:
    zone = ZoneInfo(request.app[STATE].settings.general.timezone)
    try:
        return period(first, last, zone)
    except ReportError as exc:
        raise ApiError(422, "invalid", str(exc)) from None


def _csv(text: str, name: str) -> web.Response:
    return web.Response(
        text=text,
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@routes.get("/api/v1/reports/calls")
async def calls_report(request: web.Request) -> web.Response:
    """Offered, answered, abandoned, SL, ASA, AHT, occupancy and survey scores."""
    query = read_query(request, CallReportQuery)
    state = request.app[STATE]
    start, end = _period(request, query.from_, query.to)
    facts = await state.reports.interactions(start, end)
    surveys = await state.reports.surveys(start, end)
    zone = ZoneInfo(state.settings.general.timezone)
    occupancy = occupancy_by(
        await state.reports.agent_intervals(start, end) if query.by != GroupBy.QUEUE
        else (),
        group_by=query.by, interval=query.interval, zone=zone, start=start, end=end,
    )  # fmt: skip
    rows = call_report(
        facts,
        group_by=query.by,
        interval=query.interval,
        zone=zone,
        sl_seconds={q.name: q.service_level_seconds for q in state.settings.queues},
        surveys=surveys,
        occupancy=occupancy,
    )
    if query.format == "csv":
        name = f"calls-by-{query.by}-{query.interval}-{query.from_}-{query.to}"
        return _csv(to_csv(rows, CallRow), name)
    return web.json_response({"rows": to_json(rows)})


@routes.get("/api/v1/reports/agent-states")
async def agent_states_report(request: web.Request) -> web.Response:
    """Seconds per agent, state and pause reason, by interval, from stored stretches."""
    query = read_query(request, AgentStateReportQuery)
    state = request.app[STATE]
    start, end = _period(request, query.from_, query.to)
    rows = state_time_report(
        await state.reports.agent_intervals(start, end),
        interval=query.interval,
        zone=ZoneInfo(state.settings.general.timezone),
        start=start,
        end=end,
    )
    if query.format == "csv":
        name = f"agent-states-{query.interval}-{query.from_}-{query.to}"
        return _csv(to_csv(rows, StateTimeRow), name)
    return web.json_response({"rows": to_json(rows)})


@routes.get("/api/v1/reports/complaints")
async def complaints_report(request: web.Request) -> web.Response:
    """Complaints opened in the period by category, severity and state."""
    query = read_query(request, ComplaintReportQuery)
    state = request.app[STATE]
    start, end = _period(request, query.from_, query.to)
    facts = await state.reports.complaints(start, end)
    rows = complaint_report(facts, state.center.clock.now())
    if query.format == "csv":
        return _csv(to_csv(rows, ComplaintRow), f"complaints-{query.from_}-{query.to}")
    return web.json_response({"rows": to_json(rows)})
