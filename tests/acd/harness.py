"""A driver for engine tests: a virtual clock, recorded outputs, PBX shortcuts."""

from collections.abc import Sequence
from typing import Any, TypeVar

from acd.actions import AcdOutput
from acd.config import AgentConfig, PriorityPolicy, QueueConfig
from acd.engine import AcdEngine
from acd.inputs import AcdInput, CallerFacts, EnqueueCall, LogIn, Tick
from callcenter.domain.commands import ConnectToAgent
from callcenter.domain.events import (
    AgentNoAnswer,
    CallAnswered,
    CallEnded,
    Party,
)
from callcenter.domain.ids import AgentId, CallId, QueueName

T = TypeVar("T")

START = 1_767_600_000.0  # Monday 2026-01-05 08:00 UTC
SALES = QueueName("sales")


def queue(name: str = "sales", **options: Any) -> QueueConfig:
    return QueueConfig(name=QueueName(name), **options)


def agent(
    agent_id: str, queues: dict[str, int] | None = None, **options: Any
) -> AgentConfig:
    return AgentConfig(
        agent_id=AgentId(agent_id),
        name=agent_id.title(),
        endpoint=f"sim/{agent_id}",
        queues={QueueName(q): p for q, p in (queues or {"sales": 0}).items()},
        **options,
    )


class Harness:
    """Engine + clock + log of every output."""

    def __init__(
        self,
        queues: Sequence[QueueConfig],
        agents: Sequence[AgentConfig],
        *,
        policy: PriorityPolicy | None = None,
        login: bool = True,
        seed: int = 0,
    ) -> None:
        self.engine = (
            AcdEngine(queues, agents, seed=seed)
            if policy is None
            else AcdEngine(queues, agents, seed=seed, policy=policy)
        )
        self.now = START
        self.log: list[AcdOutput] = []
        if login:
            for config in agents:
                self.do(LogIn(agent_id=config.agent_id))

    def do(self, inp: AcdInput) -> list[AcdOutput]:
        out = self.engine.handle(inp, self.now)
        self.log.extend(out)
        return out

    def advance(self, seconds: float) -> list[AcdOutput]:
        """Move the clock, firing timers on the way like a runtime would."""
        target = self.now + seconds
        out: list[AcdOutput] = []
        while (
            deadline := self.engine.next_deadline()
        ) is not None and deadline <= target:
            self.now = max(self.now, deadline)
            out.extend(self.do(Tick()))
        self.now = target
        return out

    def enqueue(
        self,
        call_id: str,
        queue_name: str = "sales",
        *,
        skills: dict[str, int] | None = None,
        **facts: Any,
    ) -> list[AcdOutput]:
        return self.do(
            EnqueueCall(
                call_id=CallId(call_id),
                queue=QueueName(queue_name),
                caller=CallerFacts(**facts),
                required_skills=skills or {},
            )
        )

    def ringing_agent(self, call_id: str) -> AgentId | None:
        """The agent last asked to ring for the call, if still ringing."""
        for out in reversed(self.log):
            if isinstance(out, ConnectToAgent) and out.call_id == call_id:
                state = self.engine.agent_state(out.agent_id)
                return out.agent_id if state == "ringing" else None
        return None

    def answer(self, call_id: str) -> list[AcdOutput]:
        agent_id = self.ringing_agent(call_id)
        assert agent_id is not None, f"{call_id} rings nobody"
        return self.do(
            CallAnswered(at=self.now, call_id=CallId(call_id), agent_id=agent_id)
        )

    def miss(self, call_id: str) -> list[AcdOutput]:
        agent_id = self.ringing_agent(call_id)
        assert agent_id is not None, f"{call_id} rings nobody"
        return self.do(
            AgentNoAnswer(at=self.now, call_id=CallId(call_id), agent_id=agent_id)
        )

    def hang_up(self, call_id: str, by: Party = Party.CALLER) -> list[AcdOutput]:
        return self.do(CallEnded(at=self.now, call_id=CallId(call_id), by=by))

    def of_type(self, kind: type[T]) -> list[T]:
        return [o for o in self.log if isinstance(o, kind)]
