"""member tier floors (imported or head office's tier, kept until tier_until)

Revision ID: 0013_tiers
Revises: 0012_anchors
Create Date: 2026-12-05 02:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013_tiers"
down_revision: str | Sequence[str] | None = "0012_anchors"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tier_floor", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("tier_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("tier_floor_by", sa.String(length=8), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("tier_floor_by")
        batch_op.drop_column("tier_until")
        batch_op.drop_column("tier_floor")
