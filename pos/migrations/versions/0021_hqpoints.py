"""points_entry.hold_uid (head office's hold on a redemption it confirmed);
hq_member_conflict.resolved_by and .resolution (a manager marks a conflict resolved)

``points_entry.hold_uid``: the ``hq_points_hold`` head office placed when it confirmed
the redemption online; it travels with the entry, and head office releases the hold
when the entry arrives. ``hq_member_conflict.resolved_by``: the manager who resolved
it (``pos hq members resolve``), ``resolution`` what they kept (``mine``, ``theirs``,
``merged`` when a merge resolved it).

Revision ID: 0021_hqpoints
Revises: 0020_counter
Create Date: 2026-12-05 07:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0021_hqpoints"
down_revision: str | Sequence[str] | None = "0020_counter"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("points_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hold_uid", sa.String(length=36), nullable=True))
    with op.batch_alter_table("hq_member_conflict", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("resolution", sa.String(length=8), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("hq_member_conflict", schema=None) as batch_op:
        batch_op.drop_column("resolution")
        batch_op.drop_column("resolved_by")
    with op.batch_alter_table("points_entry", schema=None) as batch_op:
        batch_op.drop_column("hold_uid")
