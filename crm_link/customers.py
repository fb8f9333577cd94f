"""Customer storage: lookup by E.164 number and creation of new callers."""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.domain.ids import CustomerId
from crm_link.enums import Tier
from crm_link.errors import NotFoundError
from crm_link.models import Customer, PhoneNumber


class CustomerRepository:
    """Customers and their phone numbers inside one session (the caller commits)."""

    def __init__(self, session: AsyncSession) -> None:
        """Work in ``session``."""
        self._session = session

    async def get(self, customer_id: int) -> Customer:
        """Return the customer or raise ``NotFoundError``."""
        row = await self._session.get(Customer, customer_id)
        if row is None:
            msg = f"no customer with id {customer_id}"
            raise NotFoundError(msg)
        return row

    async def by_number(self, e164: str) -> Sequence[Customer]:
        """Return every customer owning ``e164``, oldest first."""
        rows = await self._session.scalars(
            sa.select(Customer)
            .join(PhoneNumber, PhoneNumber.customer_id == Customer.id)
            .where(PhoneNumber.e164 == e164)
            .order_by(Customer.id)
        )
        return rows.all()

    async def create(
        self,
        *,
        name: str,
        e164: str,
        language: str,
        now: float,
        tier: Tier = Tier.ORDINARY,
    ) -> Customer:
        """Store a new customer with one phone number."""
        row = Customer(
            name=name,
            email="",
            language=language,
            tier=tier,
            notes="",
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        self._session.add(PhoneNumber(customer_id=row.id, e164=e164, label="mobile"))
        return row


def customer_key(customer_id: CustomerId | str | None) -> int | None:
    """Return the row id behind a customer id, or ``None`` for one not of this CRM.

    Ids cross the call center as strings, and not every one was issued here: one
    that is not all digits names no row, so a call record goes without the link
    rather than fail.
    """
    if customer_id is None:
        return None
    text = str(customer_id)
    return int(text) if text.isdigit() else None
