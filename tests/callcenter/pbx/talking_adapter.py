"""The Asterisk adapter over a fake AMI, with one caller talking to agent 1001.

Shared by the adapter's hold and monitor tests: the call is set up by synthetic
events in the recordings' format (``Newexten`` into our AGI, ``DialBegin``,
``DialEnd`` answered); ``execute`` waits until the adapter sent its action.
"""

import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

from pydantic import SecretStr

from callcenter.clock import SystemClock
from callcenter.domain import commands as cmd
from callcenter.domain import events as ev
from callcenter.pbx.asterisk import AsteriskPbx
from callcenter.settings import PbxSettings
from tests.callcenter.pbx.fake_asterisk import FakeAmi, eventually, free_port
from tests.callcenter.pbx.synthetic_call import (
    AGENT,
    AGENT_CHANNEL,
    AGENT_UID,
    CALL,
    CALLER_CHANNEL,
)

__all__ = ["AGENT", "AGENT_CHANNEL", "AGENT_LEG", "CALL", "CALLER", "CALLER_CHANNEL",
           "Adapter", "running"]  # fmt: skip

CALLER = {"Channel": CALLER_CHANNEL, "Uniqueid": CALL, "Linkedid": CALL}
AGENT_LEG = {"Channel": AGENT_CHANNEL, "Uniqueid": AGENT_UID, "Linkedid": CALL}


class Adapter:
    """An adapter under test: what it emitted (``seen``) and the fake it talks to."""

    def __init__(self, pbx: AsteriskPbx, ami: FakeAmi) -> None:
        self.pbx, self.ami = pbx, ami
        self.seen: list[ev.DomainEvent] = []
        pbx.attach(self.seen.append)

    async def talking(self) -> None:
        """Bring the caller to agent 1001 and wait for the answer."""
        self.ami.event(
            "Newexten", **CALLER, Application="AGI",
            AppData="agi://127.0.0.1:4573/callcenter", CallerIDNum="+8613800138000",
        )  # fmt: skip
        dest = {"DestChannel": AGENT_CHANNEL, "DestUniqueid": AGENT_UID}
        self.ami.event("DialBegin", **CALLER, **dest)
        self.ami.event("DialEnd", **CALLER, **dest, DialStatus="ANSWER")
        await eventually(lambda: self.kinds().count("CallAnswered") == 1)

    async def execute(self, command: cmd.PbxCommand, action: str) -> dict[str, str]:
        """Carry out ``command``; return the ``action`` it sent."""
        before = len(self.ami.named(action))
        await self.pbx.execute(command)
        await eventually(lambda: len(self.ami.named(action)) > before)
        return self.ami.named(action)[-1]

    def kinds(self) -> list[str]:
        """Return the names of the domain events emitted so far."""
        return [type(e).__name__ for e in self.seen]


A = TypeVar("A", bound=Adapter)


@contextlib.asynccontextmanager
async def running(kind: type[A]) -> AsyncIterator[A]:
    """Run an adapter of ``kind`` against a fresh fake AMI; stop both after."""
    ami = FakeAmi()
    await ami.start()
    settings = PbxSettings(
        kind="asterisk", port=ami.port, secret=SecretStr("s3cret"), agi_port=free_port()
    )
    pbx = AsteriskPbx(settings, SystemClock())
    run = kind(pbx, ami)
    await pbx.start()
    try:
        yield run
    finally:
        await pbx.close()
        await ami.stop()
