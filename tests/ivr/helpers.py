"""Shared helpers for the IVR tests: write flows, drive a session by hand."""

import textwrap
from collections.abc import Mapping
from pathlib import Path

from callcenter.domain.commands import CollectDigits, PlayPrompts, SayValue
from callcenter.domain.events import (
    CallEnded,
    DigitsCollected,
    IvrNodeVisited,
    Party,
    PromptFinished,
)
from callcenter.domain.ids import CallId
from ivr.inputs import IvrInput
from ivr.loader import load_flow
from ivr.model import Flow, Scalar
from ivr.requests import IvrOutput
from ivr.session import IvrSession

CALL = CallId("call-1")
CALLER = "+8613800138000"
SAMPLES = Path(__file__).resolve().parents[2] / "config" / "ivr"


def write_flow(directory: Path, text: str, name: str = "flow") -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def make_flow(directory: Path, text: str, name: str = "flow") -> Flow:
    return load_flow(write_flow(directory, text, name))


class Call:
    """A session plus the time, driven one input at a time."""

    def __init__(
        self,
        flow: Flow,
        *,
        flows: Mapping[str, Flow] | None = None,
        variables: Mapping[str, Scalar] | None = None,
        caller: str = CALLER,
        language: str = "en",
    ) -> None:
        self.session = IvrSession(
            flow,
            call_id=CALL,
            caller_number=caller,
            flows=flows if flows is not None else {flow.name: flow},
            variables=variables or {},
            language=language,
        )
        self.now = 1000.0
        self.log: list[IvrOutput] = []

    def start(self) -> list[IvrOutput]:
        return self._keep(self.session.start(self.now))

    def send(self, inp: IvrInput, *, after: float = 0.0) -> list[IvrOutput]:
        self.now += after
        return self._keep(self.session.handle(inp, self.now))

    def _keep(self, outputs: list[IvrOutput]) -> list[IvrOutput]:
        self.log.extend(outputs)
        return outputs

    def finished_prompt(self, digit: str = "") -> list[IvrOutput]:
        return self.send(
            PromptFinished(at=self.now, call_id=CALL, digit=digit), after=1
        )

    def keys(self, digits: str) -> list[IvrOutput]:
        event = DigitsCollected(
            at=self.now, call_id=CALL, digits=digits, timed_out=not digits
        )
        return self.send(event, after=1)

    def hang_up(self) -> list[IvrOutput]:
        return self.send(CallEnded(at=self.now, call_id=CALL, by=Party.CALLER))

    def play_through(self) -> list[IvrOutput]:
        """Answer PlayPrompts/SayValue until the session asks for something else."""
        outputs = self.log[-1:] if self.log else []
        while outputs and isinstance(outputs[-1], PlayPrompts | SayValue):
            outputs = self.finished_prompt()
        return outputs


def media(outputs: list[IvrOutput]) -> list[IvrOutput]:
    """Only the media commands among ``outputs``."""
    return [o for o in outputs if isinstance(o, PlayPrompts | SayValue | CollectDigits)]


def visited(outputs: list[IvrOutput]) -> list[str]:
    return [o.node for o in outputs if isinstance(o, IvrNodeVisited)]
