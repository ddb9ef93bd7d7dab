"""Least privilege at head office: one PostgreSQL role per register (``pos hq grant``).

A register's role may read the catalogue, promotions, members and the chain's
points ledger (what a pull needs), and write what a push writes: its outbox items
(``hq_event``), sales, stock movements, points entries and the members it enrols or
edits. Row-level security (migration 0017) restricts ``hq_event``, ``hq_sale``,
``hq_stock_movement`` and ``hq_points_debt`` to the rows of the role's own store,
and every row a role inserts there, in the points ledger and in the holds on
confirmed redemptions (``hq_points_hold``, which it may also release), must carry
that store's code: a register cannot read or write another store's sales, nor claim its
code. Members' allergies and conditions (``hq_member_health``) it reads only for the
members who visited its store (row-level security, see :mod:`pos.sync.health`).
It cannot delete, truncate, drop or alter anything else; head office's own login
(the tables' owner) keeps full rights and is not subject to the policies.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from pos.i18n import _
from pos.models import HqRegisterRole
from pos.sync import health

CODE = re.compile(r"^[A-Za-z0-9]{1,8}$")

READ = ("SELECT",)
WRITES: dict[str, tuple[str, ...]] = {
    "hq_event": ("INSERT",),
    "hq_sale": ("INSERT",),
    "hq_stock_movement": ("INSERT",),
    "hq_points_entry": ("INSERT",),
    "hq_points_debt": ("INSERT",),
    "hq_points_hold": ("INSERT", "DELETE"),  # holds on redemptions head office confirms
    "hq_member_conflict": ("INSERT",),
    "hq_member_alias": ("INSERT",),
    "hq_member_field": ("INSERT", "UPDATE"),
    "member": ("INSERT", "UPDATE"),
    "hq_register": ("INSERT", "UPDATE"),  # its own report at the end of each sync
}
"""What a push writes, table by table (``UPDATE`` also lets it lock a member's row)."""
PRIVATE = ("hq_register_role",)
"""Tables a register's role may not read."""


class GrantError(ValueError):
    """A store or register code that cannot name a role."""


def role_name(store_code: str, register_id: str) -> str:
    """``pos_reg_<store>_<register>``, lower case."""
    if not CODE.match(store_code) or not CODE.match(register_id):
        raise GrantError(
            _(
                "Store and register codes are 1 to 8 letters or digits, not {store} {register}"
            ).format(store=store_code, register=register_id)
        )
    return f"pos_reg_{store_code}_{register_id}".lower()


def new_password() -> str:
    """A random password for a register's role."""
    return secrets.token_urlsafe(24)


def grant(session: Session, store_code: str, register_id: str, password: str, now: datetime) -> str:
    """Create (or update) the register's role with only what sync needs; its name.

    Run again after an upgrade of head office: tables added since get their grants.
    """
    name = role_name(store_code, register_id)
    exists = session.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name})
    verb = "ALTER" if exists else "CREATE"
    statement = session.scalar(
        text(
            "SELECT format('%s ROLE %I LOGIN PASSWORD %L', "
            "CAST(:verb AS text), CAST(:name AS text), CAST(:pw AS text))"
        ),
        {"verb": verb, "name": name, "pw": password},
    )
    session.execute(text(str(statement)))
    database = session.scalar(text("SELECT current_database()"))
    session.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO {name}'))
    session.execute(text(f"GRANT USAGE ON SCHEMA public TO {name}"))
    session.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {name}"))
    for table in PRIVATE:
        session.execute(text(f"REVOKE ALL ON {table} FROM {name}"))
    for table, rights in WRITES.items():
        session.execute(text(f"GRANT {', '.join(rights)} ON {table} TO {name}"))
    session.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {name}"))
    session.execute(text(f"GRANT EXECUTE ON FUNCTION hq_role_store() TO {name}"))
    session.execute(text(f"GRANT EXECUTE ON FUNCTION hq_hold_store() TO {name}"))
    for function in health.REGISTER_FUNCTIONS:  # a health edit pushed, the notes fetched
        session.execute(text(f"GRANT EXECUTE ON FUNCTION {function} TO {name}"))
    row = session.get(HqRegisterRole, name)
    if row is None:
        session.add(
            HqRegisterRole(
                role_name=name, store_code=store_code, register_id=register_id, granted_at=now
            )
        )
    else:
        row.store_code, row.register_id, row.granted_at = store_code, register_id, now
    return name
