"""Returns: lines of a stored sale brought back, refunded to the tenders they were paid with.

One return = one database transaction: the return, its lines, its refunds, the
stock (quarantined, or back on sale when a manager says so), the points (earned
ones reversed, redeemed ones given back), the traceability codes re-activated and
the return receipt's print job.

Amounts are shares of what was paid, so a sale returned in several parts never
refunds more than it took: after each return, the refunds of a line (or points)
add up to ``total × returned ÷ sold``, rounded down, and the last unit takes the
remainder. Each tender gives back its share of what it covered (:func:`refund_split`),
never more than it took, all of it once the sale is returned in full. Cash is
paid back rounded like a sale's cash (:func:`pos.money.round_cash`): the return
records the rounding, and the refunds plus the rounding are its total.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos.domain.members import points_ledger
from pos.domain.sales.codes import InputError
from pos.enums import CashRounding, DrugClass, Tender
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
from pos.money import round_cash

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
    insurable: bool = False
    """Medical insurance may pay for the product (its refunds go back to insurance first)."""

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
    """The sale's payments: tender and amount taken."""
    rounding_fen: int = 0
    """The sale's cash rounding (the total minus the payments)."""
    previous_fen: tuple[int, ...] = ()
    """The totals of the earlier returns on the sale, oldest first."""
    previous_insured_fen: tuple[int, ...] = ()
    """The insurable lines' part of each earlier return (empty: none)."""
    cash_rounding: CashRounding = CashRounding.NONE
    """How the cash refunded now is rounded (the store's setting)."""

    @property
    def dues(self) -> list[tuple[Tender, int]]:
        """What each tender covered of the total: its payments, cash with the rounding."""
        covered: dict[Tender, int] = {}
        for tender, fen in self.tenders:
            covered[tender] = covered.get(tender, 0) + fen
        if self.rounding_fen:
            covered[Tender.CASH] = covered.get(Tender.CASH, 0) + self.rounding_fen
        return list(covered.items())


def _returned(session: Session, sale_id: int) -> dict[int, int]:
    """Units returned so far, by sale line."""
    rows = session.execute(
        select(ReturnLine.sale_line_id, func.sum(ReturnLine.qty))
        .join(SaleLine, SaleLine.id == ReturnLine.sale_line_id)
        .where(SaleLine.sale_id == sale_id)
        .group_by(ReturnLine.sale_line_id)
    )
    return {line_id: int(qty) for line_id, qty in rows}


