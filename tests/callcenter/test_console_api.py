"""The console API against a real call center in virtual time (no console)."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from callcenter.console_api import ConsoleApi
from callcenter.domain import events as ev
from callcenter.domain.ids import AgentId, CallId
from callcenter.pbx.sim_call import LegState
from tests.agent_console.harness import (
    NOW,
    STRANGER,
    URGENT,
    VIP,
    Cti,
    running_cti,
)
from tests.demo_crm import demo_crm

ANNA = AgentId("1001")


@pytest.fixture(scope="module")
def crm_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api-crm") / "template.db"
    demo_crm(path, now=NOW)
    return path


@pytest.fixture
async def cti(crm_template: Path, tmp_path: Path) -> AsyncIterator[Cti]:
    async with running_cti(crm_template, tmp_path) as server:
        yield server


async def ask(
    cti: Cti, command: str, agent: str = "1001", **args: Any
) -> dict[str, Any]:
    return await cti.api.handle(AgentId(agent), {"command": command, "args": args})


async def logged_in(cti: Cti) -> None:
    assert (await ask(cti, "login", pin="1234"))["ok"]
    assert (await ask(cti, "ready"))["ok"]


async def talking(cti: Cti, number: str) -> CallId:
    """Ring Anna with a call from ``number``; return its id once she talks."""
    call_id = await cti.ring(number)
    assert (await ask(cti, "answer", call_id=call_id))["ok"]
    await cti.step_until(lambda: cti.api.desks.desk(ANNA).call.state == "talking")  # type: ignore[union-attr]
    return call_id


def refusal(code: str, message: str) -> dict[str, Any]:
    """Every failed reply: a stable ``code`` (also as ``error``) and a message."""
    return {"ok": False, "code": code, "error": code, "message": message}


async def test_login_needs_the_pin(cti: Cti) -> None:
    refused = await ask(cti, "login", pin="0000")
    assert refused == refusal("bad_pin", "wrong PIN")
    await logged_in(cti)
    status = await ask(cti, "status")
    assert status["agent"]["state"] == "available"
    assert [q["name"] for q in status["queues"]] == ["reservations", "complaints"]
    assert "lunch" in status["pause_reasons"]


async def test_the_login_is_locked_after_five_wrong_pins(cti: Cti) -> None:
    for _ in range(4):
        assert await ask(cti, "login", pin="0000") == refusal("bad_pin", "wrong PIN")
    assert await ask(cti, "login", pin="0000") == refusal(
        "locked", "wrong PIN 5 times in a row: login locked for 60 s"
    )
    assert await ask(cti, "login", pin="1234") == refusal(
        "locked", "too many wrong PINs: login locked, try again in 60 s"
    )
    await cti.advance(60)
    await logged_in(cti)


async def test_only_an_agent_with_a_pin_needs_one(cti: Cti) -> None:
    assert await ask(cti, "login") == refusal(
        "pin_required", "this agent logs in with a PIN"
    )
    assert (await ask(cti, "login", agent="1002"))["ok"]  # Bo has no PIN


async def test_every_refusal_has_the_same_shape(cti: Cti) -> None:
    bare = ConsoleApi(cti.center)  # no CRM connected
    try:
        no_crm = await bare.handle(ANNA, {"command": "complaint.get", "args": {}})
    finally:
        bare.close()
    await logged_in(cti)
    replies = {
        "unknown_agent": await ask(cti, "status", agent="9999"),
        "bad_request": await cti.api.handle(ANNA, {"command": "ready", "args": [1]}),
        "unknown_command": await ask(cti, "dance"),
        "crm_unavailable": no_crm,
        "not_found": await ask(cti, "complaint.get", complaint_id=999_999),
        "bad_disposition": await ask(cti, "wrapup.save", disposition="nonsense"),
        "no_call": await ask(cti, "hold", call_id="x"),  # refused by the core
        "illegal-transition": await ask(cti, "ready", agent="1003"),  # by the ACD
    }
    for code, reply in replies.items():
        assert reply["message"], code
        assert reply == refusal(code, reply["message"])


async def test_status_carries_the_ringing_call_with_its_screen_pop(cti: Cti) -> None:
    await logged_in(cti)
    call_id = await cti.ring(VIP, digits="482913")
    call = (await ask(cti, "status"))["call"]
    assert call["call_id"] == call_id
    assert call["state"] == "ringing"
    record = call["record"]
    assert record["status"] == "known"
    assert record["matches"][0]["tier"] == "vip"
    assert record["ivr_variables"]["booking_reference"] == "482913"


async def test_answer_hold_resume_and_hang_up(cti: Cti) -> None:
    await logged_in(cti)
    call_id = await talking(cti, URGENT)
    assert (await ask(cti, "hold", call_id=call_id))["ok"]
    assert cti.sim.is_held(call_id)
    assert (await ask(cti, "resume", call_id=call_id))["ok"]
    assert not cti.sim.is_held(call_id)
    assert (await ask(cti, "hangup", call_id=call_id))["ok"]
    await cti.advance(0)
    assert (await ask(cti, "status"))["agent"]["state"] == "wrap_up"


async def test_only_the_call_ringing_the_agent_can_be_answered(cti: Cti) -> None:
    await logged_in(cti)
    assert (await ask(cti, "answer", call_id="made-up"))["code"] == "no_call"
    call_id = await cti.ring(URGENT)
    assert (await ask(cti, "answer", call_id=call_id, agent="1002"))[
        "code"
    ] == "no_call"
    assert (await ask(cti, "answer", call_id=call_id))["ok"]
    await cti.step_until(lambda: cti.api.desks.desk(ANNA).call.state == "talking")  # type: ignore[union-attr]
    assert (await ask(cti, "answer", call_id=call_id))["code"] == "no_call"  # twice


async def test_blind_transfer_to_a_queue_rings_the_agent_there(cti: Cti) -> None:
    await logged_in(cti)
    cti.log_in_simulated("1002")
    call_id = await talking(cti, STRANGER)
    reply = await ask(
        cti, "transfer", call_id=call_id, kind="queue", target="complaints"
    )
    assert reply["ok"], reply
    await cti.step_until(
        lambda: any(
            isinstance(e, ev.CallAnswered) and e.agent_id == "1002" for e in cti.events
        )
    )
    assert (await ask(cti, "status"))["agent"]["state"] == "wrap_up"


async def test_a_caller_transferred_to_a_queue_waits_there_for_the_next_agent(
    cti: Cti,
) -> None:
    await logged_in(cti)
    call_id = await talking(cti, STRANGER)
    reply = await ask(
        cti, "transfer", call_id=call_id, kind="queue", target="complaints"
    )
    assert reply["ok"], reply
    await cti.advance(15)  # the queue's announcement, then its music
    assert cti.sim.state_of(call_id) is LegState.HOLDING  # not Anna any more
    await cti.advance(600)
    mine = [e for e in cti.events if getattr(e, "call_id", None) == call_id]
    assert not any(isinstance(e, ev.CallEnded | ev.AgentLegEnded) for e in mine)
    assert [e.position for e in mine if isinstance(e, ev.CallQueued)] == [1, 1]
    cti.log_in_simulated("1002")
    await cti.step_until(
        lambda: any(
            isinstance(e, ev.CallAnswered) and e.agent_id == "1002" for e in cti.events
        )
    )


async def test_consulted_transfer_holds_then_completes(cti: Cti) -> None:
    await logged_in(cti)
    call_id = await talking(cti, STRANGER)
    await ask(
        cti, "transfer", call_id=call_id, kind="number", target="+8610", mode="consult"
    )
    assert cti.sim.is_held(call_id)
    assert (await ask(cti, "transfer_complete", call_id=call_id))["ok"]
    await cti.step_until(
        lambda: any(
            isinstance(e, ev.CallEnded) and e.call_id == call_id for e in cti.events
        )
    )


async def test_a_transfer_needs_a_known_target(cti: Cti) -> None:
    await logged_in(cti)
    call_id = await talking(cti, STRANGER)
    reply = await ask(cti, "transfer", call_id=call_id, kind="queue", target="nowhere")
    assert reply["error"] == "bad_target"


async def test_wrap_up_is_saved_with_a_follow_up(cti: Cti) -> None:
    await logged_in(cti)
    call_id = await talking(cti, VIP)
    await ask(cti, "hangup", call_id=call_id)
    await cti.advance(0)
    saved = await ask(cti, "wrapup.save", call_id=call_id, disposition="resolved",
                      notes="all good", callback_at=1_767_700_000.0)  # fmt: skip
    assert saved == {"stored": True, "pending": False}
    assert (await ask(cti, "status"))["call"] is None
    refused = await ask(cti, "wrapup.save", call_id=call_id, disposition="nonsense")
    assert refused["error"] == "bad_disposition"


async def test_complaint_open_advance_and_history(cti: Cti) -> None:
    created = await ask(cti, "customer.create", number=STRANGER, call_id="x")
    customer_id = created["customer"]["customer_id"]
    assert created["record"]["status"] == "known"
    opened = await ask(cti, "complaint.open", customer_id=customer_id,
                       category="room", severity="serious", description="noisy",
                       demands=["apology"], department="front_office")  # fmt: skip
    complaint = opened["complaint"]
    assert complaint["state"] == "received"
    assert complaint["deadline_at"] - complaint["opened_at"] == 24 * 3600
    assert opened["allowed"] == ["recorded"]
    moved = await ask(cti, "complaint.advance", complaint_id=complaint["complaint_id"],
                      to_state="recorded", comment="details taken")  # fmt: skip
    assert [h["to_state"] for h in moved["history"]] == ["received", "recorded"]
    illegal = await ask(cti, "complaint.advance", complaint_id=complaint["complaint_id"],
                        to_state="closed", comment="")  # fmt: skip
    assert illegal["error"] == "illegal_transition"
