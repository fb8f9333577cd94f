"""The ``agi_`` variables Asterisk sends when an AGI session starts.

Asterisk writes ``agi_name: value`` lines and one empty line. FastAGI adds
``agi_network: yes`` and ``agi_network_script`` (the path after ``host:port/`` in
``AGI(agi://host:port/ivr/main?lang=fr,arg1,arg2)``); dialplan arguments arrive as
``agi_arg_1`` ... ``agi_arg_N``. AsyncAGI sends the same block URL-encoded in the
``Env`` header of ``AsyncAGIStart``.
"""

from dataclasses import dataclass
from typing import Self
from urllib.parse import parse_qsl, unquote, urlsplit

Variables = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AgiEnvironment:
    """The session's ``agi_`` variables, verbatim and in order, with typed accessors."""

    variables: Variables

    @classmethod
    def from_lines(cls, lines: list[str]) -> Self:
        """Build from ``agi_name: value`` lines (without the closing empty line)."""
        pairs: list[tuple[str, str]] = []
        for line in lines:
            key, _, value = line.partition(":")
            pairs.append((key.strip(), value.removeprefix(" ")))
        return cls(variables=tuple(pairs))

    @classmethod
    def from_async_agi(cls, env: str) -> Self:
        """Build from the URL-encoded ``Env`` header of an ``AsyncAGIStart`` event."""
        lines = [line for line in unquote(env).split("\n") if line.strip()]
        return cls.from_lines(lines)

    def get(self, name: str, default: str = "") -> str:
        """Return ``agi_<name>`` (``name`` given with or without the prefix)."""
        key = name if name.startswith("agi_") else f"agi_{name}"
        for k, v in self.variables:
            if k == key:
                return v
        return default

    @property
    def args(self) -> tuple[str, ...]:
        """Return the dialplan arguments ``agi_arg_1`` ... in numeric order."""
        numbered: list[tuple[int, str]] = []
        for key, value in self.variables:
            suffix = key.removeprefix("agi_arg_")
            if suffix != key and suffix.isdigit():
                numbered.append((int(suffix), value))
        return tuple(value for _, value in sorted(numbered))

    @property
    def network_script(self) -> str:
        """Return ``agi_network_script`` (``ivr/main?lang=fr``); ``""`` off FastAGI."""
        return self.get("network_script")

    @property
    def route(self) -> str:
        """Return the script name to dispatch on, without query string or slashes.

        FastAGI: the path of ``agi_network_script``. Process AGI: the file name of
        ``agi_request`` (the script Asterisk started).
        """
        script = self.network_script
        if script or self.get("network") == "yes":
            return urlsplit(script).path.strip("/")
        request = self.request
        return urlsplit(request).path.rstrip("/").rpartition("/")[2]

    @property
    def query(self) -> tuple[tuple[str, str], ...]:
        """Return the ``?key=value`` parameters of the request URI, in order."""
        return tuple(parse_qsl(urlsplit(self.network_script).query))

    @property
    def request(self) -> str:
        """Return ``agi_request`` (the full ``agi://...`` URI, or the script path)."""
        return self.get("request")

    @property
    def channel(self) -> str:
        """Return the channel name, e.g. ``PJSIP/1001-00000003``."""
        return self.get("channel")

    @property
    def uniqueid(self) -> str:
        """Return the channel's ``Uniqueid`` (the AMI key of the channel)."""
        return self.get("uniqueid")

    @property
    def callerid(self) -> str:
        """Return the caller's number (``unknown`` when withheld)."""
        return self.get("callerid")

    @property
    def calleridname(self) -> str:
        """Return the caller's name."""
        return self.get("calleridname")

    @property
    def context(self) -> str:
        """Return the dialplan context the AGI was started from."""
        return self.get("context")

    @property
    def extension(self) -> str:
        """Return the dialplan extension the AGI was started from."""
        return self.get("extension")

    @property
    def priority(self) -> str:
        """Return the dialplan priority (a number or a label)."""
        return self.get("priority")

    @property
    def language(self) -> str:
        """Return the channel language used for prompts."""
        return self.get("language", "en")

    @property
    def dnid(self) -> str:
        """Return the dialed number (``unknown`` when not known)."""
        return self.get("dnid")

    @property
    def version(self) -> str:
        """Return the Asterisk version."""
        return self.get("version")
