"""Inputs an IVR session accepts besides the PBX's domain events.

The orchestrator answers the session's requests with these: ``CustomerFound``
answers ``LookupCustomer``, ``QueueStatus`` answers ``QueryQueueStatus`` (at once,
in the same turn), ``Requeued`` says an agent transferred the caller to a queue,
and ``Tick`` tells the session that ``next_deadline()`` passed.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from callcenter.domain.events import (
    AgentLegEnded,
    AgentNoAnswer,
    AgentRinging,
    CallEnded,
    DigitsCollected,
    HoldInterrupted,
    PromptFinished,
)
from callcenter.domain.ids import AgentId

Fact = str | int | bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerFound:
    """The CRM's answer to a lookup (``facts`` empty when the caller is unknown).

    Keys the flows use: ``customer_id``, ``name``, ``tier`` (vip/key/ordinary),
    ``open_complaint``, ``urgent_complaint``, ``language``, ``account_manager`` and
    ``known``. Every fact becomes a session variable.
    """

    facts: Mapping[str, Fact] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueStatus:
    """The ACD's figures for the caller right now (answer to a position query).

    ``position`` is 1 for the next caller served; ``open`` is false when the queue
    is closed or full, which sends the caller to the enqueue node's ``on_closed``.
    """

    position: int | None
    ewt_seconds: float | None
    open: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Requeued:
    """The agent passed the caller on (a transfer): the ACD queued the call again.

    ``from_agent``'s leg is over: its end is no longer the end of the talk.
    ``ringing``: the ACD rings the next agent already, so nothing is to play.
    """

    from_agent: AgentId
    ringing: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Tick:
    """The deadline the session asked for (``next_deadline()``) has passed."""


IvrInput = (
    PromptFinished
    | DigitsCollected
    | HoldInterrupted
    | CallEnded
    | AgentRinging
    | AgentNoAnswer
    | AgentLegEnded
    | CustomerFound
    | QueueStatus
    | Requeued
    | Tick
)
"""Everything ``IvrSession.handle`` accepts."""
