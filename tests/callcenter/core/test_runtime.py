"""The runtime carries on when the CRM fails: calls never wait on I/O they cannot get."""

from callcenter.center import make_call_center, run_virtual
from callcenter.clock import VirtualClock
from callcenter.core.services import Facts, InMemoryServices
from callcenter.domain import events as ev
from callcenter.settings import load_settings


class BrokenCrm(InMemoryServices):
    """A CRM whose lookups and writes all fail, as with the database down."""

    async def routing_facts(self, number: str, now: float) -> Facts:
        raise ConnectionError("database unreachable")

    async def record_call(
        self, record: ev.CallCompleted, ivr_path: tuple[str, ...]
    ) -> None:
        raise ConnectionError("database unreachable")


async def test_calls_are_served_as_unknown_callers_when_the_crm_fails() -> None:
    settings = load_settings(
        overrides={"simulation": {"seed": 9, "calls_per_hour": 600}}
    )
    center = make_call_center(settings, clock=VirtualClock(), services=BrokenCrm())
    events: list[ev.DomainEvent] = []
    center.bus.add_listener(events.append)
    await run_virtual(center, 1800)
    completed = [e for e in events if isinstance(e, ev.CallCompleted)]
    answered = [e for e in completed if e.outcome is ev.CallOutcome.ANSWERED]
    identified = [e for e in events if isinstance(e, ev.CustomerIdentified)]
    assert answered, "calls must still reach agents"
    assert identified
    assert all(e.tier == "unknown" for e in identified)
    stats = center.runtime.stats
    assert stats.request_errors >= len(completed)
    assert "database unreachable" in stats.last_error
