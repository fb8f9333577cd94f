"""``CrmServices`` hands the switchboard's requests to the CRM's own API.

The lookups run against the seeded demo CRM (``crm_link.seed``) on SQLite.
"""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from callcenter.core.crm_services import CrmServices
from callcenter.core.messages import BuildScreenPop, PersistVoicemail
from callcenter.domain.ids import AgentId, CallId, CustomerId, QueueName
from crm_link.service import CrmService
from tests.demo_crm import demo_crm


class RecordingCrm:
    """Stands in for ``CrmService``: keeps the keyword arguments of each write."""

    def __init__(self) -> None:
        self.voicemails: list[dict[str, Any]] = []

    async def record_voicemail(self, **values: Any) -> None:
        self.voicemails.append(values)


async def test_a_voicemail_reaches_the_crm_with_its_mailbox() -> None:
    crm = RecordingCrm()
    services = CrmServices(crm)  # type: ignore[arg-type]
    await services.record_voicemail(
        PersistVoicemail(
            call_id=CallId("c1"),
            number="+8613800138000",
            at=1_767_600_000.0,
            recording_ref="/var/spool/asterisk/callcenter/complaints-c1.wav",
            duration_seconds=41.2,
            mailbox="complaints",
            queue=QueueName("complaints"),
            customer_id=CustomerId("c-7"),
        )
    )
    assert crm.voicemails == [
        {
            "call_id": "c1",
            "number": "+8613800138000",
            "at": 1_767_600_000.0,
            "recording_ref": "/var/spool/asterisk/callcenter/complaints-c1.wav",
            "duration_seconds": 41.2,
            "queue": "complaints",
            "customer_id": "c-7",
            "mailbox": "complaints",
        }
    ]


NOW = 1_767_600_000.0  # 2026-01-05 08:00 UTC
STRANGER = "+8613311112222"
VIP = "+8613800138000"  # 王芳; her stay H-1234-5678
KEY_ACCOUNT = "+8613900139000"  # 张伟, account manager 1001
URGENT_STAY = "12080105"  # 李强's room H-1208-0105; he has an open urgent complaint


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_crm(tmp_path_factory.mktemp("crm") / "demo.db", now=NOW)


@pytest.fixture
async def services(demo_db: str) -> AsyncIterator[CrmServices]:
    async with CrmService.from_url(demo_db) as crm:
        yield CrmServices(crm)


async def test_a_keyed_booking_gives_its_customers_facts(
    services: CrmServices,
) -> None:
    facts = await services.reference_facts(URGENT_STAY, NOW, number=STRANGER)
    assert facts["known"] is True
    assert (facts["name"], facts["urgent_complaint"]) == ("李强", True)
    assert facts["booking_found"] is True
    assert (facts["booking_kind"], facts["booking_status"]) == (
        "hotel_stay", "confirmed",
    )  # fmt: skip
    # the booking's customer has no account manager: blank, not the number's
    facts = await services.reference_facts(URGENT_STAY, NOW, number=KEY_ACCOUNT)
    assert facts["account_manager"] == ""


async def test_a_reference_nobody_has_leaves_the_caller_as_the_number_says(
    services: CrmServices,
) -> None:
    vip = await services.reference_facts("99999999", NOW, number=VIP)
    assert (vip["known"], vip["tier"], vip["booking_found"]) == (True, "vip", False)
    assert "booking_status" not in vip
    stranger = await services.reference_facts("99999999", NOW, number=STRANGER)
    assert (stranger["known"], stranger["booking_found"]) == (False, False)


async def test_the_screen_pop_record_carries_the_booking_keyed(
    services: CrmServices,
) -> None:
    request = BuildScreenPop(
        call_id=CallId("c1"), agent_id=AgentId("1001"), caller_number=STRANGER,
        ivr_path=("identify", "booking_reference", "find_booking"),
        ivr_variables={"booking_reference": "12345678"}, reference="12345678",
    )  # fmt: skip
    record: dict[str, Any] = (await services.screen_pop(request, NOW)).record
    assert json.loads(json.dumps(record)) == record  # JSON as it is: dates as text
    assert (record["identified_by"], record["reference"]) == ("booking", "12345678")
    assert record["booking"] == {
        "booking_id": record["booking"]["booking_id"],
        "customer_id": record["matches"][0]["customer_id"],
        "reference": "H-1234-5678",
        "kind": "hotel_stay",
        "status": "confirmed",
        "starts_on": "2026-01-15",
        "ends_on": "2026-01-18",
        "place": "锦江饭店 · 上海 (Jin Jiang Hotel, Shanghai)",
    }
    assert record["matches"][0]["name"] == "王芳"
    assert [b["reference"] for b in record["matches"][0]["bookings"]] == ["H-1234-5678"]
    assert record["routing"]["booking_found"] is True


async def test_without_a_reference_the_number_decides(services: CrmServices) -> None:
    request = BuildScreenPop(
        call_id=CallId("c2"), agent_id=AgentId("1001"), caller_number=VIP,
        ivr_path=(), ivr_variables={},
    )  # fmt: skip
    record: dict[str, Any] = (await services.screen_pop(request, NOW)).record
    assert (record["identified_by"], record["reference"], record["booking"]) == (
        "number", None, None,
    )  # fmt: skip
    assert "booking_found" not in record["routing"]


ACCOUNT = "79927398713"  # 张伟 (锦江商旅)'s account number
URGENT_STAY_AS_ACCOUNT = "12080105"  # 李强's booking digits keyed as an account


async def test_a_keyed_account_number_gives_its_holders_facts(
    services: CrmServices,
) -> None:
    facts = await services.account_facts(ACCOUNT, NOW, number=STRANGER)
    assert (facts["known"], facts["name"], facts["tier"]) == (
        True, "张伟 (锦江商旅)", "key",
    )  # fmt: skip
    assert (facts["account_found"], facts["account_manager"]) == (True, "1001")
    assert "booking_found" not in facts


async def test_booking_digits_keyed_as_an_account_find_no_one(
    services: CrmServices,
) -> None:
    facts = await services.account_facts(URGENT_STAY_AS_ACCOUNT, NOW, number=STRANGER)
    assert (facts["known"], facts["account_found"]) == (False, False)
    vip = await services.account_facts(URGENT_STAY_AS_ACCOUNT, NOW, number=VIP)
    assert (vip["name"], vip["account_found"]) == ("王芳", False)  # the number's


async def test_the_screen_pop_record_carries_the_account_keyed(
    services: CrmServices,
) -> None:
    request = BuildScreenPop(
        call_id=CallId("c3"), agent_id=AgentId("1001"), caller_number=STRANGER,
        ivr_path=("identify", "travel_menu", "account_number", "find_account"),
        ivr_variables={"account_number": ACCOUNT}, account=ACCOUNT,
    )  # fmt: skip
    record: dict[str, Any] = (await services.screen_pop(request, NOW)).record
    assert json.loads(json.dumps(record)) == record
    assert (record["identified_by"], record["account"]) == ("account", ACCOUNT)
    assert (record["reference"], record["booking"]) == (None, None)
    (card,) = record["matches"]
    assert (card["name"], card["account_number"]) == ("张伟 (锦江商旅)", ACCOUNT)
    assert record["routing"]["account_found"] is True
