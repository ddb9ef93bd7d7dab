"""pharmacy safety and users

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 21:38:33.231995

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "guidance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("usage", sa.Text(), nullable=False),
        sa.Column("dosage", sa.Text(), nullable=False),
        sa.Column("precautions", sa.Text(), nullable=False),
        sa.Column("contraindications", sa.String(length=400), nullable=False),
        sa.Column("storage", sa.Text(), nullable=False),
        sa.Column("advice", sa.Text(), nullable=False),
        sa.Column("usage_en", sa.Text(), nullable=False),
        sa.Column("dosage_en", sa.Text(), nullable=False),
        sa.Column("precautions_en", sa.Text(), nullable=False),
        sa.Column("advice_en", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guidance")),
        sa.UniqueConstraint("key", name=op.f("uq_guidance_key")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("pin_hash", sa.String(length=256), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
    )
    op.create_table(
        "prescription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("prescriber", sa.String(length=200), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("patient_name", sa.String(length=64), nullable=False),
        sa.Column("pharmacist_id", sa.String(length=32), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sale.id"], name=op.f("fk_prescription_sale_id_sale")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescription")),
        sa.UniqueConstraint("sale_id", name=op.f("uq_prescription_sale_id")),
    )
    op.create_table(
        "restricted_sale",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("spec", sa.String(length=100), nullable=False),
        sa.Column("manufacturer", sa.String(length=200), nullable=False),
        sa.Column("lots", sa.String(length=200), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("buyer_name", sa.String(length=64), nullable=False),
        sa.Column("buyer_id_number", sa.String(length=18), nullable=False),
        sa.Column("sold_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sale.id"], name=op.f("fk_restricted_sale_sale_id_sale")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restricted_sale")),
    )
    with op.batch_alter_table("restricted_sale", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_restricted_sale_buyer_id_number"), ["buyer_id_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_restricted_sale_sale_id"), ["sale_id"], unique=False)

    op.create_table(
        "sale_warning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=400), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sale.id"], name=op.f("fk_sale_warning_sale_id_sale")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sale_warning")),
    )
    with op.batch_alter_table("sale_warning", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sale_warning_sale_id"), ["sale_id"], unique=False)

    op.create_table(
        "trace_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("sale_line_id", sa.Integer(), nullable=False),
        sa.Column("sold_at", sa.DateTime(), nullable=False),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sale_line_id"], ["sale_line.id"], name=op.f("fk_trace_code_sale_line_id_sale_line")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_code")),
    )
    with op.batch_alter_table("trace_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trace_code_code"), ["code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_trace_code_sale_line_id"), ["sale_line_id"], unique=False
        )

    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("restricted", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("trace_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("sale_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("guidance_given", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("sale_line", schema=None) as batch_op:
        batch_op.drop_column("guidance_given")

    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("trace_required")
        batch_op.drop_column("restricted")

    with op.batch_alter_table("trace_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trace_code_sale_line_id"))
        batch_op.drop_index(batch_op.f("ix_trace_code_code"))

    op.drop_table("trace_code")
    with op.batch_alter_table("sale_warning", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sale_warning_sale_id"))

    op.drop_table("sale_warning")
    with op.batch_alter_table("restricted_sale", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_restricted_sale_sale_id"))
        batch_op.drop_index(batch_op.f("ix_restricted_sale_buyer_id_number"))

    op.drop_table("restricted_sale")
    op.drop_table("prescription")
    op.drop_table("user_account")
    op.drop_table("guidance")
