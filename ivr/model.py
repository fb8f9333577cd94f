"""The immutable model of an IVR flow: a graph of named nodes with a start node.

The loader builds these from YAML; the session walks them. Every node knows its
``line`` in the source file (for messages) and lists its outgoing edges through
``edges()`` (for validation and diagrams). Node references are node names within
the same flow; ``subflow`` and ``after_call`` name other flows.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal, get_args

from callcenter.domain.commands import SayKind
from ivr.conditions import Condition

Scalar = str | int | bool

LookupBy = Literal["caller", "digits", "account"]
"""What a ``crm_lookup`` finds the caller by: ``caller``, their phone number;
``digits``, a booking reference keyed (the name is kept from when it was the only
kind of digits); ``account``, an account number keyed (never taken for a booking
reference, even with the same digits)."""
LOOKUP_BY: tuple[LookupBy, ...] = get_args(LookupBy)


class AnnounceMode(StrEnum):
    """When a waiting caller hears their position again."""

    CHANGED = "changed"
    ALWAYS = "always"


DEFAULT_OFFER_PROMPT = "custom/press-1-wait-2-callback"


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldPolicy:
    """How a queued caller is held: music, announcements and the callback offer.

    Position and EWT are announced on entry (``announce_on_entry``) and then every
    ``announce_every`` seconds (0 = never again), either ``always`` or only when the
    figures changed. After ``offer_after`` seconds (0 = never) the caller is asked
    to press 1 to keep waiting or 2 for a callback that keeps their place; the
    offer repeats every ``offer_every`` seconds (0 = once).
    """

    moh_class: str = "default"
    announce_position: bool = True
    announce_ewt: bool = True
    announce_on_entry: bool = True
    announce_every: float = 60.0
    announce_mode: AnnounceMode = AnnounceMode.CHANGED
    offer_after: float = 0.0
    offer_every: float = 0.0
    offer_prompt: str = DEFAULT_OFFER_PROMPT
    offer_timeout: float = 5.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """Base of every node: its name and the line it starts on."""

    name: str
    line: int

    def edges(self) -> tuple[tuple[str, str], ...]:
        """Return ``(label, target node)`` pairs of every way out of this node."""
        return ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayNode(Node):
    """Play prompts, then go on."""

    prompts: tuple[str, ...]
    next: str
    interruptible: bool = False

    def edges(self) -> tuple[tuple[str, str], ...]:
        """See :meth:`Node.edges`."""
        return (("", self.next),)


@dataclass(frozen=True, slots=True, kw_only=True)
class SayNode(Node):
    """Speak a number, digits, a duration or a date from a variable or a literal."""

    value: int | None
    variable: str | None
    say_as: SayKind
    next: str

    def edges(self) -> tuple[tuple[str, str], ...]:
        """See :meth:`Node.edges`."""
        return (("", self.next),)


@dataclass(frozen=True, slots=True, kw_only=True)
class MenuOption:
    """One key of a menu; ``when`` hides it unless the condition holds."""

    digit: str
    target: str
    when: Condition | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MenuNode(Node):
    """Ask for one key and branch on it, with retries on invalid or no input."""

    prompts: tuple[str, ...]
    options: tuple[MenuOption, ...]
    timeout: float = 5.0
    retries: int = 2
    invalid_prompt: str | None = None
    no_input_prompt: str | None = None
    on_failure: str | None = None

    def edges(self) -> tuple[tuple[str, str], ...]:
        """See :meth:`Node.edges`."""
        edges = tuple((option.digit, option.target) for option in self.options)
        if self.on_failure is not None:
            edges += (("failure", self.on_failure),)
        return edges


@dataclass(frozen=True, slots=True, kw_only=True)
class CollectNode(Node):
    """Collect digits, validate them and store them in a variable."""

    prompt: str
    store: str
    max_digits: int = 20
    min_digits: int = 1
    timeout: float = 7.0
    validator: str | None = None
    pattern: str | None = None
    retries: int = 2
    invalid_prompt: str | None = None
    next: str
    on_failure: str | None = None

    def edges(self) -> tuple[tuple[str, str], ...]:
        """See :meth:`Node.edges`."""
        edges: tuple[tuple[str, str], ...] = (("", self.next),)
        if self.on_failure is not None:
            edges += (("failure", self.on_failure),)
        return edges


@dataclass(frozen=True, slots=True, kw_only=True)
class LookupNode(Node):
    """Ask the CRM about the caller: by number, booking reference or account number.

    ``variable`` holds the keyed digits (for ``digits`` and ``account``).
    """

    by: LookupBy
    variable: str | None
    timeout: float = 3.0
    next: str

    def edges(self) -> tuple[tuple[str, str], ...]:
        """See :meth:`Node.edges`."""
        return (("", self.next),)


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """One arm of a branch."""

    when: Condition
    target: str
    line: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BranchNode(Node):
    """Go to the first case whose condition holds, else to ``otherwise``."""

    cases: tuple[Case, ...]
    otherwise: str

    def edges(self) -> tuple[tuple[str, str], ...]:
        """See :meth:`Node.edges`."""
        arms = tuple((case.when.text, case.target) for case in self.cases)
        return (*arms, ("else", self.otherwise))


@dataclass(frozen=True, slots=True, kw_only=True)
class SetNode(Node):
    """Set variables (``language`` switches the prompt language)."""

    values: tuple[tuple[str, Scalar], ...]
    next: str

    def edges(self) -> tuple[tuple[str, str], ...]:
        """See :meth:`Node.edges`."""
        return (("", self.next),)


@dataclass(frozen=True, slots=True, kw_only=True)
class EnqueueNode(Node):
    """Put the caller in an ACD queue and hold them until an agent takes the call."""

    queue: str
    skills: tuple[str, ...] = ()
    hold: HoldPolicy = field(default_factory=HoldPolicy)
    max_wait: float = 0.0
    callback: str | None = None
    on_closed: str | None = None
    on_overflow: str | None = None
    after_call: str | None = None

    def edges(self) -> tuple[tuple[str, str], ...]:
        """See :meth:`Node.edges`."""
        named = (
            ("callback", self.callback),
            ("closed", self.on_closed),
            ("overflow", self.on_overflow),
        )
        return tuple((label, target) for label, target in named if target)


@dataclass(frozen=True, slots=True, kw_only=True)
class VoicemailNode(Node):
    """Play a prompt and hand the caller to voicemail recording (ends the flow)."""

    mailbox: str
    max_seconds: int = 120
    prompts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackNode(Node):
    """Confirm the caller's number (or collect another) and book a callback."""

    confirm_prompt: str = "custom/callback-confirm-number"
    enter_prompt: str = "custom/callback-enter-number"
    done_prompts: tuple[str, ...] = ("custom/callback-booked",)
    timeout: float = 7.0
    retries: int = 2
    on_failure: str | None = None

    def edges(self) -> tuple[tuple[str, str], ...]:
        """See :meth:`Node.edges`."""
        return (("failure", self.on_failure),) if self.on_failure else ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """One survey question: a prompt and the answer's key."""

    key: str
    prompt: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SurveyNode(Node):
    """Ask questions scored 1-5 and save the answers with the call."""

    questions: tuple[Question, ...]
    timeout: float = 6.0
    retries: int = 1
    invalid_prompt: str | None = None
    thanks_prompts: tuple[str, ...] = ()
    next: str | None = None

    def edges(self) -> tuple[tuple[str, str], ...]:
        """See :meth:`Node.edges`."""
        return (("", self.next),) if self.next else ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferNode(Node):
    """Blind-transfer the caller (ends the flow)."""

    target: str
    prompts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class HangupNode(Node):
    """Play optional prompts and hang up; ``outcome`` names how the flow ended."""

    prompts: tuple[str, ...] = ()
    outcome: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SubflowNode(Node):
    """Run another flow; when it returns, continue at ``next``."""

    flow: str
    next: str

    def edges(self) -> tuple[tuple[str, str], ...]:
        """See :meth:`Node.edges`."""
        return (("", self.next),)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnNode(Node):
    """End a subflow and return to the caller flow (ends a top-level flow)."""


