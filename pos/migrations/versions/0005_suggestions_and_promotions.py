"""suggestions and promotions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 22:13:07.131459

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "association_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("antecedent", sa.String(length=96), nullable=False),
        sa.Column("consequent_sku", sa.String(length=64), nullable=False),
        sa.Column("support", sa.Float(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("lift", sa.Float(), nullable=False),
        sa.Column("baskets", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_association_rule")),
    )
    with op.batch_alter_table("association_rule", schema=None) as batch_op:
        batch_op.create_index(
            "ix_association_rule_antecedent_lift", ["antecedent", "lift"], unique=False
        )

    op.create_table(
        "pairing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=96), nullable=False),
        sa.Column("suggest_sku", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing")),
    )
    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.create_index("ix_pairing_trigger_sku", ["trigger", "suggest_sku"], unique=True)

    op.create_table(
        "promotion",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=96), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("members_only", sa.Boolean(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotion")),
    )
    op.create_table(
        "suggestion_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("suggest_sku", sa.String(length=64), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=True),
        sa.Column("cashier", sa.String(length=64), nullable=True),
        sa.Column("shown_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sale.id"], name=op.f("fk_suggestion_event_sale_id_sale")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_event")),
    )
    with op.batch_alter_table("suggestion_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_suggestion_event_sale_id"), ["sale_id"], unique=False)

    with op.batch_alter_table("sale_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("promotion_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("suggested_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("sale_line", schema=None) as batch_op:
        batch_op.drop_column("suggested_by")
        batch_op.drop_column("promotion_id")

    with op.batch_alter_table("suggestion_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suggestion_event_sale_id"))

    op.drop_table("suggestion_event")
    op.drop_table("promotion")
    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.drop_index("ix_pairing_trigger_sku")

    op.drop_table("pairing")
    with op.batch_alter_table("association_rule", schema=None) as batch_op:
        batch_op.drop_index("ix_association_rule_antecedent_lift")

    op.drop_table("association_rule")
