"""Completing a sale: one transaction for the sale, its lines, lots, payments and stock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from pos.domain.sales.cart import Cart, CartLine
from pos.domain.sales.codes import InputError
from pos.domain.sales.tendering import Tendering
from pos.i18n import _
from pos.models import Lot, Payment, Product, Sale, SaleLine, SaleLineLot, StockMovement


@dataclass(frozen=True)
class SaleContext:
    """Who sells, where and when."""

    store_code: str
    register_id: str
    completed_at: datetime
    business_date: date
    cashier: str | None = None
    member: str | None = None
    member_id: int | None = None


class StockError(InputError):
    """A line cannot be filled from sellable lots."""


def sale_number(store_code: str, register_id: str, business_date: date, seq: int) -> str:
    """``S{store}-{register}-{YYYYMMDD}-{seq}``, unique per store and register."""
    return f"S{store_code}-{register_id}-{business_date:%Y%m%d}-{seq:04d}"


LAST_SEQ = select(func.max(Sale.seq)).where(
    Sale.store_code == bindparam("store_code"),
    Sale.register_id == bindparam("register_id"),
    Sale.business_date == bindparam("business_date"),
)
"""The last sequence number of a register's business day (built once: a sale runs it)."""


def next_seq(session: Session, context: SaleContext) -> int:
    """The next sequence number of this register's business day."""
    last = session.scalar(
        LAST_SEQ,
        {
            "store_code": context.store_code,
            "register_id": context.register_id,
            "business_date": context.business_date,
        },
    )
    return (last or 0) + 1


def insurable_fen(session: Session, cart: Cart) -> int:
    """What medical insurance may pay of ``cart``: its eligible lines' totals, after discounts."""
    ids = {line.product_id for line in cart.lines}
    products = session.scalars(select(Product).where(Product.id.in_(ids)))
    eligible = {product.id for product in products if product.insurable}
    return sum(line.total_fen for line in cart.lines if line.product_id in eligible)


SELLABLE_LOTS = (
    select(Lot)
    .where(
        Lot.product_id.in_(bindparam("product_ids", expanding=True)),
        Lot.expiry >= bindparam("today"),
        Lot.quantity > 0,
    )
    .order_by(Lot.expiry, Lot.id)
)
"""The lots of some products that may be sold on a day (built once: a sale runs it)."""


def sellable_lots(session: Session, cart: Cart, today: date) -> dict[int, list[Lot]]:
    """The lots of the cart's products that may be sold (not expired, in stock), by product,
    first-expiring-first: all of them in one query."""
    lots: dict[int, list[Lot]] = {line.product_id: [] for line in cart.lines}
    for lot in session.scalars(SELLABLE_LOTS, {"product_ids": list(lots), "today": today}):
        lots[lot.product_id].append(lot)
    return lots


def allocate(line: CartLine, lots: list[Lot]) -> list[tuple[Lot, int]]:
    """Pick ``line``'s units from its product's sellable ``lots`` (first-expiring-first),
    skipping those an earlier line of the sale emptied; the caller takes them out."""
    picks: list[tuple[Lot, int]] = []
    needed = line.qty
    for lot in lots:
        if lot.quantity <= 0:  # emptied by an earlier line of this sale
            continue
        take = min(needed, lot.quantity)
        picks.append((lot, take))
        needed -= take
        if needed == 0:
            return picks
    if line.stock_override:  # a manager approved selling past the recorded stock
        return picks
    available = line.qty - needed
    raise StockError(
        _("Only {available} of {name} in stock (not expired); the cart has {qty}").format(
            available=available, name=line.name, qty=line.qty
        )
    )


def complete_sale(session: Session, cart: Cart, tendering: Tendering, context: SaleContext) -> Sale:
    """Store the sale in ``session`` (the caller commits). Raises on short stock or payment.

    The sale, its lines, lots, payments and stock movements and the lots' new quantities
    are flushed at once (the sale then has its id).
    """
    if not cart.lines:
        raise InputError(_("The cart is empty"))
    if tendering.total_fen != cart.total_fen or not tendering.is_paid:
        raise InputError(_("The sale is not paid in full"))
    seq = next_seq(session, context)
    lots = sellable_lots(session, cart, context.business_date)
    # The lines, lots and payments are attached before the sale joins the session, and
    # its prescription and restricted-register rows set to none: the new sale's
    # collections are never loaded from the database (they are known to be empty).
    movements: list[tuple[Lot, int]] = []
    sale_lines = []
    for line_no, line in enumerate(cart.lines, start=1):
        sale_line = SaleLine(
            line_no=line_no,
            product_id=line.product_id,
            sku=line.sku,
            barcode=line.barcode,
            name=line.name,
            spec=line.spec,
            qty=line.qty,
            unit_price_fen=line.unit_price_fen,
            discount_fen=line.discount_fen,
            total_fen=line.total_fen,
            promotion_id=line.promotion_id,
            guidance_given=line.guidance_given,
            suggested_by=line.suggested_by,
        )
        for lot, qty in allocate(line, lots[line.product_id]):
            sale_line.lots.append(
                SaleLineLot(lot_id=lot.id, lot_number=lot.lot_number, expiry=lot.expiry, qty=qty)
            )
            lot.quantity -= qty
            movements.append((lot, qty))
        sale_lines.append(sale_line)
    sale = Sale(
        number=sale_number(context.store_code, context.register_id, context.business_date, seq),
        store_code=context.store_code,
        register_id=context.register_id,
        business_date=context.business_date,
        seq=seq,
        cashier=context.cashier,
        member=context.member,
        member_id=context.member_id,
        completed_at=context.completed_at,
        subtotal_fen=cart.subtotal_fen,
        discount_fen=cart.discount_fen,
        total_fen=cart.total_fen,
        change_fen=tendering.change_fen,
        rounding_fen=tendering.rounding_fen,
        lines=sale_lines,
        prescription=None,  # the register's safety records add them (the receipt reads them)
        restricted=[],
        payments=[
            Payment(
                seq=seq_no,
                tender=payment.tender,
                amount_fen=payment.amount_fen,
                tendered_fen=payment.tendered_fen,
            )
            for seq_no, payment in enumerate(
                # a rest rounded to nothing is settled by a cash payment of 0: not a payment
                (payment for payment in tendering.payments if payment.amount_fen),
                start=1,
            )
        ],
    )
    session.add(sale)
    session.add_all(
        StockMovement(
            lot_id=lot.id, delta=-qty, reason="sale", sale=sale, created_at=context.completed_at
        )
        for lot, qty in movements
    )
    session.flush()
    return sale
