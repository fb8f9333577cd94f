"""``CrmService``: the one door the runtime, the IVR and the console use.

It owns transactions and turns rows into DTOs. This module wires the service (engine,
session factory, screen-pop reader, call-path writer, overdue watcher; ``aclose``)
and answers who is calling: the screen pop, merged with the external CRM when one is
linked, and a new customer for an unknown caller. Its two other parts are mixed in
so that callers see one flat API: ``call_records`` (call-path writes, which never
raise for a database problem but wait in the outbox) and ``complaint_desk``
(complaint operations, which are interactive and do raise, so the agent sees it).
"""

import asyncio
import functools
import logging
from pathlib import Path
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from callcenter.domain.ids import CustomerId
from crm_link import external as ext
from crm_link import facts, phones, workflow, writes
from crm_link.accounts import account_digits, assign_account_number
from crm_link.bookings import NewBooking, insert_booking, reference_digits
from crm_link.call_records import CallRecords
from crm_link.complaint_desk import ComplaintDesk
from crm_link.config import CrmConfig
from crm_link.customers import CustomerRepository, customer_key
from crm_link.db import make_engine, make_session_factory
from crm_link.dto import BookingSummary, CustomerRef, IdentifiedBy, ScreenPop
from crm_link.errors import NotFoundError
from crm_link.outbox import Outbox
from crm_link.reader import bound_engine, make_reader
from crm_link.screen_pop import screen_pop as _screen_pop
from crm_link.screen_pop import unknown_caller

_LOG = logging.getLogger(__name__)
_KEYED = frozenset({IdentifiedBy.BOOKING, IdentifiedBy.ACCOUNT})
"""Ways of finding the caller by what they keyed rather than by their number."""


