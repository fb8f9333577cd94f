"""Link to an external CRM (a hotel PMS, an agency back office) over HTTP/JSON.

``ExternalLookup`` is the port; ``HttpExternalCrm`` the aiohttp adapter. It sends
``GET <url>?number=<E.164>`` and expects ``404`` (unknown) or ``200`` with a JSON
object ``{"id": str, "name"?: str, "email"?: str, "tier"?: "vip"|"key"|"ordinary",
"attributes"?: {str: scalar}}``. Each attempt has a timeout, failures are retried
with a short backoff, and a circuit breaker stops asking a dead system. Any failure,
including a garbage answer, surfaces as ``ExternalCrmError``.

The screen pop never waits on it for more than its budget: ``merge_when_ready``
returns the local record with ``external_status="unavailable"`` when the answer is
late or failed, and merges it otherwise (local fields win; the external record
fills what the local one lacks and is attached whole).
"""

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

import aiohttp

from crm_link.breaker import CircuitBreaker
from crm_link.dto import CustomerCard, ExternalRecord, ExternalStatus, ScreenPop
from crm_link.enums import Tier
from crm_link.errors import ExternalCrmError

_LOG = logging.getLogger(__name__)
_NOT_FOUND = 404
_SERVER_ERROR = 500


class ExternalLookup(Protocol):
    """What the screen pop asks of an external CRM."""

    async def lookup(self, e164: str) -> ExternalRecord | None:
        """Return what the external CRM knows of ``e164`` (``None``: nothing).

        Raises:
            ExternalCrmError: the external CRM is down, slow, or answered garbage.
        """
        ...


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ExternalAnswer:
    """The outcome of one external lookup."""

    status: ExternalStatus
    record: ExternalRecord | None = None


async def ask(lookup: ExternalLookup, e164: str) -> ExternalAnswer:
    """Ask ``lookup`` and fold every failure into ``unavailable``."""
    try:
        record = await lookup.lookup(e164)
    except ExternalCrmError:
        return ExternalAnswer(status=ExternalStatus.UNAVAILABLE)
    if record is None:
        return ExternalAnswer(status=ExternalStatus.NOT_FOUND)
    return ExternalAnswer(status=ExternalStatus.OK, record=record)


async def merge_when_ready(
    pop: ScreenPop, pending: "asyncio.Task[ExternalAnswer]", budget: float
) -> ScreenPop:
    """Merge the external answer if it comes within ``budget`` seconds."""
    done, _ = await asyncio.wait({pending}, timeout=budget)
    if not done:
        pending.cancel()
        return dataclasses.replace(pop, external_status=ExternalStatus.UNAVAILABLE)
    answer = pending.result()
    if answer.record is None or len(pop.matches) != 1:
        return dataclasses.replace(
            pop, external_status=answer.status, external=answer.record
        )
    card = _fill(pop.matches[0], answer.record)
    return dataclasses.replace(
        pop, matches=(card,), external_status=answer.status, external=answer.record
    )


def _fill(card: CustomerCard, record: ExternalRecord) -> CustomerCard:
    return dataclasses.replace(
        card,
        email=card.email or record.email,
        name=card.name or record.name,
    )


class HttpExternalCrm:
    """``ExternalLookup`` over HTTP/JSON with timeout, retry and circuit breaker."""

    def __init__(
        self,
        *,
        url: str,
        timeout: float = 0.25,
        retries: int = 1,
        backoff: float = 0.05,
        breaker: CircuitBreaker | None = None,
        headers: dict[str, str] | None = None,
        source: str = "external",
        monotonic: Callable[[], float] = time.monotonic,
        logger: logging.Logger | None = None,
    ) -> None:
        """Configure the endpoint; the HTTP session is opened on first use."""
        self._url = url
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retries = retries
        self._backoff = backoff
        self._breaker = breaker or CircuitBreaker()
        self._headers = headers or {}
        self._source = source
        self._monotonic = monotonic
        self._log = logger or _LOG
        self._session: aiohttp.ClientSession | None = None

    async def aclose(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def lookup(self, e164: str) -> ExternalRecord | None:
        """Ask the external CRM about ``e164`` (see the module docstring)."""
        if not self._breaker.allow(self._monotonic()):
            raise ExternalCrmError("external CRM circuit is open")
        try:
            record = await self._with_retries(e164)
        except ExternalCrmError:
            self._breaker.record_failure(self._monotonic())
            raise
        self._breaker.record_success()
        return record

    async def _with_retries(self, e164: str) -> ExternalRecord | None:
        attempt = 0
        while True:
            try:
                return await self._once(e164)
            except (TimeoutError, aiohttp.ClientError, _RetryableError) as exc:
                if attempt >= self._retries:
                    msg = f"external CRM failed after {attempt + 1} attempts: {exc!r}"
                    raise ExternalCrmError(msg) from exc
                self._log.debug("external CRM attempt %d failed: %r", attempt + 1, exc)
            attempt += 1
            await asyncio.sleep(self._backoff * attempt)

    async def _once(self, e164: str) -> ExternalRecord | None:
        if self._session is None:
            self._session = aiohttp.ClientSession(headers=self._headers)
        async with self._session.get(
            self._url, params={"number": e164}, timeout=self._timeout
        ) as response:
            if response.status == _NOT_FOUND:
                return None
            if response.status >= _SERVER_ERROR:
                raise _RetryableError(f"HTTP {response.status}")
            if response.status != 200:  # noqa: PLR2004
                msg = f"external CRM answered HTTP {response.status}"
                raise ExternalCrmError(msg)
            try:
                body = await response.json(content_type=None)
            except ValueError as exc:
                raise ExternalCrmError("external CRM answered non-JSON") from exc
        return parse_record(body, source=self._source)


class _RetryableError(Exception):
    """A server-side failure worth one more try."""


def parse_record(body: Any, *, source: str) -> ExternalRecord:
    """Validate a JSON answer into an ``ExternalRecord``.

    Raises:
        ExternalCrmError: the answer is not an object of the documented shape.
    """
    if not isinstance(body, dict) or not isinstance(body.get("id"), str | int):
        raise ExternalCrmError("external CRM answer has no 'id'")
    texts = {key: body.get(key, "") for key in ("name", "email")}
    if not all(isinstance(value, str) for value in texts.values()):
        raise ExternalCrmError("external CRM answer has non-text name or email")
    tier = body.get("tier")
    if tier is not None and tier not in {t.value for t in Tier}:
        raise ExternalCrmError(f"external CRM answer has unknown tier {tier!r}")
    attributes = body.get("attributes", {})
    if not isinstance(attributes, dict):
        raise ExternalCrmError("external CRM 'attributes' is not an object")
    return ExternalRecord(
        source=source,
        external_id=str(body["id"]),
        name=str(texts["name"]),
        email=str(texts["email"]),
        tier=Tier(tier) if tier is not None else None,
        attributes=tuple(sorted((str(k), str(v)) for k, v in attributes.items())),
    )
