"""``CrmServices`` hands the switchboard's requests to the CRM's own API."""

from typing import Any

from callcenter.core.crm_services import CrmServices
from callcenter.core.messages import PersistVoicemail
from callcenter.domain.ids import CallId, CustomerId, QueueName


class RecordingCrm:
    """Stands in for ``CrmService``: keeps the keyword arguments of each write."""

    def __init__(self) -> None:
        self.voicemails: list[dict[str, Any]] = []

    async def record_voicemail(self, **values: Any) -> None:
        self.voicemails.append(values)


async def test_a_voicemail_reaches_the_crm_without_its_mailbox() -> None:
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
        }
    ]
