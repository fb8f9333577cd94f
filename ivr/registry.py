"""The set of flows a running server uses, reloadable without dropping calls.

``reload`` loads a whole directory and swaps it in only when every flow
validates, so a typo in one file never takes the IVR down: the old flows stay in
use and the problems are returned. Sessions already running keep the (immutable)
``Flow`` they started with.
"""

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from ivr.errors import IvrError, Problem
from ivr.loader import check_flows
from ivr.model import Flow


class FlowRegistry:
    """Flows by name, swapped atomically on a successful reload."""

    def __init__(
        self,
        flows: Mapping[str, Flow] | None = None,
        *,
        prompts_dir: Path | None = None,
    ) -> None:
        """Start with ``flows`` (often from ``load_flows``) or none."""
        self._flows: Mapping[str, Flow] = MappingProxyType(dict(flows or {}))
        self._prompts_dir = prompts_dir
        self.generation = 0

    @property
    def flows(self) -> Mapping[str, Flow]:
        """The current flows (an immutable snapshot: safe to keep per call)."""
        return self._flows

    def get(self, name: str) -> Flow:
        """Return the flow called ``name``.

        Raises:
            IvrError: when there is no such flow.
        """
        try:
            return self._flows[name]
        except KeyError:
            known = ", ".join(sorted(self._flows)) or "none"
            msg = f"no IVR flow {name!r} (known: {known})"
            raise IvrError(msg) from None

    def reload(self, directory: Path, *, required: Iterable[str] = ()) -> list[Problem]:
        """Load ``directory``; swap it in when clean, else keep the old flows.

        Args:
            directory: the flows folder.
            required: flows that must be there (the one answering calls): a
                folder without one of them is refused like an invalid file.

        Returns:
            Every problem found; empty when the new flows are now in use.
        """
        flows, problems = check_flows(directory, prompts_dir=self._prompts_dir)
        if not problems and not flows:
            problems = [Problem(file=directory, line=1, message="no flow files found")]
        problems += [
            Problem(file=directory / f"{name}.yaml", line=1, message="flow missing")
            for name in required
            if flows and name not in flows and not problems
        ]
        if problems:
            return problems
        self._flows = MappingProxyType(flows)
        self.generation += 1
        return []
