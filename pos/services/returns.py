"""Returns: lines of a stored sale brought back, refunded to the tenders they were paid with.

One return = one database transaction: the return, its lines, its refunds, the
stock (quarantined, or back on sale when a manager says so), the points (earned
ones reversed, redeemed ones given back), the traceability codes re-activated and
the return receipt's print job.

Amounts are shares of what was paid, so a sale returned in several parts never
refunds more than it took: after each return, the refunds of a line (or a
tender, or points) add up to ``total × returned ÷ sold``, rounded down, and the
last unit takes the remainder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos.enums import DrugClass, Tender
from pos.i18n import _
from pos.models import (
    Lot,
    Member,
    PointsEntry,
    Product,
    QuarantineItem,
    Refund,
    ReturnLine,
    Sale,
    SaleLine,
    SaleReturn,
    StockMovement,
    TraceCode,
)
from pos.services import points_ledger
from pos.services.codes import InputError

SALE_NUMBER = re.compile(r"^S[0-9A-Za-z]{1,8}-[0-9A-Za-z]{1,4}-\d{8}-\d{4,}$")
"""What a receipt's QR code and sale number look like (``S001-01-20260310-0001``)."""


def is_sale_number(text: str) -> bool:
    """True if ``text`` is a receipt's sale number (scanned from its QR code, or typed)."""
    return bool(SALE_NUMBER.match(text.strip().upper()))


def return_number(store_code: str, register_id: str, business_date: date, seq: int) -> str:
    """``R{store}-{register}-{YYYYMMDD}-{seq}``, unique per store and register."""
    return f"R{store_code}-{register_id}-{business_date:%Y%m%d}-{seq:04d}"


def share(total: int, part: int, whole: int) -> int:
    """``total × part ÷ whole`` rounded down; exactly ``total`` when ``part == whole``."""
    return total * part // whole if whole else 0


@dataclass(frozen=True)
class ReturnableLine:
    """A line of the original sale, with what may still come back."""

    sale_line_id: int
    line_no: int
    sku: str
    name: str
    spec: str
    qty_sold: int
    qty_returned: int
    total_fen: int
    drug_class: DrugClass

    @property
    def qty_left(self) -> int:
        return self.qty_sold - self.qty_returned

    def refund_fen(self, qty: int) -> int:
        """What returning ``qty`` more units refunds."""
        before = self.qty_returned
        return share(self.total_fen, before + qty, self.qty_sold) - share(
            self.total_fen, before, self.qty_sold
        )


@dataclass(frozen=True)
class ReturnableSale:
    """A stored sale as the return screen shows it."""

    sale_id: int
    number: str
    completed_at: datetime
    total_fen: int
    refunded_fen: int
    member: str | None
    lines: tuple[ReturnableLine, ...]
    tenders: tuple[tuple[Tender, int], ...]


def _returned(session: Session, sale_id: int) -> dict[int, int]:
    """Units returned so far, by sale line."""
    rows = session.execute(
        select(ReturnLine.sale_line_id, func.sum(ReturnLine.qty))
        .join(SaleLine, SaleLine.id == ReturnLine.sale_line_id)
        .where(SaleLine.sale_id == sale_id)
        .group_by(ReturnLine.sale_line_id)
    )
    return {line_id: int(qty) for line_id, qty in rows}


def _refunded_fen(session: Session, sale_id: int) -> int:
    """Money and points value refunded on ``sale_id`` so far."""
    total = session.scalar(
        select(func.coalesce(func.sum(SaleReturn.total_fen), 0)).where(
            SaleReturn.original_id == sale_id
        )
    )
    return int(total or 0)


def find_sale(session: Session, number: str) -> Sale:
    """The stored sale ``number``; InputError when unknown."""
    cleaned = number.strip().upper()
    sale = session.scalar(select(Sale).where(Sale.number == cleaned))
    if sale is None:
        raise InputError(_("No sale {number} in this store's records").format(number=cleaned))
    return sale


def returnable(session: Session, number: str) -> ReturnableSale:
    """Sale ``number`` with what may still be returned; InputError if nothing may."""
    return _returnable(session, find_sale(session, number))


