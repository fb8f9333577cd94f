"""The screen pop: known, unknown and ambiguous callers in at most 3 statements."""

from collections.abc import AsyncIterator
from typing import TypeAlias

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from callcenter.domain.events import CallOutcome
from callcenter.domain.ids import CallId, CustomerId
from crm_link.config import DAY, HOUR
from crm_link.db import make_engine, make_session_factory
from crm_link.dto import PopStatus, ScreenPop
from crm_link.enums import ComplaintState, Severity, Tier
from crm_link.seed import seed_demo
from crm_link.service import CrmService
from tests.crm_link.conftest import NOW


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _conn: Connection, *_args: object) -> None:
        self.count += 1


Demo: TypeAlias = tuple[CrmService, StatementCounter]


@pytest.fixture
async def demo(db_url: str) -> AsyncIterator[Demo]:
    engine = make_engine(db_url)
    await seed_demo(engine, now=NOW)
    counter = StatementCounter()
    sa.event.listen(engine.sync_engine, "before_cursor_execute", counter)
    service = CrmService(make_session_factory(engine), engine=engine)
    yield service, counter
    await service.aclose()


async def _pop(demo: Demo, number: str, now: float = NOW) -> tuple[ScreenPop, int]:
    service, counter = demo
    counter.count = 0
    pop = await service.screen_pop(number, now)
    return pop, counter.count


async def test_a_vip_is_recognised_from_a_local_format_in_three_statements(
    demo: Demo,
) -> None:
    pop, statements = await _pop(demo, "138 0013 8000")
    assert statements <= 3
    assert pop.status is PopStatus.KNOWN
    assert pop.e164 == "+8613800138000"
    (card,) = pop.matches
    assert (card.name, card.tier) == ("王芳", Tier.VIP)
    assert pop.routing.tier is Tier.VIP
    assert [i.offered_at for i in card.interactions] == sorted(
        (i.offered_at for i in card.interactions), reverse=True
    )


async def test_a_key_account_names_its_account_manager(demo: Demo) -> None:
    pop, statements = await _pop(demo, "+86 21 5555 0100")
    assert statements <= 3
    (card,) = pop.matches
    assert card.tier is Tier.KEY
    assert card.account_manager == "1001"
    assert card.account_manager_name == "李娜"
    assert set(card.phones) == {"+8613900139000", "+862155550100"}
    assert pop.routing.account_manager == "1001"


async def test_an_open_urgent_complaint_comes_first_and_flags_routing(
    demo: Demo,
) -> None:
    pop, statements = await _pop(demo, "+8613700137000")
    assert statements <= 3
    (card,) = pop.matches
    first = card.complaints[0]
    assert (first.state, first.severity) == (ComplaintState.ANALYSING, Severity.URGENT)
    assert first.deadline_at == first.opened_at + 4 * HOUR
    facts = pop.routing
    assert facts.open_complaint
    assert facts.urgent_complaint
    assert facts.recent_complaint
    assert facts.customer_id == card.customer_id
    later, _ = await _pop(demo, "+8613700137000", now=NOW + 3 * HOUR)
    assert later.matches[0].complaints[0].overdue


async def test_a_recent_closed_complaint_and_repeat_calls(demo: Demo) -> None:
    pop, _ = await _pop(demo, "+8613500135000")
    facts = pop.routing
    assert facts.recent_complaint
    assert not facts.open_complaint
    assert facts.repeat_caller
    assert (pop.matches[0].calls_last_24h, pop.matches[0].calls_last_7d) == (2, 2)
    month_later, _ = await _pop(demo, "+8613500135000", now=NOW + 30 * DAY)
    assert not month_later.routing.recent_complaint
    assert not month_later.routing.repeat_caller


async def test_an_unknown_number_is_an_unknown_caller_in_one_statement(
    demo: Demo,
) -> None:
    pop, statements = await _pop(demo, "+86 131 1111 1111")
    assert statements == 1
    assert (pop.status, pop.matches) == (PopStatus.UNKNOWN, ())
    assert pop.routing.customer_id is None
    assert pop.routing.tier is Tier.ORDINARY


@pytest.mark.parametrize("number", ["", "anonymous", "unknown", "12"])
async def test_withheld_or_garbage_numbers_never_raise(demo: Demo, number: str) -> None:
    pop, statements = await _pop(demo, number)
    assert (pop.status, pop.e164, statements) == (PopStatus.UNKNOWN, None, 0)


async def test_a_shared_number_returns_every_match(demo: Demo) -> None:
    pop, statements = await _pop(demo, "0086 136 0013 6000")
    assert statements <= 3
    assert pop.status is PopStatus.AMBIGUOUS
    assert {card.name for card in pop.matches} == {"刘洋", "刘敏"}
    assert pop.routing.customer_id is None


async def test_an_international_caller(demo: Demo) -> None:
    pop, _ = await _pop(demo, "+44 20 7946 0958")
    assert pop.matches[0].language == "en"


async def test_the_pop_shows_the_last_calls_with_their_survey_score(demo: Demo) -> None:
    service, _ = demo
    ref = await service.create_customer_from_number("+8613312345678", NOW - 10 * DAY)
    for n in range(7):
        await service.record_call(
            call_id=CallId(f"c{n}"), outcome=CallOutcome.ANSWERED,
            caller_number="133 1234 5678", queue=None, agent_id=None,
            customer_id=CustomerId(ref.customer_id), offered_at=NOW - n * DAY,
            wait_seconds=1, talk_seconds=60, at=NOW - n * DAY + 70,
        )  # fmt: skip
    await service.record_survey(call_id=CallId("c0"), score=2, at=NOW)
    pop, statements = await _pop(demo, "+8613312345678", now=NOW + 60)
    assert statements <= 3
    (card,) = pop.matches
    assert [i.call_id for i in card.interactions] == ["c0", "c1", "c2", "c3", "c4"]
    assert card.interactions[0].satisfaction == 2
    assert card.interactions[1].satisfaction is None
    assert card.calls_last_7d == 7
