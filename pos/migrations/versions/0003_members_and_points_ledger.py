"""members and points ledger

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:25:55.630021

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_no", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=True),
        sa.Column("phone_last4", sa.String(length=4), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=True),
        sa.Column("name_initials", sa.String(length=64), nullable=True),
        sa.Column("gender", sa.String(length=1), nullable=True),
        sa.Column("birthday", sa.Date(), nullable=True),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.Column("enrolled_store", sa.String(length=8), nullable=False),
        sa.Column("enrolled_by", sa.String(length=64), nullable=True),
        sa.Column("consent_terms", sa.Boolean(), nullable=False),
        sa.Column("consent_marketing", sa.Boolean(), nullable=False),
        sa.Column("consent_health", sa.Boolean(), nullable=False),
        sa.Column("consents_at", sa.DateTime(), nullable=False),
        sa.Column("allergies", sa.String(length=200), nullable=False),
        sa.Column("conditions", sa.String(length=200), nullable=False),
        sa.Column("last_visit_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "consent_health OR (allergies = '' AND conditions = '')",
            name=op.f("ck_member_health_needs_consent"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
        sa.UniqueConstraint("card_no", name=op.f("uq_member_card_no")),
        sa.UniqueConstraint("phone", name=op.f("uq_member_phone")),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_name"), ["name"], unique=False)
        batch_op.create_index("ix_member_name_initials", ["name_initials"], unique=False)
        batch_op.create_index("ix_member_phone_last4", ["phone_last4"], unique=False)

    op.create_table(
        "points_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=True),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_points_entry_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sale.id"], name=op.f("fk_points_entry_sale_id_sale")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_entry")),
    )
    with op.batch_alter_table("points_entry", schema=None) as batch_op:
        batch_op.create_index("ix_points_entry_member_id_id", ["member_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_points_entry_sale_id"), ["sale_id"], unique=False)

    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("points_earned", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("points_redeemed", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index(
            "ix_sale_member_id_completed_at", ["member_id", "completed_at"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_sale_member_id_member"), "member", ["member_id"], ["id"]
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sale_member_id_member"), type_="foreignkey")
        batch_op.drop_index("ix_sale_member_id_completed_at")
        batch_op.drop_column("points_redeemed")
        batch_op.drop_column("points_earned")
        batch_op.drop_column("member_id")

    with op.batch_alter_table("points_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_entry_sale_id"))
        batch_op.drop_index("ix_points_entry_member_id_id")

    op.drop_table("points_entry")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index("ix_member_phone_last4")
        batch_op.drop_index("ix_member_name_initials")
        batch_op.drop_index(batch_op.f("ix_member_name"))

    op.drop_table("member")
