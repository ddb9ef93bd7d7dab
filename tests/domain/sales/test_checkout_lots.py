"""Lots taken by a sale whose lines share a product: each line takes what the lines before
it left, and never a pick of nothing from a lot an earlier line emptied."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.sales.cart import Cart, CartLine
from pos.domain.sales.checkout import SaleContext, StockError, complete_sale
from pos.domain.sales.tendering import Tendering
from pos.enums import DrugClass, Tender
from pos.models import Lot, Product, SaleLine, StockMovement

TODAY = date(2026, 3, 10)


def _line(product: Product, qty: int) -> CartLine:
    return CartLine(
        product_id=product.id,
        sku=product.sku,
        barcode=None,
        name=product.name,
        spec=product.spec,
        unit=product.unit,
        unit_price_fen=product.price_fen,
        drug_class=DrugClass.NONE,
        qty=qty,
    )


def _sell(session: Session, lines: list[CartLine]) -> list[SaleLine]:
    """Complete a cash sale of ``lines`` in ``session``; its stored lines."""
    cart = Cart(lines)
    tendering = Tendering(cart.total_fen)
    tendering.add(Tender.CASH, None)
    context = SaleContext("001", "01", datetime(2026, 3, 10, 2, tzinfo=UTC), TODAY)
    return list(complete_sale(session, cart, tendering, context).lines)


def test_lines_of_one_product_share_its_lots_first_expiring_first(
    demo_sessions: sessionmaker[Session],
) -> None:
    with demo_sessions.begin() as session:
        product = session.scalars(select(Product).where(Product.sku == "P00001")).one()
        lots = session.scalars(
            select(Lot)
            .where(Lot.product_id == product.id, Lot.expiry >= TODAY, Lot.quantity > 0)
            .order_by(Lot.expiry, Lot.id)
        ).all()
        first, second = lots[0], lots[1]
        before = {lot.id: lot.quantity for lot in lots}
        # the first line empties the first lot exactly; the second starts on the next lot
        sale = _sell(session, [_line(product, first.quantity), _line(product, 2)])
        assert [[(lot.lot_id, lot.qty) for lot in line.lots] for line in sale] == [
            [(first.id, before[first.id])],
            [(second.id, 2)],
        ]
    with demo_sessions() as session:
        assert session.get_one(Lot, first.id).quantity == 0
        assert session.get_one(Lot, second.id).quantity == before[second.id] - 2
        deltas = session.scalars(
            select(StockMovement.delta)
            .where(StockMovement.reason == "sale")
            .order_by(StockMovement.id)
        ).all()
        assert deltas == [-before[first.id], -2]


def test_a_second_line_past_what_the_first_left_is_refused(
    demo_sessions: sessionmaker[Session],
) -> None:
    with demo_sessions() as session:
        product = session.scalars(select(Product).where(Product.sku == "P00001")).one()
        stock = sum(
            session.scalars(
                select(Lot.quantity).where(
                    Lot.product_id == product.id, Lot.expiry >= TODAY, Lot.quantity > 0
                )
            )
        )
        with pytest.raises(StockError, match="Only 1 "):
            _sell(session, [_line(product, stock - 1), _line(product, 2)])
