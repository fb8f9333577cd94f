"""``IvrSession``: one call running through a flow, sans-IO.

The orchestrator creates a session per call, calls ``start(now)`` once, then feeds
every input with ``handle(inp, now)`` and executes the outputs in order. When
``next_deadline()`` is not None it calls ``handle(Tick(), now)`` once that time
has passed. The session never reads a clock, logs or does I/O.

Inputs of another call raise :class:`~ivr.errors.IvrSessionError`; inputs the
session is not waiting for (e.g. a ``PromptFinished`` arriving after an agent
took the call) are ignored. After ``IvrFinished`` every input is ignored. An
unrequested ``QueueStatus(open=False)`` while queued means the ACD dropped the
call (closed, full, overflow): the session goes to the enqueue node's
``on_closed`` (after a prompt still playing has finished).
"""

from collections.abc import Mapping
from types import MappingProxyType

from callcenter.domain.commands import AnswerCall, SayKind, SayValue, Transfer
from callcenter.domain.events import CallEnded
from callcenter.domain.ids import CallId
from ivr.core import Outcome
from ivr.errors import IvrSessionError
from ivr.holding import Holding
from ivr.inputs import CustomerFound, IvrInput, Requeued, Tick
from ivr.model import (
    BranchNode,
    CallbackNode,
    CollectNode,
    EnqueueNode,
    Flow,
    HangupNode,
    LookupNode,
    MenuNode,
    Node,
    PlayNode,
    ReturnNode,
    SayNode,
    Scalar,
    SetNode,
    SubflowNode,
    SurveyNode,
    TransferNode,
    VoicemailNode,
)
from ivr.requests import IvrOutput, LookupCustomer, RecordVoicemail

__all__ = ["IvrSession", "Outcome"]

_NO_VARIABLES: Mapping[str, Scalar] = MappingProxyType({})


