"""Quarantined returns: held apart until someone decides — back on sale, or destroyed.

A unit goes back on sale only into its own lot, and only while that lot has not
expired; one with no lot (sold past the recorded stock) can only be destroyed.
Each decision is final, stored on the item, audited, and a release is a stock
movement like any other.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.domain.sales.codes import InputError
from pos.domain.staff import audit
from pos.i18n import N_, _
from pos.models import Lot, QuarantineItem, StockMovement

RELEASED = N_("released")
DESTROYED = N_("destroyed")


def held(session: Session) -> list[QuarantineItem]:
    """Items still waiting for a decision, oldest first."""
    return list(
        session.scalars(
            select(QuarantineItem)
            .where(QuarantineItem.resolution == "")
            .order_by(QuarantineItem.id)
        )
    )


def _open(session: Session, item_id: int) -> QuarantineItem:
    item = session.get(QuarantineItem, item_id)
    if item is None:
        raise InputError(_("No quarantined item {id}").format(id=item_id))
    if item.resolution:
        raise InputError(
            _("Quarantined item {id} was already {resolution}").format(
                id=item_id, resolution=_(item.resolution)
            )
        )
    return item


def _decide(
    session: Session, item: QuarantineItem, resolution: str, by: str, now: datetime, note: str
) -> None:
    if not by.strip():
        raise InputError(_("Say who decides (--by USER)"))
    item.resolution = resolution
    item.resolved_at = now
    item.resolved_by = by.strip()[:64]
    item.note = note[:200]
    audit.record(
        session,
        f"quarantine.{resolution}",
        at=now,
        actor=item.resolved_by,
        subject=str(item.id),
        detail={"qty": item.qty, "lot": item.lot_number, "product_id": item.product_id},
    )
    session.flush()


def release(
    session: Session, item_id: int, by: str, now: datetime, today: date, note: str = ""
) -> QuarantineItem:
    """Put the item's units back on sale, into their lot (not an expired one)."""
    item = _open(session, item_id)
    lot = session.get(Lot, item.lot_id) if item.lot_id is not None else None
    if lot is None:
        raise InputError(_("Item {id} has no lot to go back to: destroy it").format(id=item_id))
    if lot.expiry < today:
        raise InputError(
            _("Lot {lot} expired on {expiry}: destroy item {id}").format(
                lot=lot.lot_number, expiry=lot.expiry.isoformat(), id=item_id
            )
        )
    _decide(session, item, RELEASED, by, now, note)
    lot.quantity += item.qty
    session.add(
        StockMovement(
            lot_id=lot.id,
            delta=item.qty,
            reason="release",
            return_id=item.return_id,
            created_at=now,
            note=_("quarantine item {id}").format(id=item.id),
        )
    )
    session.flush()
    return item


def destroy(
    session: Session, item_id: int, by: str, now: datetime, note: str = ""
) -> QuarantineItem:
    """Write the item's units off (destroyed, or sent back to the supplier)."""
    item = _open(session, item_id)
    _decide(session, item, DESTROYED, by, now, note)
    return item
