"""Identifiers shared by every part of the call center.

A ``CallId`` correlates every leg of one call (on Asterisk it is the ``Linkedid``);
a ``LegId`` names one channel (Asterisk ``Uniqueid``).
"""

from typing import NewType

CallId = NewType("CallId", str)
LegId = NewType("LegId", str)
AgentId = NewType("AgentId", str)
QueueName = NewType("QueueName", str)
CustomerId = NewType("CustomerId", str)
