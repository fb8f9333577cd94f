"""The MQTT topic scheme: pure functions from events and ids to topics.

Every topic starts with ``callcenter/v1/{site}``. Below it, one subtree per audience,
so that a broker ACL can give each client exactly its share (``docs/BUS.md``)::

    calls/{call_id}/events        every event naming the call
    agents/{agent_id}/events      events naming the agent (state, ScreenPopReady) and
                                  the events of the call the agent has (hang-up ...)
    agents/{agent_id}/commands    console -> server requests
    agents/{agent_id}/replies     server -> console answers (same request_id)
    queues/{queue}/events         events naming the queue
    queues/{queue}/stats          QueueStatsUpdated, retained
    supervisor/events/{Type}      every event exactly once (wallboards, ``bus tail``)
    system/status                 retained bridge status, "offline" as last will

An agent id, call id, queue or site is one topic level: the characters MQTT gives a
meaning to (``/``, ``+``, ``#``) are percent-encoded, as is ``%`` itself.
"""

from collections import OrderedDict
from dataclasses import dataclass
from typing import Final, NamedTuple, TypeVar
from urllib.parse import unquote

from callcenter.domain.events import (
    AgentLegEnded,
    AgentNoAnswer,
    AgentRinging,
    CallAnswered,
    CallCompleted,
    CallOfferedToAgent,
    DomainEvent,
    QueueStatsUpdated,
)
from callcenter.domain.ids import AgentId, CallId
from callcenter.domain.supervision import is_confidential
from callcenter.errors import CallCenterError

ROOT: Final = "callcenter/v1"
QOS_EVENT: Final = 0
"""Events are a live feed: a lost one is superseded by the next state change."""
QOS_STATE: Final = 1
"""Retained state (queue stats, status) must arrive: it is all a late joiner sees."""

K = TypeVar("K")
V = TypeVar("V")

_RESERVED = {"%": "%25", "/": "%2F", "+": "%2B", "#": "%23", "\x00": "%00"}


class TopicError(CallCenterError, ValueError):
    """A topic or topic level is not valid in this scheme."""


def level(value: str) -> str:
    """Return ``value`` as one topic level, percent-encoding MQTT's reserved signs.

    Raises:
        TopicError: ``value`` is empty.
    """
    if not value:
        raise TopicError("empty topic level")
    return "".join(_RESERVED.get(char, char) for char in value)


def unlevel(value: str) -> str:
    """Return the text a topic level encodes (inverse of ``level``)."""
    return unquote(value)


def site_root(site: str) -> str:
    """Return ``callcenter/v1/{site}``."""
    return f"{ROOT}/{level(site)}"


def call_events(site: str, call_id: str) -> str:
    """Return the topic of the events of one call."""
    return f"{site_root(site)}/calls/{level(call_id)}/events"


def agent_events(site: str, agent_id: str) -> str:
    """Return the topic an agent's console reads events from."""
    return f"{site_root(site)}/agents/{level(agent_id)}/events"


def agent_commands(site: str, agent_id: str) -> str:
    """Return the topic an agent's console sends commands to."""
    return f"{site_root(site)}/agents/{level(agent_id)}/commands"


def agent_replies(site: str, agent_id: str) -> str:
    """Return the topic an agent's console reads command replies from."""
    return f"{site_root(site)}/agents/{level(agent_id)}/replies"


def all_agent_commands(site: str) -> str:
    """Return the filter the server subscribes to for every agent's commands."""
    return f"{site_root(site)}/agents/+/commands"


def queue_events(site: str, queue: str) -> str:
    """Return the topic of the events naming one queue."""
    return f"{site_root(site)}/queues/{level(queue)}/events"


def queue_stats(site: str, queue: str) -> str:
    """Return the retained topic of one queue's live figures."""
    return f"{site_root(site)}/queues/{level(queue)}/stats"


def all_queue_stats(site: str) -> str:
    """Return the filter matching every queue's figures (what a console reads)."""
    return f"{site_root(site)}/queues/+/stats"


def supervisor_events(site: str, event_type: str = "+") -> str:
    """Return the full-feed topic of one event type (``+``: filter for all)."""
    suffix = event_type if event_type in {"+", "#"} else level(event_type)
    return f"{site_root(site)}/supervisor/events/{suffix}"


