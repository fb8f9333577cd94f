"""voicemail mailbox and handling

The mailbox a message was left in (the IVR's voicemail node), and who handled it
when, so that supervisors can list a mailbox's unhandled messages newest first.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 09:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("voicemails", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "mailbox", sa.String(length=64), server_default="", nullable=False
            )
        )
        batch_op.add_column(sa.Column("handled_at", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("handled_by", sa.String(length=64), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_voicemails_mailbox_recorded_at"),
            ["mailbox", "recorded_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("voicemails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voicemails_mailbox_recorded_at"))
        batch_op.drop_column("handled_by")
        batch_op.drop_column("handled_at")
        batch_op.drop_column("mailbox")