class CrmService(CallRecords, ComplaintDesk):
    """Facade over the CRM database for the rest of the call center."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        config: CrmConfig | None = None,
        rules: facts.FactRules | None = None,
        outbox: Outbox | None = None,
        external: ext.ExternalLookup | None = None,
        external_budget: float = 0.3,
        write_timeout: float = 2.0,
        engine: AsyncEngine | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        """Wire the service; ``engine`` is disposed by ``aclose`` when given."""
        self._sessions = sessions
        self._config = config or CrmConfig()
        self._rules = rules or facts.FactRules(
            recent_complaint_days=self._config.recent_complaint_days
        )
        self._external = external
        self._external_budget = external_budget
        self._engine = engine
        self._reader = make_reader(engine or bound_engine(sessions))
        self._log = logger or _LOG
        self._watcher = workflow.OverdueWatcher()
        self._writer = writes.CallPathWriter(
            sessions, outbox=outbox, timeout=write_timeout, logger=self._log
        )

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        outbox_path: Path | None = None,
        config: CrmConfig | None = None,
        external: ext.ExternalLookup | None = None,
        logger: logging.Logger | None = None,
    ) -> Self:
        """Build a service with its own engine (``aclose`` disposes it)."""
        engine = make_engine(url)
        return cls(
            make_session_factory(engine),
            config=config,
            outbox=Outbox(outbox_path, logger=logger) if outbox_path else None,
            external=external,
            engine=engine,
            logger=logger,
        )

    async def aclose(self) -> None:
        """Release the screen-pop reader, and the engine this service was given."""
        await self._reader.aclose()
        if self._engine is not None:
            await self._engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    @property
    def config(self) -> CrmConfig:
        """Return the CRM rules in force."""
        return self._config

    # --- screen pop -----------------------------------------------------------------

    async def screen_pop(
        self,
        number: str,
        now: float,
        *,
        reference: str | None = None,
        account: str | None = None,
    ) -> ScreenPop:
        """Return the screen-pop record of a caller id; never raises for the number.

        Unknown, withheld or unusable numbers give ``status="unknown"``; a number
        shared by several customers gives ``status="ambiguous"`` with all of them.
        With ``reference`` (a booking reference the caller keyed, in any format:
        only its digits count) the customer of that booking is the match, whatever
        the number; with ``account`` (an account number the caller keyed) the
        customer holding that account number. When nobody has the digits the number
        decides as usual. The external CRM, when linked, is asked about the number
        in parallel and merged if it answers within ``external_budget`` seconds;
        otherwise ``external_status`` says ``unavailable`` and the local record is
        returned at once. A caller found by booking or account is not merged with
        what the external CRM knows of the number: the call is about that customer.

        Raises:
            ValueError: both ``reference`` and ``account`` were given.
        """
        e164 = phones.try_normalize(number, region=self._config.default_region)
        digits, holder = _keyed(reference, account)
        if e164 is None and digits is None and holder is None:
            return unknown_caller(number, None, now)
        lookup = self._start_external(e164)
        pop = await self._reader.run(functools.partial(
            _screen_pop, number=number, e164=e164, now=now, config=self._config,
            rules=self._rules, reference=digits, account=holder,
        ))  # fmt: skip
        if lookup is None:
            return pop
        if pop.identified_by in _KEYED:
            lookup.cancel()
            return pop
        return await ext.merge_when_ready(pop, lookup, self._external_budget)

    def _start_external(
        self, e164: str | None
    ) -> "asyncio.Task[ext.ExternalAnswer] | None":
        if self._external is None or e164 is None:
            return None
        return asyncio.create_task(ext.ask(self._external, e164))

    # --- customers -----------------------------------------------------------------

    async def create_customer_from_number(
        self,
        number: str,
        now: float,
        *,
        name: str = "",
        language: str | None = None,
        reuse_existing: bool = True,
    ) -> CustomerRef:
        """Create a customer for an unknown caller (or return the existing owner).

        Raises:
            InvalidPhoneNumberError: ``number`` cannot be read as a phone number.
        """
        e164 = phones.normalize(number, region=self._config.default_region)
        async with self._sessions() as session, session.begin():
            repo = CustomerRepository(session)
            existing = await repo.by_number(e164) if reuse_existing else ()
            if existing:
                row, created = existing[0], False
            else:
                row = await repo.create(
                    name=name or f"Caller {e164}",
                    e164=e164,
                    language=language or _language_for(self._config.default_region),
                    now=now,
                )
                created = True
        return CustomerRef(
            customer_id=CustomerId(str(row.id)), name=row.name, e164=e164,
            created=created,
        )  # fmt: skip

    async def add_booking(self, booking: NewBooking, now: float) -> BookingSummary:
        """Store a booking of a customer, found from then on by its reference.

        Raises:
            NotFoundError: the customer does not exist.
            InvalidBookingError: the reference has no digits, or another booking
                has the same digits (see ``crm_link.bookings``).
        """
        key = customer_key(booking.customer_id)
        if key is None:
            msg = f"no customer with id {booking.customer_id}"
            raise NotFoundError(msg)
        async with self._sessions() as session, session.begin():
            await CustomerRepository(session).get(key)
            return await insert_booking(session, booking, customer_key=key, now=now)

    async def set_account_number(
        self, customer_id: CustomerId, account_number: str | None
    ) -> str | None:
        """Give a customer (a key account) the account number they key, or none.

        Returns the digits stored (``"7992 7398-713"`` is stored as
        ``79927398713``), None when the number was taken away.

        Raises:
            NotFoundError: the customer does not exist.
            InvalidAccountNumberError: not digits, or another customer's number
                (see ``crm_link.accounts``).
        """
        key = customer_key(customer_id)
        if key is None:
            msg = f"no customer with id {customer_id}"
            raise NotFoundError(msg)
        async with self._sessions() as session, session.begin():
            row = await CustomerRepository(session).get(key)
            return await assign_account_number(session, row, account_number)


def _keyed(reference: str | None, account: str | None) -> tuple[str | None, str | None]:
    """Return the digits of the reference and of the account number keyed.

    None for one not keyed, or keyed without usable digits.
    """
    if reference is not None and account is not None:
        msg = "give a booking reference or an account number, not both"
        raise ValueError(msg)
    digits = reference_digits(reference) if reference else ""
    return digits or None, account_digits(account) if account else None


def _language_for(region: str) -> str:
    return {"CN": "zh-CN", "TW": "zh-TW", "HK": "zh-HK"}.get(region, "en")