TERMINAL_NODES = (
    VoicemailNode,
    TransferNode,
    HangupNode,
    ReturnNode,
    EnqueueNode,
    CallbackNode,
    SurveyNode,
)
"""Kinds where a flow can end (an enqueue ends when an agent takes the call)."""

INPUT_NODES = (MenuNode, CollectNode, CallbackNode, SurveyNode, EnqueueNode)
"""Kinds that wait for the caller, so a loop through them is not a busy loop."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Flow:
    """A validated call flow: its name (the file stem), source and nodes."""

    name: str
    source: Path
    start: str
    nodes: Mapping[str, Node]
    languages: tuple[str, ...] = ("en",)
    description: str = ""
    ref_lines: Mapping[str, Mapping[str, int]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Node -> edge label -> line of the reference (for messages)."""

    def line_of_edge(self, node: Node, label: str) -> int:
        """Return the line where ``node``'s exit ``label`` is written."""
        return self.ref_lines.get(node.name, {}).get(label, node.line)

    def prompts(self) -> tuple[tuple[int, str], ...]:
        """Return ``(line, prompt)`` for every prompt file the flow plays."""
        found: list[tuple[int, str]] = []
        for node in self.nodes.values():
            found.extend((node.line, prompt) for prompt in node_prompts(node))
        return tuple(found)


def node_prompts(node: Node) -> tuple[str, ...]:  # noqa: PLR0911 - one arm per kind
    """Return the prompt files a node may play."""
    match node:
        case PlayNode() | VoicemailNode() | TransferNode() | HangupNode():
            return node.prompts
        case MenuNode():
            extra = (node.invalid_prompt, node.no_input_prompt)
            return node.prompts + tuple(p for p in extra if p is not None)
        case CollectNode():
            return tuple(p for p in (node.prompt, node.invalid_prompt) if p is not None)
        case CallbackNode():
            return (node.confirm_prompt, node.enter_prompt, *node.done_prompts)
        case SurveyNode():
            asked = tuple(question.prompt for question in node.questions)
            invalid = (node.invalid_prompt,) if node.invalid_prompt is not None else ()
            return asked + invalid + node.thanks_prompts
        case EnqueueNode() if node.hold.offer_after > 0:
            return (node.hold.offer_prompt,)
    return ()


KIND_NAMES: dict[type[Node], str] = {
    PlayNode: "play",
    SayNode: "say",
    MenuNode: "menu",
    CollectNode: "collect",
    LookupNode: "crm_lookup",
    BranchNode: "branch",
    SetNode: "set",
    EnqueueNode: "enqueue",
    VoicemailNode: "voicemail",
    CallbackNode: "callback",
    SurveyNode: "survey",
    TransferNode: "transfer",
    HangupNode: "hangup",
    SubflowNode: "subflow",
    ReturnNode: "return",
}
"""The YAML ``kind`` of each node class."""
