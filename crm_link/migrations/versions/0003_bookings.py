"""bookings

Customers' bookings (hotel stays, trips, flights, transfers), found by the digits of
their reference so that a caller who keys one is identified whatever number they
call from.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("reference_digits", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "hotel_stay",
                "trip",
                "flight",
                "transfer",
                name="bookingkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "confirmed",
                "cancelled",
                "completed",
                name="bookingstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_bookings_customer_id_customers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint(
            "reference_digits", name=op.f("uq_bookings_reference_digits")
        ),
    )
    op.create_index(
        op.f("ix_bookings_customer_id_ends_on"),
        "bookings",
        ["customer_id", "ends_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_bookings_customer_id_ends_on"), table_name="bookings")
    op.drop_table("bookings")
