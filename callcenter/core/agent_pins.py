"""Agents' PINs: the check every login passes in the core, whatever the transport.

Theory of operation. ``AgentPins.check(agent, given, now)`` lets a login through or
raises ``LoginRefusedError`` with a stable code:

* an agent without a configured PIN logs in without one (``given`` is ignored);
* ``pin_required``: the login carried no PIN at all. It is not a guess, so it does
  not count: a console that logs in on every reconnect cannot lock its agent out;
* ``bad_pin``: the PIN is wrong. PINs are compared in constant time
  (``hmac.compare_digest``), so the reply time tells nothing about the digits;
* ``locked``: the ``MAX_WRONG_PINS``-th wrong PIN in a row locks that agent's login
  for ``LOCKOUT_SECONDS``; until then every login is refused without looking at
  the PIN, the right one included (so guessing cannot go on), and refusals do not
  extend the lock. When the lock ends the count starts again from zero.

A right PIN resets the agent's count. Counts are per agent and kept in memory only
(a restart forgets them). Sans-IO: the time comes in as ``now``, no clock is read.
"""

import hmac
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from callcenter.domain.ids import AgentId
from callcenter.errors import CallCenterError

MAX_WRONG_PINS: Final = 5
"""Wrong PINs in a row that lock an agent's login."""

LOCKOUT_SECONDS: Final = 60.0
"""How long a locked login stays refused, counted from the last wrong PIN."""


class LoginRefusedError(CallCenterError):
    """A login refused before it reaches the ACD; ``code`` is the stable reply code."""

    def __init__(self, code: str, message: str) -> None:
        """Refuse with ``code`` (``pin_required``, ``bad_pin``, ``locked``)."""
        super().__init__(message)
        self.code = code


@dataclass(slots=True)
class _Attempts:
    wrong: int = 0
    locked_until: float | None = None


class AgentPins:
    """Checks agents' PINs and locks a login after repeated wrong ones."""

    def __init__(
        self,
        pins: Mapping[AgentId, str],
        *,
        max_wrong: int = MAX_WRONG_PINS,
        lockout_seconds: float = LOCKOUT_SECONDS,
    ) -> None:
        """Guard the logins of the agents in ``pins`` (agent -> PIN)."""
        self._pins = {agent: pin.encode() for agent, pin in pins.items()}
        self._max_wrong = max_wrong
        self._lockout = lockout_seconds
        self._attempts: dict[AgentId, _Attempts] = {}

    def check(self, agent: AgentId, given: str | None, now: float) -> None:
        """Let ``agent``'s login with PIN ``given`` at ``now`` through, or refuse it.

        Raises:
            LoginRefusedError: with code ``locked``, ``pin_required`` or ``bad_pin``.
        """
        pin = self._pins.get(agent)
        if pin is None:
            return
        attempts = self._attempts.setdefault(agent, _Attempts())
        if attempts.locked_until is not None:
            if now < attempts.locked_until:
                wait = math.ceil(attempts.locked_until - now)
                msg = f"too many wrong PINs: login locked, try again in {wait} s"
                raise LoginRefusedError("locked", msg)
            attempts.wrong, attempts.locked_until = 0, None
        if given is None:
            raise LoginRefusedError("pin_required", "this agent logs in with a PIN")
        if hmac.compare_digest(given.encode(), pin):
            attempts.wrong = 0
            return
        attempts.wrong += 1
        if attempts.wrong >= self._max_wrong:
            attempts.locked_until = now + self._lockout
            msg = (
                f"wrong PIN {attempts.wrong} times in a row: "
                f"login locked for {self._lockout:g} s"
            )
            raise LoginRefusedError("locked", msg)
        raise LoginRefusedError("bad_pin", "wrong PIN")
