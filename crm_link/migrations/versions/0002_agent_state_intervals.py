"""agent state intervals

Closed stretches of agent states, written from ``AgentStateChanged`` events so that
historical reports can compute occupancy and time per state and pause reason.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 07:19:05.135208
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agent_state_intervals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "logged_out",
                "available",
                "ringing",
                "on_call",
                "wrap_up",
                "paused",
                name="agentstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_state_intervals")),
        sa.UniqueConstraint(
            "agent_id",
            "started_at",
            name=op.f("uq_agent_state_intervals_agent_id_started_at"),
        ),
    )
    op.create_index(
        op.f("ix_agent_state_intervals_ended_at"),
        "agent_state_intervals",
        ["ended_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_agent_state_intervals_ended_at"), table_name="agent_state_intervals"
    )
    op.drop_table("agent_state_intervals")
