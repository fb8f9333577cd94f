"""A simulated caller's leg: where the caller is, and what they will do.

Shared by the two halves of the simulated PBX: ``simulated`` moves a leg between
the IVR, the queue, an agent and hanging up; ``sim_media`` plays to it, collects its
digits and holds it. Neither owns the other, so the record lives here.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from callcenter.domain.ids import AgentId, CallId
from callcenter.pbx.traffic import CallerProfile


class LegState(StrEnum):
    """Where a simulated caller is."""

    IVR = "ivr"
    HOLDING = "holding"
    RINGING = "ringing"
    TALKING = "talking"
    AFTER_AGENT = "after_agent"
    GONE = "gone"


@dataclass(slots=True)
class SimCall:
    """One simulated caller's leg."""

    call_id: CallId
    profile: CallerProfile
    state: LegState = LegState.IVR
    agent: AgentId | None = None
    patience_started: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    held: bool = False
    scripted_digits: list[str] = field(default_factory=list)
