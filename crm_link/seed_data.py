"""Deterministic demo data: the named fixtures and generators of random rows.

Pure and fast: Faker fills pools of names once (zh_CN and en locales) and a seeded
``random.Random`` draws from them, so a million rows cost seconds, not minutes, and
the same seed and ``now`` give the same database. Phone numbers are unique by
construction (an affine map of the customer index), except every
``SHARED_EVERY``-th customer, who shares a household line with the one before.
Key accounts have an account number that passes the IVR's ``account_number``
validator (8-12 digits, Luhn): the fixture's is ``79927398713``, a generated one's
is 8, the customer id in eight digits or more, and the check digit
(``account_number_for``), so they are unique by construction and never the
fixture's.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from crm_link.accounts import with_check_digit
from crm_link.config import DAY, HOUR
from crm_link.enums import (
    ComplaintState,
    LifecycleStage,
    LoyaltyStage,
    Severity,
    Tier,
    ValueClass,
)

SHARED_EVERY = 500
MANAGERS = ("1001", "1009")
Row = dict[str, Any]

AGENTS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("1001", "李娜", "6001", ("key_accounts", "zh", "en", "complaints")),
    ("1002", "王磊", "6002", ("booking", "zh")),
    ("1003", "赵敏", "6003", ("complaints", "zh")),
    ("1004", "Emma Wilson", "6004", ("booking", "en")),
    ("1005", "孙浩", "6005", ("booking", "zh")),
    ("1006", "周婷", "6006", ("complaints", "zh", "en")),
    ("1007", "吴刚", "6007", ("transport", "zh")),
    ("1008", "郑洁", "6008", ("booking", "zh")),
    ("1009", "David Chen", "6009", ("key_accounts", "en", "zh")),
    ("1010", "冯雪", "6010", ("tour_guide", "zh")),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Fixture:
    """A named demo customer that examples and tests rely on."""

    key: str
    name: str
    phones: tuple[str, ...]
    tier: Tier = Tier.ORDINARY
    value_class: ValueClass = ValueClass.C
    loyalty: LoyaltyStage = LoyaltyStage.REGULAR
    lifecycle: LifecycleStage = LifecycleStage.STABILITY
    language: str = "zh-CN"
    email: str = ""
    account_manager: str | None = None
    account_number: str | None = None
    notes: str = ""
    complaints: tuple[Row, ...] = field(default=())
    calls_ago: tuple[float, ...] = ()


KEY_ACCOUNT_NUMBER = "79927398713"
"""The account number of the key account fixture (张伟, 锦江商旅)."""

FIXTURES: tuple[Fixture, ...] = (
    Fixture(
        key="vip", name="王芳", phones=("+8613800138000",), tier=Tier.VIP,
        value_class=ValueClass.A, loyalty=LoyaltyStage.LOYAL,
        email="wang.fang@example.com", notes="Prefers a quiet room on a high floor.",
        calls_ago=(40 * DAY, 200 * DAY, 400 * DAY),
    ),
    Fixture(
        key="key_account", name="张伟 (锦江商旅)",
        phones=("+8613900139000", "+862155550100"), tier=Tier.KEY,
        value_class=ValueClass.A, loyalty=LoyaltyStage.LONG_STANDING,
        email="zhang.wei@jinjiang-travel.example.com", account_manager="1001",
        account_number=KEY_ACCOUNT_NUMBER,
        notes="Corporate account: 40 business trips a year; invoice monthly.",
        calls_ago=(3 * DAY, 20 * DAY),
    ),
    Fixture(
        key="urgent_complaint", name="李强", phones=("+8613700137000",),
        notes="Guest in room 1208 this week.",
        complaints=({
            "state": ComplaintState.ANALYSING, "severity": Severity.URGENT,
            "category": "room", "ago": 2 * HOUR, "demands": ["refund", "apology"],
            "description": "Smell of gas in room 1208; guest moved to the lobby.",
            "department": "Front office", "owner": "1003",
        },),
        calls_ago=(2 * HOUR,),
    ),
    Fixture(key="shared_a", name="刘洋", phones=("+8613600136000",)),
    Fixture(key="shared_b", name="刘敏", phones=("+8613600136000",)),
    Fixture(
        key="english", name="John Smith", phones=("+442079460958",),
        language="en", value_class=ValueClass.B, email="john.smith@example.co.uk",
    ),
    Fixture(
        key="recent_complaint", name="陈静", phones=("+8613500135000",),
        complaints=({
            "state": ComplaintState.CLOSED, "severity": Severity.SERIOUS,
            "category": "booking", "ago": 10 * DAY, "demands": ["compensation"],
            "description": "Booked sea-view room was not available on arrival.",
            "department": "Reservations", "owner": "1006",
        },),
        calls_ago=(3 * HOUR, 20 * HOUR, 10 * DAY),
    ),
)  # fmt: skip

FIXTURE_NUMBERS = frozenset(phone for f in FIXTURES for phone in f.phones)


class Pools:
    """Names, domains and sentences drawn once from Faker."""

    def __init__(self, seed: int, size: int = 400) -> None:
        """Fill the pools deterministically from ``seed``."""
        fake = Faker(["zh_CN", "en_US"])
        fake.seed_instance(seed)
        zh, en = fake["zh_CN"], fake["en_US"]
        self.zh_last = [zh.last_name() for _ in range(size)]
        self.zh_first = [zh.first_name() for _ in range(size)]
        self.en_last = [en.last_name() for _ in range(size)]
        self.en_first = [en.first_name() for _ in range(size)]
        self.domains = sorted({en.free_email_domain() for _ in range(20)})
        self.companies = [zh.company() for _ in range(size // 4)]
        self.sentences = [en.sentence(nb_words=10) for _ in range(size)]


def mobile_for(index: int, *, english: bool) -> str:
    """Return the unique number of the ``index``-th generated customer."""
    scrambled = (index * 104_729 + 7) % 10**9
    if english:
        return f"+447{scrambled:09d}"
    return f"+861{30_000_000_00 + scrambled}"


def account_number_for(customer_id: int) -> str:
    """Return the account number of the generated key account ``customer_id``.

    >>> account_number_for(42)
    '8000000425'
    """
    return with_check_digit(f"8{customer_id:08d}")


def customer_rows(
    rng: random.Random, pools: Pools, first_id: int, count: int, now: float
) -> Iterator[tuple[Row, list[Row]]]:
    """Yield ``(customer, phones)`` rows for ``count`` random customers."""
    tiers = (Tier.VIP, Tier.KEY, Tier.ORDINARY)
    previous = ""
    for offset in range(count):
        cid = first_id + offset
        english = rng.random() < 0.08  # noqa: PLR2004
        if english:
            name = f"{rng.choice(pools.en_first)} {rng.choice(pools.en_last)}"
        else:
            name = rng.choice(pools.zh_last) + rng.choice(pools.zh_first)
        tier = rng.choices(tiers, weights=(2, 8, 90))[0]
        mobile = mobile_for(cid, english=english)
        if mobile in FIXTURE_NUMBERS:
            mobile = f"+8617{cid:09d}"
        if cid % SHARED_EVERY == 0 and previous:
            mobile = previous
        previous = mobile
        phones = [{"customer_id": cid, "e164": mobile, "label": "mobile"}]
        if rng.random() < 0.3:  # noqa: PLR2004
            phones.append(
                {"customer_id": cid, "e164": f"+8610{cid:08d}", "label": "home"}
            )
        yield (
            _customer(
                rng, pools, cid=cid, name=name, tier=tier, english=english, now=now
            ),
            phones,
        )


def _customer(
    rng: random.Random,
    pools: Pools,
    *,
    cid: int,
    name: str,
    tier: Tier,
    english: bool,
    now: float,
) -> Row:
    value = {Tier.VIP: ValueClass.A, Tier.KEY: ValueClass.A}.get(
        tier, rng.choices(list(ValueClass), weights=(5, 25, 70))[0]
    )
    return {
        "id": cid, "name": name,
        "email": f"c{cid}@{rng.choice(pools.domains)}" if rng.random() < 0.7 else "",  # noqa: PLR2004
        "language": "en" if english else "zh-CN", "tier": tier.value,
        "value_class": value.value,
        "loyalty_stage": rng.choice(list(LoyaltyStage)).value,
        "lifecycle_stage": rng.choice(list(LifecycleStage)).value,
        "account_manager_id": rng.choice(MANAGERS) if tier is Tier.KEY else None,
        "notes": rng.choice(pools.companies) if tier is Tier.KEY else "",
        "created_at": now - rng.uniform(0, 3 * 365 * DAY),
        "account_number": account_number_for(cid) if tier is Tier.KEY else None,
    }  # fmt: skip


_MAIN_PATH = (
    ComplaintState.RECEIVED,
    ComplaintState.RECORDED,
    ComplaintState.ANALYSING,
    ComplaintState.SOLUTION_PROPOSED,
    ComplaintState.IN_PROGRESS,
    ComplaintState.FOLLOW_UP,
    ComplaintState.CLOSED,
)
_CATEGORIES = ("room", "booking", "transport", "tour_guide", "food",
               "service_attitude", "price", "after_sales")  # fmt: skip


def random_complaint(rng: random.Random, pools: Pools) -> Row:
    """Return the fields of a random complaint (``ago``: seconds before now)."""
    closed = rng.random() < 0.8  # noqa: PLR2004
    state = ComplaintState.CLOSED if closed else rng.choice(_MAIN_PATH[:-1])
    return {
        "state": state,
        "severity": rng.choices(list(Severity), weights=(70, 25, 5))[0],
        "category": rng.choice(_CATEGORIES),
        "ago": rng.uniform(DAY, 730 * DAY) if closed else rng.uniform(0, 5 * DAY),
        "demands": rng.sample(["refund", "exchange", "compensation", "apology"], 1),
        "description": rng.choice(pools.sentences),
        "department": rng.choice(("Front office", "Reservations", "Housekeeping")),
        "owner": rng.choice(AGENTS)[0],
    }


def complaint_rows(
    spec: Row,
    *,
    complaint_id: int,
    customer_id: int,
    now: float,
    deadlines: dict[Severity, float],
    first_event_id: int,
) -> tuple[Row, list[Row]]:
    """Return the complaint row and its audit trail along the main path."""
    opened = now - float(spec["ago"])
    state: ComplaintState = spec["state"]
    path = _MAIN_PATH[: _MAIN_PATH.index(state) + 1]
    step_gap = min(float(spec["ago"]) / len(path), 6 * HOUR)
    events = [
        {
            "id": first_event_id + n, "complaint_id": complaint_id,
            "from_state": path[n - 1].value if n else None, "to_state": to.value,
            "step": "receive" if n == 0 else "seed", "who": str(spec["owner"]),
            "at": opened + n * step_gap, "comment": "",
        }
        for n, to in enumerate(path)
    ]  # fmt: skip
    closed = state is ComplaintState.CLOSED
    row = {
        "id": complaint_id, "customer_id": customer_id, "call_id": None,
        "state": state.value, "channel": "phone", "category": spec["category"],
        "severity": spec["severity"].value, "description": spec["description"],
        "demands": list(spec["demands"]), "attachments": [],
        "department": spec["department"], "owner": spec["owner"],
        "recorded_by": spec["owner"], "opened_at": opened,
        "deadline_at": opened + deadlines[spec["severity"]],
        "closed_at": events[-1]["at"] if closed else None,
        "resolution": "Refunded one night and apologised." if closed else "",
        "follow_up_result": "Customer satisfied." if closed else "",
        "satisfaction": 4 if closed else None, "updated_at": events[-1]["at"],
    }  # fmt: skip
    return row, events


_OUTCOMES = ("answered", "abandoned", "ivr_only", "callback", "voicemail")
_QUEUES = ("booking", "complaints", "vip", "general")


def interaction_row(
    rng: random.Random,
    *,
    row_id: int,
    customer_id: int,
    number: str,
    ago: float,
    now: float,
) -> Row:
    """Return a random call record ``ago`` seconds before ``now``."""
    outcome = rng.choices(_OUTCOMES, weights=(80, 10, 5, 3, 2))[0]
    answered = outcome == "answered"
    offered = now - ago
    return {
        "id": row_id, "call_id": f"seed-{row_id}", "customer_id": customer_id,
        "number": number, "queue": rng.choice(_QUEUES),
        "agent_id": rng.choice(AGENTS)[0] if answered else None,
        "offered_at": offered, "wait_seconds": round(rng.expovariate(1 / 20), 1),
        "talk_seconds": round(rng.uniform(30, 600), 1) if answered else 0.0,
        "wrap_up_seconds": round(rng.uniform(5, 60), 1) if answered else 0.0,
        "outcome": outcome,
        "disposition": rng.choice(("booked", "info", "changed", "complaint"))
        if answered else "",
        "notes": "", "recorded_at": offered + 300,
    }  # fmt: skip
