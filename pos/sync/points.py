"""Head office's side of points: confirming a redemption, recording and reporting debts.

A redemption head office confirms online places a hold (``hq_points_hold``) on the
points, in the transaction that locks the member's row and checks the balance less
the holds still open: a second register asking for the same points before the first
has pushed its redemption is refused. The hold is released when that redemption's
entry arrives (it carries the hold's uid), or when it expires (``[sync]
redeem_hold_hours``).

A member's points at head office are the sum of the chain's ledger. Registers
that were offline may each have let the member spend the same points; when their
entries arrive the sum goes below zero. Every entry that leaves it there is kept
in ``hq_points_debt`` for good (points earned later pay the debt off in the
ledger, but the record stays), and :func:`negative_balances` lists them for
``pos hq report negative-balances``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from pos.domain.members.members import mask_phone
from pos.models import HqEvent, HqPointsDebt, HqPointsEntry, Member

REDEMPTION_WINDOW = timedelta(days=1)
"""The report shows a member's redemptions from this long before the first debt on."""


def ledger_sum(session: Session, member_id: int) -> int:
    """The member's points at head office: the sum of the chain's ledger."""
    total = session.scalar(
        select(func.coalesce(func.sum(HqPointsEntry.delta), 0)).where(
            HqPointsEntry.member_id == member_id
        )
    )
    return int(total or 0)


def debts(
    session: Session, entries: list[HqPointsEntry], register_id: str, now: datetime
) -> list[dict[str, Any]]:
    """The ``hq_points_debt`` rows for ``entries`` (not yet in the ledger, in their order):
    each entry taking points that leaves its member's balance below zero.

    One statement reads the balances before them; the caller holds the members' locks.
    """
    spending = sorted({entry.member_id for entry in entries if entry.delta < 0})
    if not spending:
        return []
    balance = dict.fromkeys(spending, 0)
    for member_id, total in session.execute(
        select(HqPointsEntry.member_id, func.sum(HqPointsEntry.delta))
        .where(HqPointsEntry.member_id.in_(spending))
        .group_by(HqPointsEntry.member_id)
    ):
        balance[member_id] = int(total or 0)
    rows = []
    for entry in entries:
        if entry.member_id not in balance:
            continue
        balance[entry.member_id] += entry.delta
        if entry.delta < 0 and balance[entry.member_id] < 0:
            rows.append(
                {
                    "member_id": entry.member_id,
                    "entry_uid": entry.uid,
                    "store_code": entry.store_code,
                    "register_id": register_id,
                    "delta": entry.delta,
                    "balance_after": balance[entry.member_id],
                    "created_at": entry.created_at,
                    "received_at": now,
                }
            )
    return rows


# -- holds on confirmed redemptions ------------------------------------------------------


