"""Unit tests of the domain: money, codes, pinyin, cart, tendering, the register service."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.catalogue import pinyin
from pos.domain.sales.codes import (
    InputError,
    classify_barcode,
    lookup_candidates,
    parse_barcode_field,
    parse_quantity,
    parse_scan,
)
from pos.domain.sales.tendering import Tendering
from pos.enums import BarcodeKind, Tender
from pos.models import Lot, Product, Sale, StockMovement
from pos.money import MoneyError, format_fen, parse_yuan
from pos.register.service import NotACode, RegisterService
from tests.helpers import barcode_of


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12.5", 1250), ("12.50", 1250), ("0", 0), ("0.01", 1), ("¥3", 300), (" 7.05 ", 705)],
)
def test_parse_yuan(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize("text", ["", "-1", "1.234", "1,5", "abc", "1e3", "١٢"])
def test_parse_yuan_rejects(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_yuan(text)


def test_format_fen() -> None:
    assert format_fen(1250) == "12.50"
    assert format_fen(-5) == "-0.05"
    assert format_fen(0, sign="¥") == "¥0.00"


@pytest.mark.parametrize("text", ["0", "10000", "a", "1.5", "-2", "", "²", "①"])
def test_parse_quantity_rejects(text: str) -> None:
    with pytest.raises(InputError):
        parse_quantity(text)


def test_parse_scan() -> None:
    assert parse_scan("6930496010716").qty == 1
    request = parse_scan(" 12 * 6930496010716 ")
    assert (request.qty, request.code) == (12, "6930496010716")
    assert parse_scan("3×69031656").qty == 3
    with pytest.raises(InputError):
        parse_scan("3*")


def test_classify_barcode() -> None:
    assert classify_barcode("6930496010716") is BarcodeKind.EAN13
    assert classify_barcode("69031656") is BarcodeKind.EAN8
    assert classify_barcode("031604026172") is BarcodeKind.UPCA
    with pytest.raises(InputError, match="check digit"):
        classify_barcode("6930496010717")
    with pytest.raises(InputError, match="8, 12 or 13"):
        classify_barcode("12345")
    assert parse_barcode_field("int:A1001") == ("A1001", BarcodeKind.INTERNAL)
    assert lookup_candidates("0031604026172") == ["0031604026172", "031604026172"]


def test_pinyin_keys() -> None:
    assert pinyin.initials("999感冒灵颗粒") == "999gmlkl"
    assert pinyin.full("感冒灵") == "ganmaoling"
    assert pinyin.initials("白加黑 氨酚伪麻美芬片") == "bjhafwmmfp"


def test_tendering_split_and_change() -> None:
    tendering = Tendering(10_000)
    tendering.add(Tender.CARD, 3_000)
    with pytest.raises(InputError, match="Only cash"):
        tendering.add(Tender.WECHAT, 8_000)
    tendering.add(Tender.CASH, 5_000)
    assert tendering.remaining_fen == 2_000 and not tendering.is_paid
    payment = tendering.add(Tender.CASH, 5_000)
    assert (payment.amount_fen, payment.tendered_fen, tendering.change_fen) == (2_000, 5_000, 3_000)
    assert tendering.is_paid
    with pytest.raises(InputError):
        tendering.add(Tender.CASH, None)
    assert tendering.undo() == payment
    assert tendering.change_fen == 0 and tendering.remaining_fen == 2_000
    with pytest.raises(InputError):
        tendering.add(Tender.CARD, 0)


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


def test_unpaid_sale_cannot_complete(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    register.scan(barcode_of(demo_sessions, "P00001"))
    tendering = register.start_payment()
    tendering.add(Tender.CASH, 100)
    with pytest.raises(InputError, match="not paid"):
        register.complete(tendering)