def system_status(site: str) -> str:
    """Return the retained status topic (``online`` / ``offline`` last will)."""
    return f"{site_root(site)}/system/status"


class AgentTopic(NamedTuple):
    """The parts of an ``agents/{agent_id}/{channel}`` topic."""

    site: str
    agent_id: AgentId
    channel: str


def parse_agent_topic(topic: str) -> AgentTopic | None:
    """Split an agent topic into site, agent id and channel; ``None`` otherwise."""
    parts = topic.split("/")
    if len(parts) != 6 or "/".join(parts[:2]) != ROOT or parts[3] != "agents":  # noqa: PLR2004 - callcenter/v1/site/agents/id/channel
        return None
    return AgentTopic(unlevel(parts[2]), AgentId(unlevel(parts[4])), parts[5])


@dataclass(frozen=True, slots=True, kw_only=True)
class Route:
    """Where to publish one event, and how."""

    topic: str
    qos: int = QOS_EVENT
    retain: bool = False


def routes_for(
    event: DomainEvent, *, site: str, extra_agents: tuple[AgentId, ...] = ()
) -> tuple[Route, ...]:
    """Return every topic an event goes to, judged by the fields it carries.

    Args:
        event: The event to route.
        site: The site level of the topics.
        extra_agents: Agents who should also see it though it does not name them
            (the agent handling the call; see ``CallAgents``).

    Returns:
        The routes, the supervisor feed first; never two with the same topic. A
        confidential event (a supervisor monitoring a call) goes to the supervisor
        feed only: never to the agent's (or the call's) topics.
    """
    routes = [Route(topic=supervisor_events(site, type(event).__name__))]
    if is_confidential(event):
        return tuple(routes)
    if isinstance(event, QueueStatsUpdated):
        routes.append(
            Route(topic=queue_stats(site, event.queue), qos=QOS_STATE, retain=True)
        )
    call_id: object = getattr(event, "call_id", None)
    if isinstance(call_id, str):
        routes.append(Route(topic=call_events(site, call_id)))
    agents: list[str] = []
    agent_id: object = getattr(event, "agent_id", None)
    if isinstance(agent_id, str):
        agents.append(agent_id)
    agents.extend(agent for agent in extra_agents if agent not in agents)
    routes.extend(Route(topic=agent_events(site, agent)) for agent in agents)
    queue: object = getattr(event, "queue", None)
    if isinstance(queue, str) and not isinstance(event, QueueStatsUpdated):
        routes.append(Route(topic=queue_events(site, queue)))
    return tuple(routes)


_ASSIGNING = (CallOfferedToAgent, AgentRinging, CallAnswered)
_RELEASING = (AgentNoAnswer, AgentLegEnded, CallCompleted)


class CallAgents:
    """Which agent handles which call, so that the agent sees the whole call.

    Events such as ``CallEnded`` (the caller hung up) or ``CustomerIdentified`` name
    a call but no agent; this tracker says which agent currently has that call, so
    the bridge can copy them to the agent's topic. Sans-IO and bounded.
    """

    def __init__(self, *, max_calls: int = 10_000) -> None:
        """Track at most ``max_calls`` calls, forgetting the oldest beyond."""
        self._max_calls = max_calls
        self._agent: OrderedDict[CallId, AgentId] = OrderedDict()

    def observe(self, event: DomainEvent) -> tuple[AgentId, ...]:
        """Record an event; return the agents that had its call before it."""
        call_id: object = getattr(event, "call_id", None)
        if not isinstance(call_id, str):
            return ()
        call = CallId(call_id)
        current = self._agent.get(call)
        if isinstance(event, _ASSIGNING) and current != event.agent_id:
            _put(self._agent, call, event.agent_id, self._max_calls)
        elif isinstance(event, _RELEASING):
            self._agent.pop(call, None)
        return (current,) if current is not None else ()

    def __len__(self) -> int:
        return len(self._agent)


def _put(mapping: OrderedDict[K, V], key: K, value: V, limit: int) -> None:
    mapping[key] = value
    mapping.move_to_end(key)
    while len(mapping) > limit:
        mapping.popitem(last=False)
