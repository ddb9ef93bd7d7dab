"""members after the sale: follow-up tasks, birthday gifts, referrals, visits for segments

Revision ID: 0018_membercare
Revises: 0017_aftercare
Create Date: 2026-12-05 05:00:00

Existing members get their visit count from their sales; referral codes are given
on a member's next sale (or enrolment), not here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import pos.models.base

# revision identifiers, used by Alembic.
revision: str = "0018_membercare"
down_revision: str | Sequence[str] | None = "0017_aftercare"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visits", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("referral_code", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("referrer_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("referral_credited_at", pos.models.base.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("consent_follow_up", sa.Boolean(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("next_visit_on", sa.Date(), nullable=True))
        batch_op.create_index("ix_member_referral_code", ["referral_code"], unique=False)
        batch_op.create_foreign_key(
            "fk_member_referrer_id_member", "member", ["referrer_id"], ["id"]
        )
    op.execute(
        "UPDATE member SET visits = (SELECT COUNT(*) FROM sale WHERE sale.member_id = member.id)"
    )
    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assignee", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=True),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("created_at", pos.models.base.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("done_at", pos.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["sale_id"], ["sale.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_follow_up_status_due_on", "follow_up", ["status", "due_on"])
    op.create_index("ix_follow_up_member_id_reason", "follow_up", ["member_id", "reason"])
    op.create_table(
        "member_gift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("sku", sa.String(length=32), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=True),
        sa.Column("given_by", sa.String(length=64), nullable=True),
        sa.Column("given_at", pos.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["sale_id"], ["sale.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("member_id", "year"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("member_gift")
    op.drop_index("ix_follow_up_member_id_reason", table_name="follow_up")
    op.drop_index("ix_follow_up_status_due_on", table_name="follow_up")
    op.drop_table("follow_up")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_constraint("fk_member_referrer_id_member", type_="foreignkey")
        batch_op.drop_index("ix_member_referral_code")
        for column in (
            "next_visit_on", "consent_follow_up", "referral_credited_at", "referrer_id",
            "referral_code", "visits",
        ):  # fmt: skip
            batch_op.drop_column(column)
