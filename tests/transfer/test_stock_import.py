"""``pos.transfer.imports``: the stock CSV contract, on a real SQLite file."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.models import (
    Lot,
    Product,
    StockMovement,
)
from pos.transfer.imports import (
    STOCK_COLUMNS,
    FileFormatError,
    RowError,
    import_stock,
)
from tests.catalogue_csv import (
    EAN13_B,
    error_lines,
    load_products,
    load_stock,
    product_row,
    products_csv,
    stock_csv,
    to_csv,
)


@pytest.fixture
def catalogue(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """The empty database with products T001 and T002."""
    report = load_products(
        sessions,
        products_csv(product_row(sku="T001"), product_row(sku="T002", barcodes=EAN13_B)),
    )
    assert report.errors == []
    return sessions


def lots(sessions: sessionmaker[Session]) -> list[tuple[str, str, date, int]]:
    """(sku, lot, expiry, quantity) of every lot, sorted."""
    with sessions() as session:
        rows = session.execute(
            select(Product.sku, Lot.lot_number, Lot.expiry, Lot.quantity)
            .join(Lot, Lot.product_id == Product.id)
            .order_by(Product.sku, Lot.lot_number)
        )
        return [(sku, lot, expiry, quantity) for sku, lot, expiry, quantity in rows]


def movements(sessions: sessionmaker[Session]) -> list[tuple[str, int, str]]:
    """(lot, delta, reason) of every stock movement, oldest first."""
    with sessions() as session:
        rows = session.execute(
            select(Lot.lot_number, StockMovement.delta, StockMovement.reason)
            .join(Lot, Lot.id == StockMovement.lot_id)
            .order_by(StockMovement.id)
        )
        return [(lot, delta, reason) for lot, delta, reason in rows]


def test_stock_import_creates_lots_and_movements(catalogue: sessionmaker[Session]) -> None:
    report = load_stock(
        catalogue,
        stock_csv(
            ["T001", "L1", "2027-01-31", "10"],
            ["T001", "L2", "2028-06-30", "5"],
            ["T002", "L1", "2026-12-01", "0"],
        ),
    )

    assert report.errors == []
    assert report.applied is True
    assert report.created == 3
    assert lots(catalogue) == [
        ("T001", "L1", date(2027, 1, 31), 10),
        ("T001", "L2", date(2028, 6, 30), 5),
        ("T002", "L1", date(2026, 12, 1), 0),
    ]
    assert movements(catalogue) == [("L1", 10, "import"), ("L2", 5, "import")]


def test_stock_reimport_sets_quantity_and_records_the_delta(
    catalogue: sessionmaker[Session],
) -> None:
    load_stock(catalogue, stock_csv(["T001", "L1", "2027-01-31", "10"]))

    report = load_stock(catalogue, stock_csv(["T001", "L1", "2027-01-31", "4"]))

    assert (report.created, report.updated) == (0, 1)
    assert lots(catalogue) == [("T001", "L1", date(2027, 1, 31), 4)]
    assert movements(catalogue) == [("L1", 10, "import"), ("L1", -6, "import")]


def test_stock_reimport_with_same_quantity_records_no_movement(
    catalogue: sessionmaker[Session],
) -> None:
    data = stock_csv(["T001", "L1", "2027-01-31", "10"])
    load_stock(catalogue, data)

    load_stock(catalogue, data)

    assert lots(catalogue) == [("T001", "L1", date(2027, 1, 31), 10)]
    assert movements(catalogue) == [("L1", 10, "import")]


BAD_STOCK_ROWS = {
    "unknown sku": (["NOPE", "L9", "2027-01-31", "1"], "unknown sku NOPE"),
    "slashes in date": (["T002", "L9", "2027/01/31", "1"], "YYYY-MM-DD"),
    "compact date": (["T002", "L9", "20270131", "1"], "YYYY-MM-DD"),
    "day first date": (["T002", "L9", "31-01-2027", "1"], "YYYY-MM-DD"),
    "empty date": (["T002", "L9", "", "1"], "YYYY-MM-DD"),
    "impossible date": (["T002", "L9", "2026-02-30", "1"], "not a real date"),
    "month 13": (["T002", "L9", "2026-13-01", "1"], "not a real date"),
    "negative quantity": (["T002", "L9", "2027-01-31", "-5"], "whole number"),
    "decimal quantity": (["T002", "L9", "2027-01-31", "2.5"], "whole number"),
    "letters in quantity": (["T002", "L9", "2027-01-31", "ten"], "whole number"),
    "empty quantity": (["T002", "L9", "2027-01-31", ""], "whole number"),
    "full-width digits": (["T002", "L9", "2027-01-31", "１０"], "whole number"),
    "empty lot": (["T002", "", "2027-01-31", "1"], "lot is empty"),
    "empty sku": (["", "L9", "2027-01-31", "1"], "sku is empty"),
    "too few fields": (["T002", "L9", "2027-01-31"], "3 fields, the header has 4"),
}


@pytest.mark.parametrize(("row", "reason"), list(BAD_STOCK_ROWS.values()), ids=list(BAD_STOCK_ROWS))
def test_bad_stock_row_is_reported_and_nothing_imported(
    catalogue: sessionmaker[Session], row: list[str], reason: str
) -> None:
    report = load_stock(catalogue, stock_csv(["T001", "L1", "2027-01-31", "10"], row))

    assert report.applied is False
    assert error_lines(report) == [3]
    assert reason in report.errors[0].reason
    assert lots(catalogue) == []
    assert movements(catalogue) == []


def test_absurdly_large_quantity_is_a_bad_row(catalogue: sessionmaker[Session]) -> None:
    report = load_stock(catalogue, stock_csv(["T001", "L1", "2027-01-31", "9" * 20]))

    assert error_lines(report) == [2]
    assert lots(catalogue) == []


def test_duplicate_lot_in_stock_file(catalogue: sessionmaker[Session]) -> None:
    report = load_stock(
        catalogue,
        stock_csv(
            ["T001", "L1", "2027-01-31", "10"],
            ["T002", "L1", "2027-01-31", "3"],
            ["T001", "L1", "2027-01-31", "4"],
        ),
    )

    assert report.errors == [RowError(4, "lot L1 of T001 already on line 2")]
    assert report.applied is False
    assert lots(catalogue) == []


def test_existing_lot_with_different_expiry(catalogue: sessionmaker[Session]) -> None:
    load_stock(catalogue, stock_csv(["T001", "L1", "2027-01-31", "10"]))

    report = load_stock(catalogue, stock_csv(["T001", "L1", "2027-02-28", "7"]))

    assert error_lines(report) == [2]
    assert "2027-01-31" in report.errors[0].reason
    assert report.applied is False
    assert lots(catalogue) == [("T001", "L1", date(2027, 1, 31), 10)]
    assert movements(catalogue) == [("L1", 10, "import")]


def test_stock_missing_column_is_a_file_error(catalogue: sessionmaker[Session]) -> None:
    data = to_csv(["sku", "lot", "quantity"], ["T001", "L1", "10"])

    with catalogue.begin() as session, pytest.raises(FileFormatError, match="expiry"):
        import_stock(session, data)


def test_stock_non_utf8_is_a_file_error(catalogue: sessionmaker[Session]) -> None:
    data = "sku,lot,expiry,quantity\nT001,批号1,2027-01-31,1\n".encode("gbk")

    with catalogue.begin() as session, pytest.raises(FileFormatError):
        import_stock(session, data)


def test_stock_bom_and_extra_column(catalogue: sessionmaker[Session]) -> None:
    data = b"\xef\xbb\xbf" + to_csv(
        (*STOCK_COLUMNS, "location"), ["T001", "L1", "2027-01-31", "10", "shelf 3"]
    )

    report = load_stock(catalogue, data)

    assert report.errors == []
    assert len(report.warnings) == 1
    assert "location" in report.warnings[0]
    assert lots(catalogue) == [("T001", "L1", date(2027, 1, 31), 10)]


def test_stock_skip_bad_imports_the_good_rows(catalogue: sessionmaker[Session]) -> None:
    report = load_stock(
        catalogue,
        stock_csv(
            ["T001", "L1", "2027-01-31", "10"],
            ["NOPE", "L1", "2027-01-31", "10"],
            ["T002", "L2", "2027-02-30", "3"],
            ["T002", "L3", "2027-03-31", "3"],
        ),
        skip_bad=True,
    )

    assert report.applied is True
    assert error_lines(report) == [3, 4]
    assert report.created == 2
    assert lots(catalogue) == [
        ("T001", "L1", date(2027, 1, 31), 10),
        ("T002", "L3", date(2027, 3, 31), 3),
    ]
