"""users' screen language (user_account.language); guidance storage in English (storage_en)

Revision ID: 0020_counter
Revises: 0019_syncpush
Create Date: 2026-12-05 04:45:00

NULL (every existing user) means the register's own language (``register.language``).
``guidance.storage_en`` is the storage text for the English screen ('' until imported).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0020_counter"
down_revision: str | Sequence[str] | None = "0019_syncpush"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    with op.batch_alter_table("guidance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("storage_en", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("guidance", schema=None) as batch_op:
        batch_op.drop_column("storage_en")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("language")
