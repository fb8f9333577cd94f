"""Errors the ACD raises when it is driven wrongly (never for stale PBX events).

Stale or duplicate PBX events (an ``AgentNoAnswer`` for an offer already cancelled,
a ``CallEnded`` for a call the ACD no longer holds) are ignored, because the PBX and
the engine race by nature. Commands that name unknown things or ask for an
impossible agent transition raise, so the caller learns about its own bug. The
``code`` strings are stable: they cross the MQTT and HTTP boundaries.
"""

from callcenter.errors import CallCenterError


class AcdError(CallCenterError):
    """Base of every ACD error."""

    code = "acd-error"


class UnknownQueueError(AcdError):
    """A command named a queue the engine was not configured with."""

    code = "unknown-queue"


class UnknownAgentError(AcdError):
    """A command named an agent the engine was not configured with."""

    code = "unknown-agent"


class DuplicateCallError(AcdError):
    """A call was enqueued while the ACD still holds it."""

    code = "duplicate-call"


class IllegalTransitionError(AcdError):
    """An agent command is not allowed in the agent's current state."""

    code = "illegal-transition"
