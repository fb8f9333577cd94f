"""Live counts of the whole center, kept up to date from the bus.

A synchronous bus listener, so no event is missed or reordered; ``snapshot`` is what
the supervisor page and ``/api/stats`` show.
"""

from collections import Counter
from dataclasses import dataclass, field

from callcenter.domain import events as ev


@dataclass(slots=True)
class LiveCounters:
    """Counts calls by outcome, callers waiting and agents by state."""

    offered: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    waiting: set[str] = field(default_factory=set)
    agent_states: dict[str, str] = field(default_factory=dict)
    queue_stats: dict[str, dict[str, object]] = field(default_factory=dict)
    updated_at: float = 0.0
    version: int = 0

    def __call__(self, event: ev.DomainEvent) -> None:
        """Fold one event into the counts (a bus listener)."""
        match event:
            case ev.CallOffered():
                self.offered += 1
            case ev.CallQueued(call_id=call_id):
                self.waiting.add(call_id)
            case ev.AcdCallFinished(call_id=call_id) | ev.CallEnded(call_id=call_id):
                self.waiting.discard(call_id)
            case ev.CallCompleted(outcome=outcome, call_id=call_id):
                self.outcomes[outcome.value] += 1
                self.waiting.discard(call_id)
            case ev.AgentStateChanged(agent_id=agent, state=state):
                self.agent_states[agent] = state.value
            case ev.QueueStatsUpdated(queue=queue):
                self.queue_stats[queue] = {
                    "waiting": event.waiting,
                    "longest_wait": round(event.longest_wait, 1),
                    "offered": event.offered,
                    "answered": event.answered,
                    "abandoned": event.abandoned,
                    "service_level": event.service_level,
                    "agents_available": event.agents_available,
                }
            case _:
                return
        self.updated_at = event.at
        self.version += 1

    def snapshot(self) -> dict[str, object]:
        """Return the counts as a JSON-ready dict."""
        states = Counter(self.agent_states.values())
        return {
            "offered": self.offered,
            "answered": self.outcomes.get("answered", 0),
            "abandoned": self.outcomes.get("abandoned", 0),
            "completed": sum(self.outcomes.values()),
            "outcomes": dict(self.outcomes),
            "waiting": len(self.waiting),
            "agents": dict(states),
            "queues": self.queue_stats,
            "updated_at": self.updated_at,
            "version": self.version,
        }
