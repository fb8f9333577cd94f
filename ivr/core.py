"""The session's machinery: variables, path, waiting for one input, finishing.

Theory of operation: a session is always either *running* (computing outputs in
reaction to one input), *waiting* for exactly one kind of input (``_expect``) with
an optional deadline, or *finished*. Node handlers (in ``ivr.dialogs``,
``ivr.holding`` and ``ivr.session``) never block: they return the outputs of this
turn and register a continuation for the input that resumes them. Media commands
are emitted one at a time through ``_media``, each waiting for its
``PromptFinished``, so the PBX never gets a second media command before the first
completes (``StartHold`` is the exception: it lasts until the next media command).
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from callcenter.domain.commands import (
    CollectDigits,
    HangUp,
    PlayPrompts,
    SayValue,
)
from callcenter.domain.events import DigitsCollected, IvrNodeVisited, PromptFinished
from callcenter.domain.ids import CallId
from ivr.model import Flow, Node, Scalar
from ivr.requests import IvrFinished, IvrOutput

MAX_HOPS = 100
"""Nodes entered in one turn before the session gives up (a runtime loop guard)."""

Media = PlayPrompts | SayValue
Then = Callable[[Any, float], list[IvrOutput]]


class Outcome(StrEnum):
    """How a session ended (``hangup`` nodes may name their own outcomes)."""

    HANGUP = "hangup"
    COMPLETED = "completed"
    ANSWERED = "answered"
    TRANSFERRED = "transferred"
    VOICEMAIL = "voicemail"
    CALLBACK = "callback"
    CLOSED = "closed"
    OVERFLOW = "overflow"
    MENU_FAILED = "menu_failed"
    INPUT_FAILED = "input_failed"
    LOOP = "loop_aborted"
    FLOW_MISSING = "flow_missing"


@dataclass(slots=True)
class Frame:
    """A flow the session runs, and what to do when it returns."""

    flow: Flow
    on_return: Callable[[float], list[IvrOutput]] | None


class SessionCore:
    """State and primitives shared by the node handlers."""

    def __init__(
        self,
        flow: Flow,
        *,
        call_id: CallId,
        caller_number: str,
        flows: Mapping[str, Flow],
        variables: Mapping[str, Scalar],
        language: str,
    ) -> None:
        self.call_id = call_id
        self.caller_number = caller_number
        self._root = flow
        self._flows = flows
        self._frames = [Frame(flow=flow, on_return=None)]
        self._vars: dict[str, Scalar] = {"caller_number": caller_number}
        self._vars.update(variables)
        self._vars["language"] = language
        self._path: list[str] = []
        self._outcome = ""
        self._outcome_hint = Outcome.COMPLETED.value
        self._finished = False
        self._hops = 0
        self._wait: tuple[type, Then] | None = None
        self._deadline: float | None = None
        self._on_deadline: Callable[[float], list[IvrOutput]] | None = None

    # --- read-only view -----------------------------------------------------------

    @property
    def finished(self) -> bool:
        """Whether the session ended (its last output was ``IvrFinished``)."""
        return self._finished

    @property
    def outcome(self) -> str:
        """How the session ended ("" while running); see :class:`Outcome`."""
        return self._outcome

    @property
    def path(self) -> tuple[str, ...]:
        """Nodes visited in order; nodes of other flows read ``flow:node``."""
        return tuple(self._path)

    @property
    def variables(self) -> Mapping[str, Scalar]:
        """The session's variables (read-only view)."""
        return MappingProxyType(self._vars)

    @property
    def flow(self) -> Flow:
        """The flow currently running (a subflow while one runs)."""
        return self._frames[-1].flow

    @property
    def language(self) -> str:
        """The language prompts are played in."""
        return str(self._vars.get("language", "en"))

    def next_deadline(self) -> float | None:
        """When the session wants a ``Tick`` (None: only on input)."""
        return None if self._finished else self._deadline

    # --- waiting ------------------------------------------------------------------

    def _expect(
        self,
        kind: type,
        then: Then,
        *,
        deadline: float | None = None,
        on_deadline: Callable[[float], list[IvrOutput]] | None = None,
    ) -> None:
        self._wait = (kind, then)
        self._deadline = deadline
        self._on_deadline = on_deadline
        self._hops = 0

    def _media_in_flight(self) -> bool:
        """Whether a play or collect command is still waiting for its completion."""
        return self._wait is not None and self._wait[0] in (
            PromptFinished,
            DigitsCollected,
        )

    def _after_media_in_flight(self, then: Callable[[float], list[IvrOutput]]) -> None:
        """Replace what follows the command in flight (its completion runs ``then``)."""
        if self._wait is not None:
            self._wait = (self._wait[0], lambda _inp, at: then(at))
        self._deadline = None
        self._on_deadline = None

    def _clear_wait(self) -> None:
        self._wait = None
        self._deadline = None
        self._on_deadline = None

    def _resume(self, inp: object, now: float) -> list[IvrOutput]:
        if self._wait is None or not isinstance(inp, self._wait[0]):
            return []  # stale or unexpected input (e.g. after an assignment)
        then = self._wait[1]
        self._clear_wait()
        return then(inp, now)

    def _tick(self, now: float) -> list[IvrOutput]:
        if self._deadline is None or now < self._deadline or self._on_deadline is None:
            return []
        on_deadline = self._on_deadline
        self._clear_wait()
        return on_deadline(now)

    # --- media --------------------------------------------------------------------

    def _play(
        self, prompts: Sequence[str], *, interruptible: bool = False
    ) -> PlayPrompts:
        return PlayPrompts(
            call_id=self.call_id,
            prompts=tuple(prompts),
            language=self.language,
            interruptible=interruptible,
        )

    def _media(
        self,
        commands: Sequence[Media],
        now: float,
        then: Callable[[str, float], list[IvrOutput]],
    ) -> list[IvrOutput]:
        """Emit ``commands`` one by one, then call ``then(digit, now)``.

        ``digit`` is the key that interrupted the last command ("" if none).
        """
        if not commands:
            return then("", now)
        first, rest = commands[0], commands[1:]

        def finished(event: PromptFinished, at: float) -> list[IvrOutput]:
            if rest:
                return self._media(rest, at, then)
            return then(event.digit, at)

        self._expect(PromptFinished, finished)
        return [first]

    def _collect(
        self,
        prompt: str,
        max_digits: int,
        timeout: float,
        then: Callable[[DigitsCollected, float], list[IvrOutput]],
    ) -> list[IvrOutput]:
        self._expect(DigitsCollected, then)
        command = CollectDigits(
            call_id=self.call_id,
            prompt=prompt,
            max_digits=max_digits,
            timeout=timeout,
            language=self.language,
        )
        return [command]

    # --- nodes and endings --------------------------------------------------------

    def _enter(self, name: str, now: float) -> list[IvrOutput]:
        self._hops += 1
        if self._hops > MAX_HOPS:
            return self._hang_up(now, Outcome.LOOP.value)
        flow = self.flow
        node = flow.nodes[name]
        self._path.append(name if flow is self._root else f"{flow.name}:{name}")
        visited = IvrNodeVisited(
            at=now, call_id=self.call_id, flow=flow.name, node=name
        )
        return [visited, *self._run(node, now)]

    def _run(self, node: Node, now: float) -> list[IvrOutput]:
        raise NotImplementedError

    def _finish(self, outcome: str, now: float) -> list[IvrOutput]:
        del now
        self._clear_wait()
        self._finished = True
        self._outcome = outcome
        return [IvrFinished(call_id=self.call_id, outcome=outcome, path=self.path)]

    def _hang_up(self, now: float, outcome: str | None = None) -> list[IvrOutput]:
        hangup = HangUp(call_id=self.call_id)
        return [hangup, *self._finish(outcome or self._outcome_hint, now)]

    def _end_of_flow(self, now: float) -> list[IvrOutput]:
        """The current flow ran out: return to the calling flow, or hang up."""
        frame = self._frames[-1]
        if frame.on_return is None:
            return self._hang_up(now)
        self._frames.pop()
        return frame.on_return(now)

    def _call_flow(
        self, name: str, now: float, on_return: Callable[[float], list[IvrOutput]]
    ) -> list[IvrOutput]:
        flow = self._flows.get(name)
        if flow is None:  # validated on load; only a caller-supplied mapping lacks it
            return self._hang_up(now, Outcome.FLOW_MISSING.value)
        self._frames.append(Frame(flow=flow, on_return=on_return))
        return self._enter(flow.start, now)

    def _set(self, name: str, value: Scalar) -> None:
        if name == "language" and value not in self._root.languages:
            return
        self._vars[name] = value


def digits_of(number: str) -> str:
    """Return the digits of a phone number ("+86 138-..." -> "86138...")."""
    return re.sub(r"\D", "", number)
