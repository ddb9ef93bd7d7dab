"""product route (oral, topical, eye …): duplicate-ingredient warnings within one route

Revision ID: 0016_safety
Revises: 0015_tenders
Create Date: 2026-12-05 02:20:00

Existing products take the route their dosage form tells (name, then spec), as the
products import does for a row without a ``route``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pos.domain.pharmacy.safety import route_from_form

# revision identifiers, used by Alembic.
revision: str = "0016_safety"
down_revision: str | Sequence[str] | None = "0015_tenders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("route", sa.String(length=16), nullable=False, server_default="oral")
        )
    product = sa.table(
        "product",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("spec", sa.String),
        sa.column("route", sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(product.c.id, product.c.name, product.c.spec)).all()
    for row_id, name, spec in rows:
        route = route_from_form(name or "", spec or "")
        if route != "oral":
            bind.execute(product.update().where(product.c.id == row_id).values(route=route))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("route")
