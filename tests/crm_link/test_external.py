"""The external CRM link: merged when quick, ignored at once when slow or broken."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from crm_link.breaker import BreakerState, CircuitBreaker
from crm_link.db import make_engine, make_session_factory
from crm_link.dto import ExternalStatus, PopStatus
from crm_link.enums import Tier
from crm_link.errors import ExternalCrmError
from crm_link.external import HttpExternalCrm, parse_record
from crm_link.service import CrmService
from tests.crm_link.conftest import NOW

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FakeCrm:
    """A local HTTP server whose behaviour each test chooses."""

    def __init__(self) -> None:
        self.hits = 0
        self.mode = "ok"

    async def handle(self, request: web.Request) -> web.StreamResponse:  # noqa: PLR0911
        self.hits += 1
        number = request.query.get("number", "")
        match self.mode:
            case "ok" if number == "+8613312345678":
                return web.json_response({
                    "id": "PMS-77", "name": "Zhao Liu", "email": "zl@example.com",
                    "tier": "vip", "attributes": {"room": "1208", "nights": 3},
                })  # fmt: skip
            case "ok":
                return web.json_response({"error": "unknown"}, status=404)
            case "slow":
                await asyncio.sleep(5)
                return web.json_response({"id": "late"})
            case "fail":
                return web.Response(status=503, text="maintenance")
            case "html":
                return web.Response(text="<html>login</html>", content_type="text/html")
            case "list":
                return web.json_response([1, 2, 3])
            case "bad_tier":
                return web.json_response({"id": "1", "tier": "platinum"})
        return web.Response(status=500)


@pytest.fixture
async def fake_crm() -> AsyncIterator[tuple[FakeCrm, str]]:
    fake = FakeCrm()
    app = web.Application()
    app.router.add_get("/customers", fake.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield fake, str(server.make_url("/customers"))
    await server.close()


@pytest.fixture
async def linked(
    db_url: str, fake_crm: tuple[FakeCrm, str]
) -> AsyncIterator[tuple[CrmService, FakeCrm]]:
    fake, url = fake_crm
    client = HttpExternalCrm(url=url, timeout=0.2, retries=1, backoff=0.01)
    engine = make_engine(db_url)
    crm = CrmService(
        make_session_factory(engine), engine=engine, external=client,
        external_budget=0.3,
    )  # fmt: skip
    await crm.create_customer_from_number("+8613312345678", NOW, name="赵六")
    yield crm, fake
    await crm.aclose()
    await client.aclose()


async def test_a_quick_answer_is_merged_into_the_local_record(
    linked: tuple[CrmService, FakeCrm],
) -> None:
    crm, _ = linked
    pop = await crm.screen_pop("133 1234 5678", NOW)
    assert pop.external_status is ExternalStatus.OK
    assert pop.external is not None
    assert pop.external.external_id == "PMS-77"
    assert pop.external.attributes == (("nights", "3"), ("room", "1208"))
    (card,) = pop.matches
    assert card.name == "赵六"  # local wins
    assert card.email == "zl@example.com"  # external fills the gap
    assert card.tier is Tier.ORDINARY


async def test_a_caller_found_by_account_number_is_not_merged_with_the_number(
    linked: tuple[CrmService, FakeCrm],
) -> None:
    crm, _ = linked
    acme = await crm.create_customer_from_number("+862155550100", NOW, name="Acme")
    await crm.set_account_number(acme.customer_id, "79927398713")
    # the external CRM knows the number the account holder calls from as Zhao Liu
    pop = await crm.screen_pop("133 1234 5678", NOW, account="79927398713")
    assert [card.name for card in pop.matches] == ["Acme"]
    assert (pop.external_status, pop.external) == (ExternalStatus.DISABLED, None)
    unknown = await crm.screen_pop("133 1234 5678", NOW, account="12345674")
    assert unknown.external_status is ExternalStatus.OK  # the number decided


async def test_unknown_to_the_external_crm(linked: tuple[CrmService, FakeCrm]) -> None:
    crm, _ = linked
    pop = await crm.screen_pop("+8613900000001", NOW)
    assert (pop.status, pop.external_status) == (
        PopStatus.UNKNOWN, ExternalStatus.NOT_FOUND,
    )  # fmt: skip


async def test_a_slow_external_crm_does_not_delay_the_pop(
    linked: tuple[CrmService, FakeCrm],
) -> None:
    crm, fake = linked
    fake.mode = "slow"
    started = time.perf_counter()
    pop = await crm.screen_pop("13312345678", NOW)
    assert time.perf_counter() - started < 1.0
    assert pop.external_status is ExternalStatus.UNAVAILABLE
    assert pop.matches[0].name == "赵六"


@pytest.mark.parametrize("mode", ["fail", "html", "list", "bad_tier"])
async def test_failures_and_garbage_leave_the_local_record(
    linked: tuple[CrmService, FakeCrm], mode: str
) -> None:
    crm, fake = linked
    fake.mode = mode
    pop = await crm.screen_pop("13312345678", NOW)
    assert pop.external_status is ExternalStatus.UNAVAILABLE
    assert pop.external is None
    assert pop.status is PopStatus.KNOWN


async def test_server_errors_are_retried_then_given_up(
    fake_crm: tuple[FakeCrm, str],
) -> None:
    fake, url = fake_crm
    fake.mode = "fail"
    client = HttpExternalCrm(url=url, retries=2, backoff=0.001)
    with pytest.raises(ExternalCrmError, match="3 attempts"):
        await client.lookup("+8613312345678")
    assert fake.hits == 3
    await client.aclose()


async def test_the_breaker_stops_calling_a_dead_crm_then_tries_again(
    fake_crm: tuple[FakeCrm, str],
) -> None:
    fake, url = fake_crm
    fake.mode = "fail"
    clock = [0.0]
    client = HttpExternalCrm(
        url=url, retries=0, breaker=CircuitBreaker(failure_threshold=3, reset_after=30),
        monotonic=lambda: clock[0],
    )  # fmt: skip
    for _ in range(5):
        with pytest.raises(ExternalCrmError):
            await client.lookup("+8613312345678")
    assert fake.hits == 3
    clock[0] = 31.0
    fake.mode = "ok"
    assert (await client.lookup("+8613312345678")) is not None
    assert fake.hits == 4
    await client.aclose()


def test_breaker_half_open_allows_one_trial_and_reopens_on_failure() -> None:
    breaker = CircuitBreaker(failure_threshold=1, reset_after=10)
    breaker.record_failure(now=0)
    assert breaker.state(5) is BreakerState.OPEN
    assert not breaker.allow(5)
    assert breaker.allow(10)
    assert not breaker.allow(10)  # only one trial
    breaker.record_failure(now=10)
    assert breaker.state(15) is BreakerState.OPEN
    assert breaker.allow(20)
    breaker.record_success()
    assert breaker.state(20) is BreakerState.CLOSED


@pytest.mark.parametrize(
    "body",
    [None, "text", [], {}, {"id": None}, {"id": "1", "name": 5},
     {"id": "1", "attributes": []}],
)  # fmt: skip
def test_parse_record_refuses_garbage(body: object) -> None:
    with pytest.raises(ExternalCrmError):
        parse_record(body, source="pms")
