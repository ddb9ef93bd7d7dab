"""tenders: cash rounding of sales and returns, insurance eligibility of products

Revision ID: 0015_tenders
Revises: 0014_logins
Create Date: 2026-12-05 02:15:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0015_tenders"
down_revision: str | Sequence[str] | None = "0014_logins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(sa.Column("insurance", sa.Boolean(), nullable=True))
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rounding_fen", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("sale_return", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rounding_fen", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("sale_return", schema=None) as batch_op:
        batch_op.drop_column("rounding_fen")
    with op.batch_alter_table("sale", schema=None) as batch_op:
        batch_op.drop_column("rounding_fen")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("insurance")
