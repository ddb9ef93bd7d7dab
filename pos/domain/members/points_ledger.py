"""Members' points: the append-only ledger, its balance, and the spend that sets a tier.

Data functions take a Session and never commit. Every entry stores the balance
after it, so the balance is one indexed read; :func:`ledger_sum` checks it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import PointsEntry, Sale, SaleReturn


def balance(session: Session, member_id: int) -> int:
    """The member's points: the balance after the newest ledger entry (= the entries' sum)."""
    value = session.scalar(
        select(PointsEntry.balance_after)
        .where(PointsEntry.member_id == member_id)
        .order_by(PointsEntry.id.desc())
        .limit(1)
    )
    return value or 0


def ledger_sum(session: Session, member_id: int) -> int:
    """The sum of the member's ledger entries (what :func:`balance` must equal)."""
    total = session.scalar(
        select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.member_id == member_id
        )
    )
    return int(total or 0)


def post_points(
    session: Session,
    member_id: int,
    delta: int,
    reason: str,
    now: datetime,
    sale_id: int | None = None,
) -> PointsEntry:
    """Append a ledger entry; points taken may never take the balance below zero.

    A balance already below zero (points spent twice at two offline stores, as head
    office's ledger says) is a debt: points added pay it off, visibly in the ledger."""
    after = balance(session, member_id) + delta
    if delta < 0 and after < 0:
        raise InputError(_("Not enough points: the balance would be {after}").format(after=after))
    entry = PointsEntry(
        member_id=member_id,
        sale_id=sale_id,
        delta=delta,
        reason=reason,
        balance_after=after,
        created_at=now,
    )
    session.add(entry)
    session.flush()
    return entry


def hold_redemption(session: Session, sale_id: int, hold: str) -> None:
    """Note on the sale's redemption entry the hold head office placed confirming it."""
    entry = session.scalar(
        select(PointsEntry).where(PointsEntry.sale_id == sale_id, PointsEntry.reason == "redeem")
    )
    if entry is not None:
        entry.hold_uid = hold
        session.flush()


def spend_last_year(session: Session, member_id: int, now: datetime) -> int:
    """What the member paid, in fen, over the last 365 days, less what was refunded."""
    since = now - timedelta(days=365)
    total = session.scalar(
        select(func.coalesce(func.sum(Sale.total_fen), 0)).where(
            Sale.member_id == member_id, Sale.completed_at >= since
        )
    )
    refunded = session.scalar(
        select(func.coalesce(func.sum(SaleReturn.total_fen), 0))
        .join(Sale, Sale.id == SaleReturn.original_id)
        .where(Sale.member_id == member_id, SaleReturn.completed_at >= since)
    )
    return int(total or 0) - int(refunded or 0)


def birthday_gift_given(session: Session, member_id: int, year: int) -> bool:
    """True if the member already had this year's birthday gift."""
    found = session.scalar(
        select(PointsEntry.id).where(
            PointsEntry.member_id == member_id,
            PointsEntry.reason == "birthday",
            PointsEntry.created_at >= datetime(year, 1, 1, tzinfo=UTC),
        )
    )
    return found is not None
