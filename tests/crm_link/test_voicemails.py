"""Supervisors' voicemail box: newest first, by mailbox and handled or not, on both
databases; handling is recorded once, with who and when."""

from collections.abc import AsyncIterator

import pytest

from callcenter.domain.ids import CallId, QueueName
from crm_link.db import make_engine, make_session_factory
from crm_link.dto import WriteOutcome
from crm_link.errors import NotFoundError
from crm_link.service import CrmService
from crm_link.voicemails import VoicemailBox
from tests.crm_link.conftest import NOW


@pytest.fixture
async def box(db_url: str) -> AsyncIterator[VoicemailBox]:
    box = VoicemailBox.from_url(db_url)
    yield box
    await box.aclose()


async def leave(crm: CrmService, call: str, mailbox: str, at: float) -> None:
    outcome = await crm.record_voicemail(
        call_id=CallId(call), number="138 0013 8000", at=at,
        recording_ref=f"/var/rec/{mailbox}-{call}.wav", duration_seconds=12.5,
        queue=QueueName("reservations"), mailbox=mailbox,
    )  # fmt: skip
    assert outcome is WriteOutcome.STORED


async def test_messages_are_listed_newest_first_with_what_the_caller_left(
    crm: CrmService, box: VoicemailBox
) -> None:
    await leave(crm, "c1", "sales", NOW)
    await leave(crm, "c2", "complaints", NOW + 60)
    await leave(crm, "c3", "sales", NOW + 30)

    listed = await box.list_voicemails()

    assert [v.call_id for v in listed] == ["c2", "c3", "c1"]
    newest = listed[0]
    assert newest.mailbox == "complaints"
    assert newest.number == "+8613800138000"
    assert newest.queue == "reservations"
    assert newest.recorded_at == NOW + 60
    assert newest.duration_seconds == 12.5
    assert newest.recording_ref == "/var/rec/complaints-c2.wav"
    assert newest.status == "new"
    assert not newest.handled
    assert (newest.handled_at, newest.handled_by) == (None, None)


async def test_the_list_filters_by_mailbox_and_by_handled(
    crm: CrmService, box: VoicemailBox
) -> None:
    for n, mailbox in enumerate(("sales", "complaints", "sales", "sales")):
        await leave(crm, f"c{n}", mailbox, NOW + n)
    sales = await box.list_voicemails(mailbox="sales")
    await box.mark_handled(sales[0].voicemail_id, by="sam", at=NOW + 100)

    assert [v.call_id for v in sales] == ["c3", "c2", "c0"]
    unhandled = await box.list_voicemails(mailbox="sales", handled=False)
    assert [v.call_id for v in unhandled] == ["c2", "c0"]
    handled = await box.list_voicemails(handled=True)
    assert [v.call_id for v in handled] == ["c3"]
    assert await box.list_voicemails(mailbox="nobody") == []
    assert [v.call_id for v in await box.list_voicemails(limit=2)] == ["c3", "c2"]


async def test_marking_handled_records_who_and_when_once(
    crm: CrmService, box: VoicemailBox
) -> None:
    await leave(crm, "c1", "sales", NOW)
    (message,) = await box.list_voicemails()

    first = await box.mark_handled(message.voicemail_id, by="sam", at=NOW + 10)
    again = await box.mark_handled(message.voicemail_id, by="kim", at=NOW + 20)

    assert (first.handled_by, first.handled_at, first.status) == (
        "sam", NOW + 10, "handled",
    )  # fmt: skip
    assert again == first
    assert await box.get_voicemail(message.voicemail_id) == first


async def test_an_unknown_message_is_not_found(box: VoicemailBox) -> None:
    with pytest.raises(NotFoundError, match="no voicemail with id 999"):
        await box.get_voicemail(999)
    with pytest.raises(NotFoundError):
        await box.mark_handled(999, by="sam", at=NOW)


async def test_a_box_over_a_session_factory_leaves_the_engine_to_its_owner(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    box = VoicemailBox(make_session_factory(engine))
    await box.aclose()
    assert await box.list_voicemails() == []
    await engine.dispose()