def _returnable(session: Session, sale: Sale) -> ReturnableSale:
    returned = _returned(session, sale.id)
    classes = dict(
        session.execute(
            select(Product.id, Product.drug_class).where(
                Product.id.in_([line.product_id for line in sale.lines])
            )
        ).all()
    )
    lines = tuple(
        ReturnableLine(
            sale_line_id=line.id,
            line_no=line.line_no,
            sku=line.sku,
            name=line.name,
            spec=line.spec,
            qty_sold=line.qty,
            qty_returned=returned.get(line.id, 0),
            total_fen=line.total_fen,
            drug_class=classes.get(line.product_id, DrugClass.NONE),
        )
        for line in sale.lines
    )
    if all(line.qty_left == 0 for line in lines):
        raise InputError(_("Sale {number} was already returned in full").format(number=sale.number))
    return ReturnableSale(
        sale_id=sale.id,
        number=sale.number,
        completed_at=sale.completed_at,
        total_fen=sale.total_fen,
        refunded_fen=_refunded_fen(session, sale.id),
        member=sale.member,
        lines=lines,
        tenders=tuple((payment.tender, payment.amount_fen) for payment in sale.payments),
    )


@dataclass(frozen=True)
class ReturnRequest:
    """What comes back: units per sale line, and where the money and the stock go."""

    quantities: Mapping[int, int]
    """Sale line id → units returned now."""
    restock: frozenset[int] = frozenset()
    """Sale line ids whose units go back on sale (a manager's decision); others quarantined."""
    to_cash: bool = False
    """Refund everything in cash instead of the original tenders (a manager's decision)."""
    reason: str = ""


@dataclass(frozen=True)
class ReturnContext:
    """Who returns, where and when, and who approved it."""

    store_code: str
    register_id: str
    completed_at: datetime
    business_date: date
    cashier: str | None
    approved_by: str | None


def check_request(sale: ReturnableSale, request: ReturnRequest) -> list[tuple[ReturnableLine, int]]:
    """The lines and units ``request`` returns; InputError for more than is left, or none."""
    by_id = {line.sale_line_id: line for line in sale.lines}
    picks = []
    for line_id, qty in request.quantities.items():
        if qty == 0:
            continue
        line = by_id.get(line_id)
        if line is None:
            raise InputError(_("That line is not on sale {number}").format(number=sale.number))
        if qty < 0 or qty > line.qty_left:
            raise InputError(
                _("{name}: at most {n} may be returned ({sold} sold, {returned} returned)").format(
                    name=line.name, n=line.qty_left, sold=line.qty_sold, returned=line.qty_returned
                )
            )
        picks.append((line, qty))
    if not picks:
        raise InputError(_("Choose what comes back: a quantity on at least one line"))
    return picks


def refunds_by_tender(
    tenders: Sequence[tuple[Tender, int]], total_fen: int, before_fen: int, now_fen: int
) -> list[tuple[Tender, int]]:
    """Split a refund of ``now_fen`` over the sale's tenders in proportion to what each paid."""
    after = before_fen + now_fen
    result = []
    for tender, paid in tenders:
        part = share(paid, after, total_fen) - share(paid, before_fen, total_fen)
        result.append((tender, part))
    # rounding down per tender can leave a few fen: the largest tender takes them
    missing = now_fen - sum(part for _tender, part in result)
    if missing and result:
        index = max(range(len(result)), key=lambda i: tenders[i][1])
        tender, part = result[index]
        result[index] = (tender, part + missing)
    return [(tender, part) for tender, part in result if part]


def _points_entries(session: Session, sale_id: int, reason: str) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.sale_id == sale_id, PointsEntry.reason == reason
        )
    )
    return int(total or 0)


