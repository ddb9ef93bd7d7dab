"""Products and stock CSV files for the import tests, and what they stored."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from pos.models import BarcodeKind, Base, Product
from pos.transfer.imports import (
    PRODUCT_COLUMNS,
    STOCK_COLUMNS,
    ImportReport,
    import_products,
    import_stock,
)


def with_check(body: str) -> str:
    """``body`` followed by its EAN/UPC check digit."""
    return body + ean.calc_check_digit(body)


EAN13_A = with_check("693000000001")
EAN13_B = with_check("693000000002")
EAN13_C = with_check("693000000003")
EAN8 = with_check("9638507")
UPCA = with_check("03600029145")


def wrong_check(code: str) -> str:
    """``code`` with its last (check) digit changed."""
    return code[:-1] + str((int(code[-1]) + 1) % 10)


def product_row(
    sku: str = "T001",
    barcodes: str = EAN13_A,
    name: str = "测试药片",
    name_en: str = "Test Tablets",
    spec: str = "10片",
    manufacturer: str = "测试制药",
    unit: str = "盒",
    category: str = "pain_fever",
    price: str = "12.50",
    member_price: str = "",
    drug_class: str = "otc_a",
    ingredients: str = "acetaminophen",
) -> list[str]:
    """One products row in column order; every field can be overridden."""
    return [
        sku, barcodes, name, name_en, spec, manufacturer, unit, category,
        price, member_price, drug_class, ingredients,
    ]  # fmt: skip


def to_csv(header: tuple[str, ...] | list[str], *rows: list[str]) -> bytes:
    """A UTF-8 CSV file with ``header`` and ``rows``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def products_csv(*rows: list[str]) -> bytes:
    """A products file with the contract header."""
    return to_csv(PRODUCT_COLUMNS, *rows)


def stock_csv(*rows: list[str]) -> bytes:
    """A stock file with the contract header."""
    return to_csv(STOCK_COLUMNS, *rows)


def load_products(
    sessions: sessionmaker[Session], data: bytes, skip_bad: bool = False
) -> ImportReport:
    """Import products in a committed transaction (as ``pos import`` does)."""
    with sessions.begin() as session:
        return import_products(session, data, skip_bad)


def load_stock(
    sessions: sessionmaker[Session], data: bytes, skip_bad: bool = False
) -> ImportReport:
    """Import stock in a committed transaction (as ``pos import`` does)."""
    with sessions.begin() as session:
        return import_stock(session, data, skip_bad)


def product(sessions: sessionmaker[Session], sku: str) -> Product:
    """The stored product with ``sku``, its barcodes and ingredients loaded."""
    with sessions() as session:
        found = session.scalars(select(Product).where(Product.sku == sku)).one()
        _ = found.barcodes, found.ingredients
        return found


def count(sessions: sessionmaker[Session], model: type[Base]) -> int:
    """Rows of ``model`` in the database."""
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def barcodes_of(found: Product) -> list[tuple[str, BarcodeKind]]:
    """(code, kind) of a product's barcodes, in position order."""
    return [(barcode.code, barcode.kind) for barcode in found.barcodes]


def error_lines(report: ImportReport) -> list[int]:
    """The line numbers of a report's errors."""
    return [error.line for error in report.errors]
