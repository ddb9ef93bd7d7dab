"""search index: product.updated_at indexed; member last four digits with the last visit

The register's in-memory product search reads the newest ``updated_at`` before
each search to know whether the catalogue changed: an index makes that one lookup.
A lookup by a phone's last four digits lists the latest visitors first: with the
last visit in the index it reads those 20 members, not all ~130 with those digits.

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-25 23:50:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_updated_at"), ["updated_at"], unique=False)
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index("ix_member_phone_last4")
        batch_op.create_index(
            "ix_member_phone_last4_last_visit_at", ["phone_last4", "last_visit_at"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index("ix_member_phone_last4_last_visit_at")
        batch_op.create_index("ix_member_phone_last4", ["phone_last4"], unique=False)
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_updated_at"))