def complete_return(
    session: Session, number: str, request: ReturnRequest, context: ReturnContext
) -> SaleReturn:
    """Store the return in ``session`` (the caller commits); InputError if it is not allowed."""
    sale = find_sale(session, number)
    view = _returnable(session, sale)
    picks = check_request(view, request)
    amount = sum(line.refund_fen(qty) for line, qty in picks)
    before = view.refunded_fen
    seq = 1 + (
        session.scalar(
            select(func.max(SaleReturn.seq)).where(
                SaleReturn.store_code == context.store_code,
                SaleReturn.register_id == context.register_id,
                SaleReturn.business_date == context.business_date,
            )
        )
        or 0
    )
    record = SaleReturn(
        number=return_number(context.store_code, context.register_id, context.business_date, seq),
        original_id=sale.id,
        store_code=context.store_code,
        register_id=context.register_id,
        business_date=context.business_date,
        seq=seq,
        cashier=context.cashier,
        approved_by=context.approved_by,
        reason=request.reason[:200],
        completed_at=context.completed_at,
        total_fen=amount,
    )
    session.add(record)
    for line, qty in picks:
        record.lines.append(
            ReturnLine(
                sale_line_id=line.sale_line_id,
                qty=qty,
                total_fen=line.refund_fen(qty),
                restocked=line.sale_line_id in request.restock,
            )
        )
    tenders = refunds_by_tender(view.tenders, view.total_fen, before, amount)
    money = [(tender, fen) for tender, fen in tenders if tender is not Tender.POINTS]
    points_fen = sum(fen for tender, fen in tenders if tender is Tender.POINTS)
    if request.to_cash and money:
        money = [(Tender.CASH, sum(fen for _tender, fen in money))]
    for seq_no, (tender, fen) in enumerate(money, start=1):
        record.refunds.append(Refund(seq=seq_no, tender=tender, amount_fen=fen))
    if points_fen:
        record.refunds.append(
            Refund(seq=len(money) + 1, tender=Tender.POINTS, amount_fen=points_fen)
        )
    session.flush()
    _move_stock(session, sale, record, picks, request.restock, context.completed_at)
    _reactivate_codes(session, picks, context.completed_at)
    if sale.member_id is not None:
        _return_points(session, sale, record, view, before, amount, context)
    session.flush()
    return record


def _move_stock(
    session: Session,
    sale: Sale,
    record: SaleReturn,
    picks: Sequence[tuple[ReturnableLine, int]],
    restock: frozenset[int],
    now: datetime,
) -> None:
    """Returned units: quarantined (by default), or back into their lots."""
    lines = {line.id: line for line in sale.lines}
    for returned, qty in picks:
        line = lines[returned.sale_line_id]
        left = qty
        for lot_part in reversed(line.lots):  # the last lot taken first
            if left == 0:
                break
            take = min(left, lot_part.qty)
            left -= take
            if returned.sale_line_id in restock:
                lot = session.get_one(Lot, lot_part.lot_id)
                lot.quantity += take
                session.add(
                    StockMovement(
                        lot_id=lot.id,
                        delta=take,
                        reason="return",
                        return_id=record.id,
                        created_at=now,
                        note=record.number,
                    )
                )
            else:
                session.add(
                    QuarantineItem(
                        product_id=line.product_id,
                        lot_id=lot_part.lot_id,
                        lot_number=lot_part.lot_number,
                        qty=take,
                        return_id=record.id,
                        created_at=now,
                    )
                )
        if left:  # sold past the recorded stock (a manager's override): no lot to go back to
            session.add(
                QuarantineItem(
                    product_id=line.product_id, qty=left, return_id=record.id, created_at=now
                )
            )


def _reactivate_codes(
    session: Session, picks: Sequence[tuple[ReturnableLine, int]], now: datetime
) -> None:
    """Returned boxes' traceability codes may be sold again (the newest codes first)."""
    for line, qty in picks:
        codes = session.scalars(
            select(TraceCode)
            .where(TraceCode.sale_line_id == line.sale_line_id, TraceCode.returned_at.is_(None))
            .order_by(TraceCode.id.desc())
            .limit(qty)
        )
        for code in codes:
            code.returned_at = now


def _return_points(
    session: Session,
    sale: Sale,
    record: SaleReturn,
    view: ReturnableSale,
    before: int,
    amount: int,
    context: ReturnContext,
) -> None:
    """Reverse the points the returned part earned; give back the points it redeemed."""
    assert sale.member_id is not None
    member = session.get(Member, sale.member_id)
    if member is None or member.erased_at is not None:
        return
    after = before + amount
    earned = _points_entries(session, sale.id, "earn")
    reverse = share(earned, after, view.total_fen) - share(earned, before, view.total_fen)
    redeemed = -_points_entries(session, sale.id, "redeem")
    restore = share(redeemed, after, view.total_fen) - share(redeemed, before, view.total_fen)
    now = context.completed_at
    if restore:
        points_ledger.post_points(session, member.id, restore, "refund-restore", now, sale.id)
        record.points_restored = restore
    if reverse:
        # points already spent elsewhere cannot go below zero: take back what is there
        reverse = min(reverse, points_ledger.balance(session, member.id))
        if reverse > 0:
            points_ledger.post_points(session, member.id, -reverse, "refund", now, sale.id)
            record.points_reversed = reverse
