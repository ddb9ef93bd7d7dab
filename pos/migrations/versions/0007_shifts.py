"""shifts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 22:50:58.082215

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sale_business_date_store_code", ["business_date", "store_code"], unique=False
        )

    op.create_table(
        "shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("register_id", sa.String(length=4), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=True),
        sa.Column("float_fen", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("counted_fen", sa.Integer(), nullable=True),
        sa.Column("counted", sa.JSON(), nullable=True),
        sa.Column("expected_fen", sa.Integer(), nullable=True),
        sa.Column("over_short_fen", sa.Integer(), nullable=True),
        sa.CheckConstraint("float_fen >= 0", name=op.f("ck_shift_float_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift")),
    )
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shift_register_id_closed_at", ["register_id", "closed_at"], unique=False
        )

    op.create_table(
        "cash_movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('in', 'out')", name=op.f("ck_cash_movement_kind_in_out")),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_cash_movement_amount_positive")),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_cash_movement_shift_id_shift")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_movement")),
    )
    with op.batch_alter_table("cash_movement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cash_movement_shift_id"), ["shift_id"], unique=False)

    op.create_table(
        "shift_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.CheckConstraint("kind IN ('X', 'Z')", name=op.f("ck_shift_report_kind_x_z")),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_shift_report_shift_id_shift")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_report")),
    )
    with op.batch_alter_table("shift_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_report_shift_id"), ["shift_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("shift_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_report_shift_id"))

    op.drop_table("shift_report")
    with op.batch_alter_table("cash_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cash_movement_shift_id"))

    op.drop_table("cash_movement")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index("ix_shift_register_id_closed_at")

    op.drop_table("shift")
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.drop_index("ix_sale_business_date_store_code")