def _previous_fen(
    session: Session, sale_id: int, lines: Sequence[ReturnableLine]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The returns on ``sale_id`` so far, oldest first: their totals, and their insurable parts."""
    insurable = {line.sale_line_id for line in lines if line.insurable}
    totals: dict[int, int] = {}
    insured: dict[int, int] = {}
    rows = session.execute(
        select(SaleReturn.id, SaleReturn.total_fen, ReturnLine.sale_line_id, ReturnLine.total_fen)
        .join(ReturnLine, ReturnLine.return_id == SaleReturn.id)
        .where(SaleReturn.original_id == sale_id)
        .order_by(SaleReturn.id, ReturnLine.id)
    )
    for return_id, total, line_id, line_fen in rows:
        totals[return_id] = total
        insured[return_id] = insured.get(return_id, 0) + (line_fen if line_id in insurable else 0)
    return tuple(totals.values()), tuple(insured[key] for key in totals)


def find_sale(session: Session, number: str) -> Sale:
    """The stored sale ``number``; InputError when unknown."""
    cleaned = number.strip().upper()
    sale = session.scalar(select(Sale).where(Sale.number == cleaned))
    if sale is None:
        raise InputError(_("No sale {number} in this store's records").format(number=cleaned))
    return sale


def returnable(
    session: Session, number: str, cash_rounding: CashRounding = CashRounding.NONE
) -> ReturnableSale:
    """Sale ``number`` with what may still be returned; InputError if nothing may."""
    return _returnable(session, find_sale(session, number), cash_rounding)


def _returnable(
    session: Session, sale: Sale, cash_rounding: CashRounding = CashRounding.NONE
) -> ReturnableSale:
    returned = _returned(session, sale.id)
    products = {
        product.id: product
        for product in session.scalars(
            select(Product).where(Product.id.in_([line.product_id for line in sale.lines]))
        )
    }
    classes = {product_id: product.drug_class for product_id, product in products.items()}
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
            insurable=line.product_id in products and products[line.product_id].insurable,
        )
        for line in sale.lines
    )
    if all(line.qty_left == 0 for line in lines):
        raise InputError(_("Sale {number} was already returned in full").format(number=sale.number))
    previous, previous_insured = _previous_fen(session, sale.id, lines)
    return ReturnableSale(
        sale_id=sale.id,
        number=sale.number,
        completed_at=sale.completed_at,
        total_fen=sale.total_fen,
        refunded_fen=sum(previous),
        member=sale.member,
        lines=lines,
        tenders=tuple((payment.tender, payment.amount_fen) for payment in sale.payments),
        rounding_fen=sale.rounding_fen,
        previous_fen=previous,
        previous_insured_fen=previous_insured,
        cash_rounding=cash_rounding,
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


def _split_step(dues: Sequence[int], done: Sequence[int], now_fen: int) -> list[int]:
    """One refund of ``now_fen`` over tenders that covered ``dues`` and gave back ``done``."""
    total = sum(dues)
    after = sum(done) + now_fen
    spare = [due - back for due, back in zip(dues, done, strict=True)]
    parts = [
        min(max(0, share(due, after, total) - back), left)
        for due, back, left in zip(dues, done, spare, strict=True)
    ]
    missing = now_fen - sum(parts)
    tenders = range(len(dues))
    if missing > 0:  # rounding down left a few fen: the tenders with the most left take them
        for i in sorted(tenders, key=lambda i: (parts[i] - spare[i], i)):
            take = min(missing, spare[i] - parts[i])
            parts[i] += take
            missing -= take
    elif missing < 0:  # tenders catching up on earlier remainders: the largest parts give back
        for i in sorted(tenders, key=lambda i: (-parts[i], i)):
            give = min(-missing, parts[i])
            parts[i] -= give
            missing += give
    return parts


def _given_back(amounts: Sequence[int], previous_fen: Sequence[int]) -> list[int]:
    """What each tender gave back over the refunds ``previous_fen``, before cash rounding."""
    done = [0] * len(amounts)
    for earlier in previous_fen:
        done = [a + b for a, b in zip(done, _split_step(amounts, done, earlier), strict=True)]
    return done


def refund_split(
    dues: Sequence[tuple[Tender, int]], previous_fen: Sequence[int], now_fen: int
) -> list[tuple[Tender, int]]:
    """What each tender gives back of a refund of ``now_fen``, before any cash rounding.

    ``dues`` is what each tender covered of the sale (they add up to its total),
    ``previous_fen`` the earlier refunds on it, oldest first. Each refund is split in
    proportion to the dues; no tender ever gives back more than it covered, and
    the refunds of a sale returned in full give each tender back exactly its due.
    """
    amounts = [fen for _tender, fen in dues]
    parts = _split_step(amounts, _given_back(amounts, previous_fen), now_fen)
    return [(tender, part) for (tender, _due), part in zip(dues, parts, strict=True) if part]


@dataclass(frozen=True)
class RefundPlan:
    """What a refund pays back, per tender, and the cash rounding that makes up the rest."""

    refunds: tuple[tuple[Tender, int], ...]
    rounding_fen: int
    """The refund's total minus what the refunds pay (cash only)."""


def _pools(sale: ReturnableSale) -> list[list[tuple[Tender, int]]]:
    """What each tender covered, in the insurable lines and in the others.

    Medical insurance paid for insurable lines only: a returned insurable line
    refunds insurance first (with its share of the other tenders), any other line
    only the tenders the customer paid with. One pool when insurance did not pay.
    """
    dues = sale.dues
    insured = dict(dues).get(Tender.INSURANCE, 0)
    eligible = sum(line.total_fen for line in sale.lines if line.insurable)
    if not insured or eligible < insured:
        return [dues]
    others: list[tuple[Tender, int]] = [
        (tender, fen) for tender, fen in dues if tender is not Tender.INSURANCE
    ]
    shares = _split_step([fen for _t, fen in others], [0] * len(others), eligible - insured)
    covered = [(tender, part) for (tender, _fen), part in zip(others, shares, strict=True)]
    rest = [(tender, fen - part) for (tender, fen), part in zip(others, shares, strict=True)]
    return [[(Tender.INSURANCE, insured), *covered], rest]


def _tender_parts(
    sale: ReturnableSale, now_fen: int, now_insured_fen: int
) -> tuple[dict[Tender, int], dict[Tender, int]]:
    """Per tender, before cash rounding: what it gives back now, and what it gave before."""
    pools = _pools(sale)
    if len(pools) == 1:
        streams = [(pools[0], sale.previous_fen, now_fen)]
    else:
        insured = sale.previous_insured_fen or (0,) * len(sale.previous_fen)
        rest = tuple(total - part for total, part in zip(sale.previous_fen, insured, strict=True))
        streams = [
            (pools[0], insured, now_insured_fen),
            (pools[1], rest, now_fen - now_insured_fen),
        ]
    parts: dict[Tender, int] = {}
    before: dict[Tender, int] = {}
    for dues, previous, now in streams:
        amounts = [fen for _tender, fen in dues]
        done = _given_back(amounts, previous)
        step = _split_step(amounts, done, now)
        for (tender, _fen), back, part in zip(dues, done, step, strict=True):
            before[tender] = before.get(tender, 0) + back
            parts[tender] = parts.get(tender, 0) + part
    return parts, before


def plan_refund(
    sale: ReturnableSale, quantities: Mapping[int, int], to_cash: bool = False
) -> RefundPlan:
    """The refunds of returning ``quantities`` (sale line id → units) on ``sale``.

    Each tender gives back its share of what it covered (insurance of the insurable
    lines only; all money in cash when ``to_cash``). The cash tender gives back its
    rounded share, counted over all the sale's refunds so that it never pays back
    more cash than the sale took; cash refunded instead of other tenders
    (``to_cash``) is rounded on its own.
    """
    amounts = [(line, line.refund_fen(quantities.get(line.sale_line_id, 0))) for line in sale.lines]
    now_fen = sum(fen for _line, fen in amounts)
    parts, before = _tender_parts(
        sale, now_fen, sum(fen for line, fen in amounts if line.insurable)
    )
    cash_paid = sum(fen for tender, fen in sale.tenders if tender is Tender.CASH)

    def cash_back(due_fen: int) -> int:  # cash paid back for ``due_fen`` of the cash due
        return min(round_cash(due_fen, sale.cash_rounding), cash_paid)

    money: list[tuple[Tender, int]] = []
    points = 0
    for tender, part in parts.items():
        if tender is Tender.POINTS:
            points = part
        elif tender is Tender.CASH:
            done = before[Tender.CASH]
            money.append((tender, cash_back(done + part) - cash_back(done)))
        else:
            money.append((tender, part))
    if to_cash and money:
        cash = sum(fen for tender, fen in money if tender is Tender.CASH)
        others = sum(fen for tender, fen in money if tender is not Tender.CASH)
        money = [(Tender.CASH, cash + round_cash(others, sale.cash_rounding))]
    refunds = [(tender, fen) for tender, fen in money if fen]
    if points:
        refunds.append((Tender.POINTS, points))
    return RefundPlan(tuple(refunds), now_fen - sum(fen for _tender, fen in refunds))


def _points_entries(session: Session, sale_id: int, reason: str) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.sale_id == sale_id, PointsEntry.reason == reason
        )
    )
    return int(total or 0)


def complete_return(
    session: Session,
    number: str,
    request: ReturnRequest,
    context: ReturnContext,
    cash_rounding: CashRounding = CashRounding.NONE,
) -> SaleReturn:
    """Store the return in ``session`` (the caller commits); InputError if it is not allowed."""
    sale = find_sale(session, number)
    view = _returnable(session, sale, cash_rounding)
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
    plan = plan_refund(view, {line.sale_line_id: qty for line, qty in picks}, request.to_cash)
    for seq_no, (tender, fen) in enumerate(plan.refunds, start=1):
        record.refunds.append(Refund(seq=seq_no, tender=tender, amount_fen=fen))
    record.rounding_fen = plan.rounding_fen
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
