"""audit anchors and the audit hash version

Revision ID: 0012_anchors
Revises: 0011
Create Date: 2026-12-05 02:00:00

Rows already in ``audit_event`` keep plain SHA-256 (``hash_version`` 1); rows
written with the store key are HMAC-SHA256 (2).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012_anchors"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchor")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hash_version", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("hash_version")
    op.drop_table("audit_anchor")
