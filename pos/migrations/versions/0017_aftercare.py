"""after the sale: complaints, satisfaction ratings, adverse drug reactions

Revision ID: 0017_aftercare
Revises: 0016_safety
Create Date: 2026-12-05 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0017_aftercare"
down_revision: str | Sequence[str] | None = "0016_safety"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "sale_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("cashier", sa.String(length=64), nullable=True),
        sa.Column("rated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_sale_rating_rating_1_to_5")),
        sa.ForeignKeyConstraint(["sale_id"], ["sale.id"], name=op.f("fk_sale_rating_sale_id_sale")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sale_rating")),
        sa.UniqueConstraint("sale_id", name=op.f("uq_sale_rating_sale_id")),
    )
    op.create_index(op.f("ix_sale_rating_rated_at"), "sale_rating", ["rated_at"], unique=False)
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=True),
        sa.Column("sale_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("handler", sa.String(length=64), nullable=True),
        sa.Column("first_response_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=1000), nullable=False),
        sa.Column("customer_response", sa.String(length=200), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("rating_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'in_hand', 'closed')", name=op.f("ck_complaint_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_complaint_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["rating_id"], ["sale_rating.id"], name=op.f("fk_complaint_rating_id_sale_rating")
        ),
        sa.ForeignKeyConstraint(["sale_id"], ["sale.id"], name=op.f("fk_complaint_sale_id_sale")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
    )
    for column in ("opened_at", "sale_id", "member_id", "status"):
        op.create_index(op.f(f"ix_complaint_{column}"), "complaint", [column], unique=False)
    op.create_table(
        "adverse_reaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("reporter", sa.String(length=64), nullable=True),
        sa.Column("reporter_occupation", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("patient_sex", sa.String(length=1), nullable=False),
        sa.Column("patient_age", sa.Integer(), nullable=True),
        sa.Column("patient_weight_kg", sa.Integer(), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("lot_number", sa.String(length=64), nullable=False),
        sa.Column("dose", sa.String(length=64), nullable=False),
        sa.Column("route", sa.String(length=32), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("stopped_on", sa.Date(), nullable=True),
        sa.Column("reaction", sa.String(length=200), nullable=False),
        sa.Column("onset_on", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("report_type", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_adverse_reaction_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_adverse_reaction_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_reaction")),
    )
    for column in ("recorded_at", "member_id", "product_id"):
        op.create_index(
            op.f(f"ix_adverse_reaction_{column}"), "adverse_reaction", [column], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("adverse_reaction")
    op.drop_table("complaint")
    op.drop_table("sale_rating")