def hold_schema() -> list[str]:
    """Head office's table of holds (DDL safe to run again; PostgreSQL).

    Every register reads the holds (a member's balance less them is what may still be
    redeemed); a register's role places and releases holds of its own store only.
    """
    own = "store_code = hq_hold_store()"
    return [
        # The store of the logged-in role, as hq_role_store() (migration 0019), which
        # these policies do not depend on: migrations can still go down past 0019.
        """CREATE OR REPLACE FUNCTION hq_hold_store() RETURNS varchar LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = public AS
        $$ SELECT store_code FROM hq_register_role WHERE role_name = session_user $$""",
        "REVOKE ALL ON FUNCTION hq_hold_store() FROM PUBLIC",
        """CREATE TABLE IF NOT EXISTS hq_points_hold (
            uid varchar(36) PRIMARY KEY,
            member_uid varchar(36) NOT NULL,
            store_code varchar(8) NOT NULL,
            register_id varchar(4) NOT NULL,
            points integer NOT NULL CHECK (points > 0),
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS ix_hq_points_hold_member "
        "ON hq_points_hold (member_uid, expires_at)",
        "ALTER TABLE hq_points_hold ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS chain_reads ON hq_points_hold",
        "CREATE POLICY chain_reads ON hq_points_hold FOR SELECT USING (true)",
        "DROP POLICY IF EXISTS own_store ON hq_points_hold",
        f"CREATE POLICY own_store ON hq_points_hold FOR INSERT WITH CHECK ({own})",
        "DROP POLICY IF EXISTS own_release ON hq_points_hold",
        f"CREATE POLICY own_release ON hq_points_hold FOR DELETE USING ({own})",
    ]


def open_holds(session: Session, member_uid: str, now: datetime) -> dict[str, int]:
    """The member's holds not expired at ``now`` (head office's clock): uid → points."""
    rows = session.execute(
        text(
            "SELECT uid, points FROM hq_points_hold"
            " WHERE member_uid = :member AND expires_at > :now"
        ),
        {"member": member_uid, "now": now},
    )
    return {str(uid): int(held) for uid, held in rows}


def place_hold(
    session: Session,
    member_uid: str,
    points: int,
    till: tuple[str, str],
    now: datetime,
    hours: int,
) -> str:
    """Hold ``points`` of the member for the register ``till`` (store, register) until
    ``hours`` from ``now``; the hold's uid. The caller holds the member's lock and has
    checked the balance."""
    uid = str(uuid.uuid4())
    store, register = till
    session.execute(  # the member's expired holds (a register's role: its store's)
        text("DELETE FROM hq_points_hold WHERE member_uid = :member AND expires_at <= :now"),
        {"member": member_uid, "now": now},
    )
    session.execute(
        text(
            "INSERT INTO hq_points_hold (uid, member_uid, store_code, register_id, points,"
            " created_at, expires_at) VALUES (:uid, :member, :store, :register, :points,"
            " :now, :expires)"
        ),
        {
            "uid": uid,
            "member": member_uid,
            "store": store,
            "register": register,
            "points": points,
            "now": now,
            "expires": now + timedelta(hours=hours),
        },
    )
    return uid


def release_holds(session: Session, uids: list[str | None]) -> None:
    """Release these holds (their redemptions arrived, or never took place)."""
    wanted = sorted({uid for uid in uids if uid})
    if not wanted:
        return
    session.execute(
        text("DELETE FROM hq_points_hold WHERE uid IN :uids").bindparams(
            bindparam("uids", expanding=True)
        ),
        {"uids": wanted},
    )


@dataclass(frozen=True)
class Redemption:
    """One entry that took points from a member (a redemption, or a return's reversal)."""

    store_code: str
    register_id: str
    created_at: datetime
    points: int
    reason: str
    sale_number: str | None


@dataclass(frozen=True)
class NegativeBalance:
    """A member whose balance went below zero at head office."""

    card_no: str
    phone: str
    """Masked: ``139****1111``."""
    balance: int
    """The balance now (the ledger's sum; may be back at zero or above)."""
    lowest: int
    """The lowest balance recorded."""
    first_at: datetime
    redemptions: tuple[Redemption, ...]


def negative_balances(session: Session, open_only: bool = False) -> list[NegativeBalance]:
    """Every member with a recorded debt, the most negative balance first.

    ``open_only``: only those whose balance is still below zero.
    """
    debts = session.execute(
        select(
            HqPointsDebt.member_id,
            func.min(HqPointsDebt.balance_after),
            func.min(HqPointsDebt.created_at),
        ).group_by(HqPointsDebt.member_id)
    ).all()
    found = []
    for member_id, lowest, first_at in debts:
        balance = ledger_sum(session, member_id)
        if open_only and balance >= 0:
            continue
        member = session.get_one(Member, member_id)
        found.append(
            NegativeBalance(
                card_no=member.card_no,
                phone=mask_phone(member.phone),
                balance=balance,
                lowest=int(lowest),
                first_at=first_at,
                redemptions=_redemptions(session, member_id, first_at - REDEMPTION_WINDOW),
            )
        )
    found.sort(key=lambda row: (row.balance, row.lowest, row.card_no))
    return found


def _redemptions(session: Session, member_id: int, since: datetime) -> tuple[Redemption, ...]:
    rows = session.execute(
        select(
            HqPointsEntry.store_code,
            func.coalesce(HqEvent.register_id, ""),
            HqPointsEntry.created_at,
            HqPointsEntry.delta,
            HqPointsEntry.reason,
            HqPointsEntry.sale_number,
        )
        .outerjoin(HqEvent, HqEvent.uid == HqPointsEntry.uid)
        .where(
            HqPointsEntry.member_id == member_id,
            HqPointsEntry.delta < 0,
            HqPointsEntry.created_at >= since,
        )
        .order_by(HqPointsEntry.created_at, HqPointsEntry.uid)
    ).all()
    return tuple(
        Redemption(store, register, at, -delta, reason, sale)
        for store, register, at, delta, reason, sale in rows
    )