class IvrSession(Holding):
    """One caller's way through an IVR flow (see the module docstring)."""

    def __init__(
        self,
        flow: Flow,
        *,
        call_id: CallId,
        caller_number: str,
        flows: Mapping[str, Flow],
        variables: Mapping[str, Scalar] = _NO_VARIABLES,
        language: str = "en",
    ) -> None:
        """Prepare a session; nothing is emitted before ``start``.

        Args:
            flow: the flow to run.
            call_id: the call every output is about.
            caller_number: the caller's number (lookups and callbacks use it).
            flows: every loaded flow, for ``subflow`` and ``after_call``.
            variables: initial variables, e.g. ``business_hours`` and ``holiday``
                computed by the orchestrator from its clock.
            language: the prompt language until a menu or the CRM changes it.
        """
        super().__init__(
            flow,
            call_id=call_id,
            caller_number=caller_number,
            flows=flows,
            variables=variables,
            language=language if language in flow.languages else flow.languages[0],
        )
        self._started = False

    def start(self, now: float) -> list[IvrOutput]:
        """Answer the call and run the flow up to its first wait."""
        if self._started:
            raise IvrSessionError("session already started")
        self._started = True
        return [AnswerCall(call_id=self.call_id), *self._enter(self.flow.start, now)]

    def handle(self, inp: IvrInput, now: float) -> list[IvrOutput]:
        """Feed one input; return the outputs to execute, in order."""
        if not self._started:
            raise IvrSessionError("handle() before start()")
        call_id = getattr(inp, "call_id", self.call_id)
        if call_id != self.call_id:
            msg = f"input for call {call_id} fed to the session of call {self.call_id}"
            raise IvrSessionError(msg)
        if self._finished:
            return []
        match inp:
            case CallEnded():
                return [*self._save_survey(), *self._finish(Outcome.HANGUP.value, now)]
            case Tick():
                return self._tick(now)
            case Requeued():
                return self._requeued(inp, now)
        queued = self._queue_input(inp, now)
        if queued is not None:
            return queued
        return self._resume(inp, now)

    # --- node dispatch ----------------------------------------------------------------

    def _run(self, node: Node, now: float) -> list[IvrOutput]:  # noqa: C901, PLR0911, PLR0912 - one arm per kind
        match node:
            case PlayNode():
                command = self._play(node.prompts, interruptible=node.interruptible)
                return self._media(
                    [command], now, lambda _d, at: self._enter(node.next, at)
                )
            case SayNode():
                return self._run_say(node, now)
            case MenuNode():
                return self._run_menu(node, 0, now)
            case CollectNode():
                return self._run_collect(node, 0, now)
            case LookupNode():
                return self._run_lookup(node, now)
            case BranchNode():
                return self._enter(self._branch_target(node), now)
            case SetNode():
                for name, value in node.values:
                    self._set(name, value)
                return self._enter(node.next, now)
            case EnqueueNode():
                return self._run_enqueue(node, now)
            case CallbackNode():
                return self._run_callback(node, now)
            case SurveyNode():
                return self._run_survey(node, now)
            case SubflowNode():
                return self._call_flow(
                    node.flow, now, lambda at: self._enter(node.next, at)
                )
            case ReturnNode():
                return self._end_of_flow(now)
        return self._run_final(node, now)

    def _run_final(self, node: Node, now: float) -> list[IvrOutput]:
        """Nodes that end the session: voicemail, transfer, hangup."""
        prompts: tuple[str, ...] = getattr(node, "prompts", ())
        commands = [self._play(prompts)] if prompts else []

        def after(_digit: str, at: float) -> list[IvrOutput]:
            match node:
                case VoicemailNode():
                    record = RecordVoicemail(
                        call_id=self.call_id,
                        mailbox=node.mailbox,
                        max_seconds=node.max_seconds,
                    )
                    return [record, *self._finish(Outcome.VOICEMAIL.value, at)]
                case TransferNode():
                    transfer = Transfer(call_id=self.call_id, target=node.target)
                    return [transfer, *self._finish(Outcome.TRANSFERRED.value, at)]
                case HangupNode():
                    return self._hang_up(at, node.outcome)
            msg = f"unsupported node {node!r}"  # pragma: no cover - the loader forbids
            raise IvrSessionError(msg)  # pragma: no cover

        return self._media(commands, now, after)

    def _run_say(self, node: SayNode, now: float) -> list[IvrOutput]:
        raw = self._vars.get(node.variable) if node.variable else node.value
        commands: list[object] = []
        if isinstance(raw, bool) or raw is None:
            pass
        elif node.say_as is SayKind.DIGITS and str(raw).isdigit():
            commands = [self._say_digits(str(raw))]
        elif isinstance(raw, int) or str(raw).lstrip("-").isdigit():
            commands = [
                SayValue(
                    call_id=self.call_id,
                    value=int(raw),
                    kind=node.say_as,
                    language=self.language,
                )
            ]
        return self._media(commands, now, lambda _d, at: self._enter(node.next, at))  # type: ignore[arg-type]

    def _run_lookup(self, node: LookupNode, now: float) -> list[IvrOutput]:
        value = self.caller_number
        if node.by != "caller" and node.variable is not None:
            value = str(self._vars.get(node.variable, ""))

        def found(answer: CustomerFound, at: float) -> list[IvrOutput]:
            for key, fact in answer.facts.items():
                self._set(key, fact)
            if "known" not in answer.facts:
                self._set("known", bool(answer.facts.get("customer_id")))
            return self._enter(node.next, at)

        def gave_up(at: float) -> list[IvrOutput]:
            self._set("known", False)  # noqa: FBT003
            return self._enter(node.next, at)

        self._expect(
            CustomerFound, found, deadline=now + node.timeout, on_deadline=gave_up
        )
        return [LookupCustomer(call_id=self.call_id, by=node.by, value=value)]

    def _branch_target(self, node: BranchNode) -> str:
        for case in node.cases:
            if case.when(self._vars):
                return case.target
        return node.otherwise
