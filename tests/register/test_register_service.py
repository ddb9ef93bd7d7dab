"""The register service: codes of every kind found, text that is no code sent to search,
search by every key, and a sale completed in one transaction or not at all."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.sales.codes import InputError
from pos.enums import Tender
from pos.models import Lot, Product, Sale, StockMovement
from pos.register.service import NotACode, RegisterService
from tests.helpers import barcode_of


def test_register_finds_upc_read_as_ean13_and_internal_codes(register: RegisterService) -> None:
    cart = register.scan("0031604026172").cart  # UPC-A 031604026172 with the scanner's leading 0
    assert cart.lines[0].sku == "P00082"
    cart = register.scan("A1001").cart
    assert cart.lines[-1].sku == "P00153"
    cart = register.scan("p00063").cart  # a SKU typed by hand
    assert cart.lines[-1].sku == "P00063"


def test_register_text_that_is_not_a_code_asks_for_search(register: RegisterService) -> None:
    with pytest.raises(NotACode) as caught:
        register.scan("2*gmlkl")
    assert (caught.value.query, caught.value.qty) == ("gmlkl", 2)
    with pytest.raises(InputError, match=r"(?i)traceability code .*scan its product first"):
        register.scan("81234567890123456789")


def test_search_finds_by_every_key(register: RegisterService) -> None:
    for query in ("gmlkl", "感冒灵", "ganmaoling", "Ganmaoling", "P00001", "6930496010716"):
        skus = [product.sku for product in register.search(query)]
        assert skus and skus[0] == "P00001", query
    assert register.search("白加黑")[0].sku == "P00002"
    assert "P00001" in [product.sku for product in register.search("6930496")]  # barcode prefix
    assert register.search("   ") == []
    assert register.search("%_") == []


def test_complete_sale_is_one_transaction_with_fefo_and_movements(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    register.scan("35*" + barcode_of(demo_sessions, "P00001"))
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    sale = register.complete(tendering)
    assert sale.number == "S001-01-20260310-0001"
    assert register.cart().lines == ()
    with demo_sessions() as session:
        movements = session.scalars(select(StockMovement).where(StockMovement.reason == "sale"))
        assert sorted(movement.delta for movement in movements) == [-30, -5]


def test_failed_completion_stores_nothing_and_keeps_the_cart(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    register.scan("5*" + barcode_of(demo_sessions, "P00001"))
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    with demo_sessions.begin() as session:  # another register sold the stock meanwhile
        product = session.scalars(select(Product).where(Product.sku == "P00001")).one()
        for lot in session.scalars(select(Lot).where(Lot.product_id == product.id)):
            lot.quantity = 1
    with pytest.raises(InputError, match="Only 2"):
        register.complete(tendering)
    assert register.cart().lines[0].qty == 5
    with demo_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Sale)) == 0
        assert (
            session.scalar(
                select(func.count())
                .select_from(StockMovement)
                .where(StockMovement.reason == "sale")
            )
            == 0
        )
