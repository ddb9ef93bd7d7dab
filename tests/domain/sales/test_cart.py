"""The cart: a product scanned again merges into its line, totals add up, and a
quantity is checked against the stock that may be sold (not expired)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.sales.codes import InputError
from pos.models import Lot, Product
from pos.register.service import RegisterService
from tests.helpers import barcode_of


def test_register_scan_merges_lines_and_totals(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00001")
    register.scan(code)
    cart = register.scan(f"2*{code}").cart
    assert len(cart.lines) == 1
    assert cart.lines[0].qty == 3
    assert cart.total_fen == 3 * 1580
    assert cart.last_index == 0


def test_quantity_is_checked_against_sellable_stock(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00003")  # one expired lot and one good lot
    with demo_sessions() as session:
        product = session.scalars(select(Product).where(Product.sku == "P00003")).one()
        good = sum(
            lot.quantity
            for lot in session.scalars(select(Lot).where(Lot.product_id == product.id))
            if lot.expiry >= register.today()
        )
    register.scan(code)
    with pytest.raises(InputError, match=f"Only {good}"):
        register.set_quantity(0, str(good + 1))
    assert register.set_quantity(0, str(good)).lines[0].qty == good
