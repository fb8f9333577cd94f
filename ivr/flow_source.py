"""Where new calls get their flows: a fixed set, or a registry that reloads."""

from collections.abc import Mapping
from typing import Protocol

from ivr.model import Flow


class FlowSource(Protocol):
    """Where new calls get their flows: ``ivr.registry.FlowRegistry`` or alike."""

    @property
    def flows(self) -> Mapping[str, Flow]:
        """The flows in use now (an immutable snapshot a call may keep)."""
        ...


class FixedFlows:
    """Flows that never change (tests, benchmarks, a center without reload)."""

    def __init__(self, flows: Mapping[str, Flow]) -> None:
        """Serve a copy of ``flows``."""
        self._flows = dict(flows)

    @property
    def flows(self) -> Mapping[str, Flow]:
        """The flows, always the same."""
        return self._flows
