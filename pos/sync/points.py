"""Head office's side of points: confirming a redemption, recording and reporting debts.

A member's points at head office are the sum of the chain's ledger. Registers
that were offline may each have let the member spend the same points; when their
entries arrive the sum goes below zero. Every entry that leaves it there is kept
in ``hq_points_debt`` for good (points earned later pay the debt off in the
ledger, but the record stays), and :func:`negative_balances` lists them for
``pos hq report negative-balances``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
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


def record_debt(
    session: Session, entry: HqPointsEntry, register_id: str, now: datetime
) -> HqPointsDebt | None:
    """Record ``entry`` if it took (or kept) the member's balance below zero.

    The caller holds the member's row lock, so the sum is the ledger's as applied.
    """
    if entry.delta >= 0:
        return None
    session.flush()
    after = ledger_sum(session, entry.member_id)
    if after >= 0:
        return None
    debt = HqPointsDebt(
        member_id=entry.member_id,
        entry_uid=entry.uid,
        store_code=entry.store_code,
        register_id=register_id,
        delta=entry.delta,
        balance_after=after,
        created_at=entry.created_at,
        received_at=now,
    )
    session.add(debt)
    return debt


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
