"""parked carts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 22:46:39.829267

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "parked_cart",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("register_id", sa.String(length=4), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parked_cart")),
    )
    with op.batch_alter_table("parked_cart", schema=None) as batch_op:
        batch_op.create_index("ix_parked_cart_register_kind", ["register_id", "kind"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("parked_cart", schema=None) as batch_op:
        batch_op.drop_index("ix_parked_cart_register_kind")

    op.drop_table("parked_cart")
