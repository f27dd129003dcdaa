"""staff iin: the keyed hash of a staff member's IIN (the protocol signer's check)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("iin_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_accounts_iin_hash"), ["iin_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_iin_hash"))
        batch_op.drop_column("iin_hash")
