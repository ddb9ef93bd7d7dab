"""Sales and stock exports after real sales through the register on the demo store."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.pharmacy.safety import mask_id
from pos.domain.sales.codes import InputError
from pos.enums import Tender
from pos.models import (
    Barcode,
    Lot,
    Prescription,
    Product,
    RestrictedSale,
    Sale,
    StockMovement,
    TraceCode,
)
from pos.register.service import RegisterIdentity, RegisterService
from pos.register.views import CompletedSale
from pos.transfer.exports import (
    export_sales_csv,
    export_sales_jsonl,
    export_stock_csv,
)

# The same moment and business day as the conftest's fixed clock.
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)

SALE_FIELDS = {
    "number", "completed_at", "store", "register", "cashier", "member", "lines",
    "payments", "subtotal_fen", "discount_fen", "total_fen", "change_fen",
    "points_earned", "points_redeemed", "prescription", "restricted_buyer",
    "type", "original", "rounding_fen", "insured_fen", "rating",
}  # fmt: skip
LINE_FIELDS = (
    "sku", "barcode", "name", "qty", "unit_price_fen", "discount_fen", "total_fen",
    "lot", "expiry", "guidance_given", "trace_codes",
)  # fmt: skip
SALE_CSV_HEADER = [
    "number", "completed_at", "store", "register", "cashier", "member",
    "line_no", "sku", "barcode", "name", "qty", "unit_price_fen", "discount_fen", "total_fen",
    "lot", "expiry", "sale_subtotal_fen", "sale_discount_fen", "sale_total_fen",
    "sale_change_fen", "payments", "points_earned", "points_redeemed",
    "guidance_given", "trace_codes", "prescription_number", "prescriber",
    "prescription_issued_on", "patient_name", "pharmacist", "restricted_buyer",
    "promotion", "suggested_by", "type", "original", "insured_fen", "rating",
]  # fmt: skip

# 999感冒灵颗粒: lot 25032401 expires TODAY+120 (30 on hand), 26071702 TODAY+600 (100).
GANMAOLING = "P00001"
GANMAOLING_PRICE = 1580
EARLY_LOT, EARLY_EXPIRY = "25032401", TODAY + timedelta(days=120)
LATE_LOT, LATE_EXPIRY = "26071702", TODAY + timedelta(days=600)
VITAMIN_C = "P00063"  # an expired lot and H260305 (TODAY+466, 120 on hand)
EXPIRED_ONLY = ("P00032", "P00079", "P00133")
OUT_OF_STOCK = "P00020"


def barcode(sessions: sessionmaker[Session], sku: str) -> str:
    """The first barcode of the demo product ``sku``."""
    with sessions() as session:
        code = session.scalar(
            select(Barcode.code)
            .join(Product, Product.id == Barcode.product_id)
            .where(Product.sku == sku)
            .order_by(Barcode.position)
            .limit(1)
        )
    assert code is not None
    return code


def price(sessions: sessionmaker[Session], sku: str) -> int:
    """The price in fen of the demo product ``sku``."""
    with sessions() as session:
        fen = session.scalar(select(Product.price_fen).where(Product.sku == sku))
    assert fen is not None
    return fen


def pay(
    register: RegisterService, card_fen: int = 1000, cash_fen: int | None = None
) -> CompletedSale:
    """Pay part by card, the rest in cash, and store the sale."""
    tendering = register.start_payment()
    tendering.add(Tender.CARD, card_fen)
    tendering.add(Tender.CASH, cash_fen)
    return register.complete(tendering)


def jsonl_records(sessions: sessionmaker[Session], since: datetime | None = None) -> list[Any]:
    """The JSON-lines sales export, parsed."""
    with sessions() as session:
        text = "".join(export_sales_jsonl(session, since))
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def csv_rows(sessions: sessionmaker[Session]) -> list[list[str]]:
    """The CSV sales export, parsed (header first)."""
    with sessions() as session:
        text = "".join(export_sales_csv(session))
    return list(csv.reader(io.StringIO(text)))


def stock_rows(sessions: sessionmaker[Session]) -> list[list[str]]:
    """The stock export, parsed (header first)."""
    with sessions() as session:
        text = "".join(export_stock_csv(session))
    return list(csv.reader(io.StringIO(text)))


def lot_quantities(sessions: sessionmaker[Session], sku: str) -> dict[str, int]:
    """Lot number → quantity on hand for ``sku``."""
    with sessions() as session:
        rows = session.execute(
            select(Lot.lot_number, Lot.quantity)
            .join(Product, Product.id == Lot.product_id)
            .where(Product.sku == sku)
        )
        return {lot: quantity for lot, quantity in rows}


def sale_count(sessions: sessionmaker[Session]) -> int:
    """Sales stored."""
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Sale)) or 0


@pytest.fixture
def ganmaoling(demo_sessions: sessionmaker[Session]) -> str:
    """The barcode of 999感冒灵颗粒 (P00001)."""
    return barcode(demo_sessions, GANMAOLING)


# -- first-expiring-first ----------------------------------------------------


def test_sale_across_two_lots_exports_one_entry_per_lot(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    register.scan(f"35*{ganmaoling}")
    pay(register)

    [record] = jsonl_records(demo_sessions)
    early, late = record["lines"]
    assert (early["lot"], early["expiry"], early["qty"]) == (
        EARLY_LOT,
        EARLY_EXPIRY.isoformat(),
        30,
    )
    assert (late["lot"], late["expiry"], late["qty"]) == (LATE_LOT, LATE_EXPIRY.isoformat(), 5)
    assert early["total_fen"] == 30 * GANMAOLING_PRICE
    assert late["total_fen"] == 5 * GANMAOLING_PRICE
    assert early["total_fen"] + late["total_fen"] == record["total_fen"] == 35 * GANMAOLING_PRICE
    assert early["discount_fen"] + late["discount_fen"] == record["discount_fen"] == 0
    assert early["sku"] == late["sku"] == GANMAOLING
    assert early["barcode"] == late["barcode"] == ganmaoling


def test_sale_takes_stock_from_the_earliest_lot_first(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    register.scan(f"35*{ganmaoling}")
    sale = pay(register)

    assert lot_quantities(demo_sessions, GANMAOLING) == {EARLY_LOT: 0, LATE_LOT: 95}
    with demo_sessions() as session:
        moves = session.execute(
            select(Lot.lot_number, StockMovement.delta)
            .join(Lot, Lot.id == StockMovement.lot_id)
            .join(Sale, Sale.id == StockMovement.sale_id)
            .where(Sale.number == sale.number, StockMovement.reason == "sale")
            .order_by(StockMovement.id)
        )
        assert [(lot, delta) for lot, delta in moves] == [(EARLY_LOT, -30), (LATE_LOT, -5)]


def test_small_sale_comes_from_the_earliest_lot_only(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    register.scan(f"3*{ganmaoling}")
    pay(register)

    [record] = jsonl_records(demo_sessions)
    assert [(entry["lot"], entry["qty"]) for entry in record["lines"]] == [(EARLY_LOT, 3)]
    assert lot_quantities(demo_sessions, GANMAOLING) == {EARLY_LOT: 27, LATE_LOT: 100}


# -- the JSON-lines record ---------------------------------------------------


def test_jsonl_record_fields(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    vitamin_c = barcode(demo_sessions, VITAMIN_C)
    vitamin_c_price = price(demo_sessions, VITAMIN_C)
    register.scan(ganmaoling)
    register.scan(f"3*{vitamin_c}")
    total = GANMAOLING_PRICE + 3 * vitamin_c_price
    pay(register, card_fen=1000, cash_fen=20000)

    [record] = jsonl_records(demo_sessions)
    assert set(record) == SALE_FIELDS
    assert record["number"] == "S001-01-20260310-0001"
    assert record["completed_at"] == "2026-03-10T02:00:00Z"
    assert (record["store"], record["register"]) == ("001", "01")
    assert record["cashier"] is None
    assert record["member"] is None
    assert (record["points_earned"], record["points_redeemed"]) == (0, 0)
    assert [{name: entry[name] for name in LINE_FIELDS} for entry in record["lines"]] == [
        {
            "sku": GANMAOLING,
            "barcode": ganmaoling,
            "name": "999感冒灵颗粒",
            "qty": 1,
            "unit_price_fen": GANMAOLING_PRICE,
            "discount_fen": 0,
            "total_fen": GANMAOLING_PRICE,
            "lot": EARLY_LOT,
            "expiry": EARLY_EXPIRY.isoformat(),
            "guidance_given": False,
            "trace_codes": [],
        },
        {
            "sku": VITAMIN_C,
            "barcode": vitamin_c,
            "name": "维生素C片",
            "qty": 3,
            "unit_price_fen": vitamin_c_price,
            "discount_fen": 0,
            "total_fen": 3 * vitamin_c_price,
            "lot": "H260305",
            "expiry": (TODAY + timedelta(days=466)).isoformat(),
            "guidance_given": False,
            "trace_codes": [],
        },
    ]
    assert record["prescription"] is None and record["restricted_buyer"] is None
    assert record["payments"] == [
        {"tender": "card", "amount_fen": 1000},
        {"tender": "cash", "amount_fen": total - 1000, "tendered_fen": 20000},
    ]
    assert (record["subtotal_fen"], record["discount_fen"], record["total_fen"]) == (
        total,
        0,
        total,
    )
    assert record["change_fen"] == 20000 - (total - 1000)


def test_jsonl_line_entries_have_the_documented_fields_and_line_no(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    register.scan(ganmaoling)
    pay(register)

    [record] = jsonl_records(demo_sessions)
    # The contract's fields, extended with line_no (README: entries of one sale
    # line split over lots share it).
    assert [set(entry) for entry in record["lines"]] == [
        {*LINE_FIELDS, "line_no", "promotion", "suggested_by"}
    ]


def test_jsonl_exact_cash_has_tendered_equal_to_amount_and_no_change(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    register.scan(f"2*{ganmaoling}")
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    register.complete(tendering)

    [record] = jsonl_records(demo_sessions)
    assert record["payments"] == [
        {"tender": "cash", "amount_fen": 3160, "tendered_fen": 3160},
    ]
    assert record["change_fen"] == 0


def test_jsonl_non_cash_payments_have_no_tendered_field(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    register.scan(ganmaoling)
    tendering = register.start_payment()
    tendering.add(Tender.WECHAT, 580)
    tendering.add(Tender.CARD, None)
    register.complete(tendering)

    [record] = jsonl_records(demo_sessions)
    assert record["payments"] == [
        {"tender": "wechat", "amount_fen": 580},
        {"tender": "card", "amount_fen": 1000},
    ]


def test_sale_numbers_count_up_per_business_day(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    register.scan(ganmaoling)
    first = pay(register)
    register.scan(ganmaoling)
    second = pay(register)

    assert (first.number, second.number) == ("S001-01-20260310-0001", "S001-01-20260310-0002")
    assert [record["number"] for record in jsonl_records(demo_sessions)] == [
        "S001-01-20260310-0001",
        "S001-01-20260310-0002",
    ]


def test_no_sales_exports_nothing(demo_sessions: sessionmaker[Session]) -> None:
    assert jsonl_records(demo_sessions) == []
    assert csv_rows(demo_sessions) == [SALE_CSV_HEADER]


# -- --since -----------------------------------------------------------------


@pytest.fixture
def two_sales(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    """One sale at NOW and one an hour later, on the same register."""
    register.scan(ganmaoling)
    pay(register)
    later = RegisterService(
        demo_sessions,
        RegisterIdentity("001", "01"),
        lambda: NOW + timedelta(hours=1),
    )
    later.scan(f"2*{ganmaoling}")
    pay(later)


@pytest.mark.parametrize(
    ("since", "numbers"),
    [
        (None, ["0001", "0002"]),
        (NOW, ["0001", "0002"]),
        (NOW + timedelta(seconds=1), ["0002"]),
        (NOW + timedelta(hours=1), ["0002"]),
        (datetime(2026, 3, 10, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai")), ["0002"]),
        (NOW + timedelta(hours=2), []),
    ],
    ids=["all", "at-first", "after-first", "at-second", "shanghai-time", "after-both"],
)
def test_since_keeps_sales_completed_at_or_after(
    two_sales: None,
    demo_sessions: sessionmaker[Session],
    since: datetime | None,
    numbers: list[str],
) -> None:
    records = jsonl_records(demo_sessions, since)

    assert [record["number"][-4:] for record in records] == numbers


def test_completed_at_is_utc_with_z(two_sales: None, demo_sessions: sessionmaker[Session]) -> None:
    records = jsonl_records(demo_sessions)

    assert [record["completed_at"] for record in records] == [
        "2026-03-10T02:00:00Z",
        "2026-03-10T03:00:00Z",
    ]


# -- CSV -----------------------------------------------------------------------


def test_csv_export_has_one_row_per_lot_entry(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    vitamin_c = barcode(demo_sessions, VITAMIN_C)
    register.scan(f"35*{ganmaoling}")
    register.scan(f"3*{vitamin_c}")
    pay(register, card_fen=1000, cash_fen=100000)
    register.scan(ganmaoling)
    pay(register)

    header, *rows = csv_rows(demo_sessions)
    assert header == SALE_CSV_HEADER
    assert len(rows) == 4
    column = {name: index for index, name in enumerate(header)}
    assert [(row[column["number"]][-4:], row[column["line_no"]]) for row in rows] == [
        ("0001", "1"),
        ("0001", "1"),
        ("0001", "2"),
        ("0002", "1"),
    ]
    assert [row[column["lot"]] for row in rows[:2]] == [EARLY_LOT, LATE_LOT]
    first = rows[0]
    assert first[column["cashier"]] == first[column["member"]] == ""
    assert first[column["points_earned"]] == first[column["points_redeemed"]] == "0"
    total = int(first[column["sale_total_fen"]])
    assert sum(int(row[column["total_fen"]]) for row in rows[:3]) == total
    assert first[column["payments"]] == f"card:1000|cash:{total - 1000}:100000"
    assert rows[3][column["payments"]] == "card:1000|cash:580:580"


def test_csv_and_jsonl_agree(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    register.scan(f"35*{ganmaoling}")
    pay(register)

    [record] = jsonl_records(demo_sessions)
    header, *rows = csv_rows(demo_sessions)
    as_dicts = [dict(zip(header, row, strict=True)) for row in rows]
    assert [
        (row["lot"], row["expiry"], int(row["qty"]), int(row["total_fen"])) for row in as_dicts
    ] == [
        (entry["lot"], entry["expiry"], entry["qty"], entry["total_fen"])
        for entry in record["lines"]
    ]
    assert {row["completed_at"] for row in as_dicts} == {record["completed_at"]}


# -- pharmacy records: guidance, traceability codes, prescription, restricted buyer --

CODES = ("81234560000000000011", "81234560000000000028")
BUYER_ID = "11010519491231002X"


def record_pharmacy_details(sessions: sessionmaker[Session], number: str) -> None:
    """What the counter records with a sale: guidance on line 1, its boxes' codes, an Rx
    review and a restricted-sales register entry (written here as the register would)."""
    with sessions.begin() as session:
        sale = session.scalars(select(Sale).where(Sale.number == number)).one()
        line = sale.lines[0]
        line.guidance_given = True
        session.add_all(TraceCode(code=code, sale_line_id=line.id, sold_at=NOW) for code in CODES)
        session.add(
            Prescription(
                sale_id=sale.id,
                number="RX-2026-0310-17",
                prescriber="杭州市第一人民医院 张医生",
                issued_on=TODAY,
                patient_name="王小明",
                pharmacist_id="yaoshi01",
                reviewed_at=NOW,
            )
        )
        session.add(
            RestrictedSale(
                sale_id=sale.id, rule="ephedrine", sku=line.sku, product_name=line.name,
                spec=line.spec, manufacturer="", lots="", qty=1, buyer_name="王小明",
                buyer_id_number=BUYER_ID, sold_at=NOW,
            )
        )  # fmt: skip


def test_mask_id() -> None:
    assert mask_id("110105194912310123") == "110105********0123"
    assert mask_id(BUYER_ID) == "110105********002X"
    assert mask_id("12345") == "*****"


def test_jsonl_has_guidance_trace_codes_prescription_and_masked_buyer(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    register.scan(f"35*{ganmaoling}")  # two lots: two entries for line 1
    register.scan(barcode(demo_sessions, VITAMIN_C))
    sale = pay(register)
    record_pharmacy_details(demo_sessions, sale.number)

    [record] = jsonl_records(demo_sessions)
    early, late, vitamin_c = record["lines"]
    assert (early["guidance_given"], late["guidance_given"]) == (True, True)
    assert early["trace_codes"] == list(CODES)
    assert late["trace_codes"] == []  # the whole list is on the line's first entry
    assert (vitamin_c["guidance_given"], vitamin_c["trace_codes"]) == (False, [])
    assert record["prescription"] == {
        "number": "RX-2026-0310-17",
        "prescriber": "杭州市第一人民医院 张医生",
        "issued_on": "2026-03-10",
        "patient_name": "王小明",
        "pharmacist": "yaoshi01",
    }
    assert record["restricted_buyer"] == "110105********002X"
    assert BUYER_ID not in json.dumps(record)


def test_csv_has_the_pharmacy_columns(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    register.scan(f"35*{ganmaoling}")
    sale = pay(register)
    record_pharmacy_details(demo_sessions, sale.number)
    register.scan(ganmaoling)
    pay(register)

    header, *rows = csv_rows(demo_sessions)
    assert header == SALE_CSV_HEADER
    first, second, other = (dict(zip(header, row, strict=True)) for row in rows)
    assert (first["guidance_given"], first["trace_codes"]) == ("yes", "|".join(CODES))
    assert (second["guidance_given"], second["trace_codes"]) == ("yes", "")
    assert (first["prescription_number"], first["prescriber"]) == (
        "RX-2026-0310-17",
        "杭州市第一人民医院 张医生",
    )
    assert (first["prescription_issued_on"], first["patient_name"], first["pharmacist"]) == (
        "2026-03-10",
        "王小明",
        "yaoshi01",
    )
    assert first["restricted_buyer"] == second["restricted_buyer"] == "110105********002X"
    assert (other["guidance_given"], other["trace_codes"], other["prescription_number"]) == (
        "no",
        "",
        "",
    )
    assert other["restricted_buyer"] == other["pharmacist"] == ""


def test_export_queries_do_not_grow_with_the_number_of_sales(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    def statements_for_export() -> int:
        statements: list[str] = []

        def count(conn: Connection, cursor: object, statement: str, *args: object) -> None:
            statements.append(statement)

        with demo_sessions() as session:
            engine = session.get_bind()
            event.listen(engine, "before_cursor_execute", count)
            try:
                lines = list(export_sales_jsonl(session))
            finally:
                event.remove(engine, "before_cursor_execute", count)
        assert lines
        return len(statements)

    register.scan(ganmaoling)
    record_pharmacy_details(demo_sessions, pay(register).number)
    one_sale = statements_for_export()
    for _ in range(4):
        register.scan(f"2*{ganmaoling}")
        record_pharmacy_details(demo_sessions, pay(register).number)

    assert statements_for_export() == one_sale <= 10  # 9 for the sales (ratings too), 1 for returns


# -- stock export --------------------------------------------------------------


def test_stock_export_reflects_a_sale(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    _header, *before = stock_rows(demo_sessions)
    register.scan(f"35*{ganmaoling}")
    pay(register)

    header, *rows = stock_rows(demo_sessions)
    assert header == ["sku", "lot", "expiry", "quantity"]
    assert len(rows) == len(before)
    assert [row for row in rows if row[0] == GANMAOLING] == [
        [GANMAOLING, EARLY_LOT, EARLY_EXPIRY.isoformat(), "0"],
        [GANMAOLING, LATE_LOT, LATE_EXPIRY.isoformat(), "95"],
    ]
    assert [row for row in before if row[0] == GANMAOLING] == [
        [GANMAOLING, EARLY_LOT, EARLY_EXPIRY.isoformat(), "30"],
        [GANMAOLING, LATE_LOT, LATE_EXPIRY.isoformat(), "100"],
    ]
    others = [row for row in rows if row[0] != GANMAOLING]
    assert others == [row for row in before if row[0] != GANMAOLING]


def test_stock_export_is_sorted_by_sku_then_expiry(demo_sessions: sessionmaker[Session]) -> None:
    _header, *rows = stock_rows(demo_sessions)

    keys = [(row[0], row[2]) for row in rows]
    assert keys == sorted(keys)
    assert len(rows) > 150


# -- what cannot be sold -------------------------------------------------------


@pytest.mark.parametrize("sku", EXPIRED_ONLY)
def test_product_with_only_expired_stock_cannot_be_added(
    register: RegisterService, demo_sessions: sessionmaker[Session], sku: str
) -> None:
    code = barcode(demo_sessions, sku)

    with pytest.raises(InputError, match="expired"):
        register.scan(code)
    assert register.cart().lines == ()


def test_out_of_stock_product_cannot_be_added(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode(demo_sessions, OUT_OF_STOCK)

    with pytest.raises(InputError, match="out of stock"):
        register.scan(code)
    assert register.cart().lines == ()


def test_more_than_the_sellable_stock_cannot_be_added(
    register: RegisterService, ganmaoling: str
) -> None:
    with pytest.raises(InputError, match="130"):
        register.scan(f"131*{ganmaoling}")
    assert register.cart().lines == ()


def test_short_payment_stores_nothing(
    register: RegisterService, demo_sessions: sessionmaker[Session], ganmaoling: str
) -> None:
    register.scan(f"35*{ganmaoling}")
    tendering = register.start_payment()
    tendering.add(Tender.CARD, 1000)

    with pytest.raises(InputError, match="not paid"):
        register.complete(tendering)

    assert sale_count(demo_sessions) == 0
    assert jsonl_records(demo_sessions) == []
    assert lot_quantities(demo_sessions, GANMAOLING) == {EARLY_LOT: 30, LATE_LOT: 100}
    with demo_sessions() as session:
        sale_moves = session.scalar(
            select(func.count()).select_from(StockMovement).where(StockMovement.reason == "sale")
        )
    assert sale_moves == 0
    assert register.cart().lines[0].qty == 35
