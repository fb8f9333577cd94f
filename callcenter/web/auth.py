"""Who is asking: supervisor log-in, sessions, CSRF tokens and API bearer tokens.

Passwords are stored as scrypt hashes (``hashlib.scrypt``, standard library; the
format is ``scrypt$n$r$p$salt$hash`` with base64 parts), so no extra package is
needed and the configuration never holds a password. A log-in creates a session: a
random 256-bit id in an ``HttpOnly``, ``SameSite=Strict`` cookie (``Secure`` unless
configured off) and a separate CSRF token the page must echo in ``X-CSRF-Token`` on
every state-changing request. API clients send ``Authorization: Bearer <token>``;
only the SHA-256 of a token is configured. Agents may look but never act.
"""

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

SESSION_COOKIE = "cc_session"
CSRF_HEADER = "X-CSRF-Token"
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


class Role(StrEnum):
    """What a person may do: supervisors act, agents only look."""

    SUPERVISOR = "supervisor"
    AGENT = "agent"


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """An authenticated caller of the web app or the API."""

    name: str
    role: Role
    via: str  # "session" or "token"
    csrf: str = ""


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """Return the scrypt hash string of ``password`` for the configuration file."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    parts = (base64.b64encode(salt).decode(), base64.b64encode(digest).decode())
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${parts[0]}${parts[1]}"


def verify_password(stored: str, password: str) -> bool:
    """Return whether ``password`` matches the ``stored`` scrypt hash (constant time).

    A malformed stored hash never matches (it is a configuration error, reported by
    ``check_hash``), and absurd cost parameters are refused rather than computed.
    """
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        cost, block, parallel = int(n), int(r), int(p)
        if scheme != "scrypt" or cost > 2**20 or block > 32 or parallel > 16:  # noqa: PLR2004
            return False
        digest = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=cost,
            r=block,
            p=parallel,
            dklen=len(base64.b64decode(expected)),
            maxmem=2**27,
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest, base64.b64decode(expected))


def token_digest(token: str) -> str:
    """Return the SHA-256 hex digest under which an API token is configured."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(slots=True)
class _Session:
    identity: Identity
    expires: float


@dataclass(slots=True)
class Authenticator:
    """Checks passwords and tokens and keeps the live sessions (in memory).

    Sessions do not survive a restart: supervisors log in again, which is what a
    restart of the wallboard server should mean anyway.
    """

    users: Mapping[str, tuple[str, Role]]  # name -> (scrypt hash, role)
    tokens: Mapping[str, tuple[str, Role]]  # sha256 hex -> (name, role)
    session_seconds: float = 8 * 3600.0
    clock: Callable[[], float] = time.monotonic
    _sessions: dict[str, _Session] = field(default_factory=dict)

    def log_in(self, name: str, password: str) -> tuple[str, Identity] | None:
        """Return a new session id and identity, or ``None`` for bad credentials."""
        entry = self.users.get(name)
        # Hash even for unknown users, so timing does not reveal who exists.
        stored = entry[0] if entry else _DUMMY_HASH
        if not verify_password(stored, password) or entry is None:
            return None
        identity = Identity(
            name=name, role=entry[1], via="session", csrf=secrets.token_urlsafe(32)
        )
        session_id = secrets.token_urlsafe(32)
        self._expire()
        self._sessions[session_id] = _Session(
            identity=identity, expires=self.clock() + self.session_seconds
        )
        return session_id, identity

    def log_out(self, session_id: str) -> None:
        """Forget a session."""
        self._sessions.pop(session_id, None)

    def session(self, session_id: str) -> Identity | None:
        """Return the identity of a live session."""
        found = self._sessions.get(session_id)
        if found is None or found.expires <= self.clock():
            self._sessions.pop(session_id, None)
            return None
        return found.identity

    def bearer(self, token: str) -> Identity | None:
        """Return the identity of an API token."""
        entry = self.tokens.get(token_digest(token))
        if entry is None:
            return None
        return Identity(name=entry[0], role=entry[1], via="token")

    def _expire(self) -> None:
        now = self.clock()
        for key in [k for k, s in self._sessions.items() if s.expires <= now]:
            del self._sessions[key]


_DUMMY_HASH = hash_password("not a password", salt=b"0123456789abcdef")
