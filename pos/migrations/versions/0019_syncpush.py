"""hq_points_debt, hq_member_conflict; who set each member field at head office, and when

hq_points_debt: every points entry that took a member's balance at head office below
zero. hq_member_conflict: the member values that lost (an edit overwritten by a
later-arriving one, a phone taken by another member). hq_member_field gets the store,
register and head office's time of arrival of each field's last edit; hq_points_entry
the member an entry was merged from (``pos hq members merge``).
hq_register_role: each register's PostgreSQL role and its store; on PostgreSQL, row-level
security on the store tables (a register's role sees and writes its own store's rows).

Revision ID: 0019_syncpush
Revises: 0018_membercare
Create Date: 2026-12-05 04:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

STORE_TABLES = ("hq_event", "hq_sale", "hq_stock_movement", "hq_points_debt")
"""Read and written by a register's role for its own store only."""
OWN_STORE = "store_code = hq_role_store()"

# revision identifiers, used by Alembic.
revision: str = "0019_syncpush"
down_revision: str | Sequence[str] | None = "0018_membercare"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "hq_points_debt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("entry_uid", sa.String(length=36), nullable=False),
        sa.Column("store_code", sa.String(length=8), nullable=False),
        sa.Column("register_id", sa.String(length=4), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_hq_points_debt_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hq_points_debt")),
        sa.UniqueConstraint("entry_uid", name=op.f("uq_hq_points_debt_entry_uid")),
    )
    with op.batch_alter_table("hq_points_debt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hq_points_debt_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "hq_member_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("lost", sa.Text(), nullable=False),
        sa.Column("store_code", sa.String(length=8), nullable=False),
        sa.Column("register_id", sa.String(length=4), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("other_member_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_hq_member_conflict_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["other_member_id"],
            ["member.id"],
            name=op.f("fk_hq_member_conflict_other_member_id_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hq_member_conflict")),
    )
    with op.batch_alter_table("hq_member_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hq_member_conflict_member_id"), ["member_id"], unique=False
        )
    with op.batch_alter_table("hq_points_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_from", sa.Integer(), nullable=True))
    with op.batch_alter_table("hq_member_field", schema=None) as batch_op:
        batch_op.add_column(sa.Column("store_code", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("register_id", sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column("received_at", sa.DateTime(), nullable=True))
    op.create_table(
        "hq_register_role",
        sa.Column("role_name", sa.String(length=63), nullable=False),
        sa.Column("store_code", sa.String(length=8), nullable=False),
        sa.Column("register_id", sa.String(length=4), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("role_name", name=op.f("pk_hq_register_role")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _row_level_security()


def _row_level_security() -> None:
    """The store of the logged-in role (none for head office's own logins, which own the
    tables and are not subject to these policies)."""
    op.execute(
        "CREATE OR REPLACE FUNCTION hq_role_store() RETURNS varchar LANGUAGE sql STABLE "
        "SECURITY DEFINER SET search_path = public AS "
        "$$ SELECT store_code FROM hq_register_role WHERE role_name = session_user $$"
    )
    op.execute("REVOKE ALL ON FUNCTION hq_role_store() FROM PUBLIC")
    for table in STORE_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY own_store ON {table} USING ({OWN_STORE}) WITH CHECK ({OWN_STORE})"
        )
    # The points ledger is the chain's: every register reads it (balances), each writes
    # entries under its own store only.
    op.execute("ALTER TABLE hq_points_entry ENABLE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY chain_reads ON hq_points_entry FOR SELECT USING (true)")
    op.execute(f"CREATE POLICY own_store ON hq_points_entry FOR INSERT WITH CHECK ({OWN_STORE})")


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        for table in (*STORE_TABLES, "hq_points_entry"):
            op.execute(f"DROP POLICY IF EXISTS own_store ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute("DROP POLICY IF EXISTS chain_reads ON hq_points_entry")
        op.execute("DROP FUNCTION IF EXISTS hq_role_store()")
    op.drop_table("hq_register_role")
    with op.batch_alter_table("hq_points_entry", schema=None) as batch_op:
        batch_op.drop_column("merged_from")
    with op.batch_alter_table("hq_member_field", schema=None) as batch_op:
        batch_op.drop_column("received_at")
        batch_op.drop_column("register_id")
        batch_op.drop_column("store_code")
    with op.batch_alter_table("hq_member_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hq_member_conflict_member_id"))
    op.drop_table("hq_member_conflict")
    with op.batch_alter_table("hq_points_debt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hq_points_debt_member_id"))
    op.drop_table("hq_points_debt")
