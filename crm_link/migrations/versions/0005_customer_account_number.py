"""customer account number

A corporate client's account number (digits only, unique, NULL for most customers),
so that a caller who keys it is found by it and never by a booking reference with
the same digits.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 10:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("account_number", sa.String(length=32), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_customers_account_number"), ["account_number"], unique=True
        )


def downgrade() -> None:
    # Not in batch mode: on SQLite a batch would copy ``customers`` and drop the
    # old table, and with foreign keys on that drop deletes every customer's
    # phone numbers (ON DELETE CASCADE). SQLite 3.35+ drops a column in place.
    op.drop_index(op.f("ix_customers_account_number"), table_name="customers")
    op.drop_column("customers", "account_number")
