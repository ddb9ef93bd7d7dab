"""points_entry.hold_uid (head office's hold on a redemption it confirmed);
hq_member_conflict.resolved_by and .resolution (a manager marks a conflict resolved);
member.merged_into_uid (a member merged into another by head office)

``points_entry.hold_uid``: the ``hq_points_hold`` head office placed when it confirmed
the redemption online; it travels with the entry, and head office releases the hold
when the entry arrives. ``hq_member_conflict.resolved_by``: the manager who resolved
it (``pos hq members resolve``), ``resolution`` what they kept (``mine``, ``theirs``,
``merged`` when a merge resolved it). ``member.merged_into_uid``: the member a manager
merged this one into (head office sets it, registers pull it: the card attaches that
member); filled from ``hq_member_alias`` for merges made before.

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
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_into_uid", sa.String(length=36), nullable=True))
    op.execute(
        "UPDATE member SET merged_into_uid = (SELECT m.uid FROM hq_member_alias a"
        " JOIN member m ON m.id = a.member_id WHERE a.uid = member.uid)"
        " WHERE uid IN (SELECT uid FROM hq_member_alias)"
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("merged_into_uid")
    with op.batch_alter_table("hq_member_conflict", schema=None) as batch_op:
        batch_op.drop_column("resolution")
        batch_op.drop_column("resolved_by")
    with op.batch_alter_table("points_entry", schema=None) as batch_op:
        batch_op.drop_column("hold_uid")
