"""Static configuration of the ACD: queues, agents and the caller-priority policy.

These are plain frozen dataclasses so that the engine stays independent of the
settings layer (``callcenter.settings`` builds them from TOML).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from acd.calendar import BusinessHours
from acd.stats import SlDefinition
from callcenter.domain.ids import AgentId, QueueName


class OverflowAction(StrEnum):
    """What happens to a call that has waited ``OverflowRule.after`` seconds."""

    WIDEN_SKILLS = "widen_skills"  # forget the call's and queue's skill requirements
    QUEUE = "queue"  # move to another queue, keeping its place by age and priority
    VOICEMAIL = "voicemail"  # leave the ACD for the voicemail box
    CALLBACK = "callback"  # propose a callback to the caller (OfferCallback action)
    TRANSFER = "transfer"  # leave the ACD for a dialplan destination or number


@dataclass(frozen=True, slots=True, kw_only=True)
class OverflowRule:
    """One escalation step, fired once per call after ``after`` seconds of waiting.

    ``destination`` is the queue name for ``QUEUE`` and the dialplan target for
    ``TRANSFER``; it is ignored otherwise.
    """

    after: float
    action: OverflowAction
    destination: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueConfig:
    """One queue: how it picks agents, times rings and wrap-up, and escalates.

    Attributes:
        strategy: a key of ``acd.strategies.STRATEGIES``.
        ring_timeout: seconds an agent rings before the offer counts as missed.
        wrap_up: after-call work seconds (an agent's own setting wins).
        max_no_answer: consecutive misses that pause an agent with "no-answer".
        service_level_seconds: the T of "answered within T".
        service_level_definition: which calls the service level counts
            (``acd.stats.SlDefinition``).
        short_abandon_seconds: abandons at or under this wait are short abandons.
        max_waiting: callers beyond this are turned away (``QueueFull``).
        join_when_empty: accept callers when no agent could ever serve them.
        leave_when_empty: withdraw waiting callers when the last agent goes.
        required_skills: minimum skill levels every call of the queue needs.
        tier_wait: penalty ``p`` agents are used only after ``p * tier_wait``
            seconds of waiting (FreeSWITCH tier rules with multiply-level);
            0 means all tiers at once, lowest penalty first.
        overflow: escalation steps by wait, each fired once.
        hours: opening hours; a caller joining while closed gets ``QueueClosed``.
        closed_destination: where ``QueueClosed`` tells the PBX to send them.
        aging_rate: priority points a caller gains per minute waited, so that
            nobody starves; 0 gives strict priority then FIFO.
        preferred_agent_wait: how long a call waits for its preferred agent.
        callback_attempts: originate attempts before a callback gives up.
        callback_retry_delay: seconds between failed callback attempts.
        weight: when a free agent serves several queues with callers waiting,
            the callers of the heaviest queue go first (Asterisk app_queue's
            ``weight``); equal weights compare the callers themselves. It never
            changes which agent a new caller gets.
    """

    name: QueueName
    strategy: str = "longest_idle"
    ring_timeout: float = 15.0
    wrap_up: float = 10.0
    max_no_answer: int = 3
    service_level_seconds: float = 20.0
    service_level_definition: SlDefinition = SlDefinition.DEFAULT
    short_abandon_seconds: float = 5.0
    max_waiting: int | None = None
    join_when_empty: bool = True
    leave_when_empty: bool = False
    required_skills: Mapping[str, int] = field(default_factory=dict)
    tier_wait: float = 0.0
    overflow: tuple[OverflowRule, ...] = ()
    hours: BusinessHours | None = None
    closed_destination: str = "voicemail"
    aging_rate: float = 1.0
    preferred_agent_wait: float = 30.0
    callback_attempts: int = 3
    callback_retry_delay: float = 300.0
    weight: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentConfig:
    """One agent: where to ring them, which queues (with penalty) and skills.

    Attributes:
        queues: queue name to penalty; lower penalties are tried first.
        skills: skill name to level (higher is better).
        wrap_up: overrides the queue's wrap-up when set.
    """

    agent_id: AgentId
    name: str
    endpoint: str
    queues: Mapping[QueueName, int]
    skills: Mapping[str, int] = field(default_factory=dict)
    wrap_up: float | None = None


def _default_tiers() -> Mapping[str, int]:
    return MappingProxyType({"vip": 30, "key": 20, "ordinary": 0})


@dataclass(frozen=True, slots=True, kw_only=True)
class PriorityPolicy:
    """How caller facts (from the CRM) become a base priority (higher first).

    The points add up: a VIP (30) with an open complaint (15) starts at 45. With the
    default aging of 1 point per minute, 30 points equal 30 minutes of waiting.
    """

    tier_priority: Mapping[str, int] = field(default_factory=_default_tiers)
    open_complaint: int = 15
    urgent_complaint: int = 40
    unknown_tier: int = 0
