"""Exporting sales (JSON lines or CSV) and stock (CSV); contracts in the README."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pos.models import Lot, Product, Sale, SaleLine

SALE_CSV_COLUMNS = (
    "number", "completed_at", "store", "register", "cashier", "member",
    "line_no", "sku", "barcode", "name", "qty", "unit_price_fen", "discount_fen", "total_fen",
    "lot", "expiry", "sale_subtotal_fen", "sale_discount_fen", "sale_total_fen",
    "sale_change_fen", "payments",
)  # fmt: skip


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``: ``2026-11-25T09:30:00Z``."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sales(session: Session, since: datetime | None, batch: int = 500) -> Iterator[Sale]:
    statement = (
        select(Sale)
        .options(
            selectinload(Sale.lines).selectinload(SaleLine.lots),
            selectinload(Sale.payments),
        )
        .order_by(Sale.completed_at, Sale.id)
        .execution_options(yield_per=batch)
    )
    if since is not None:
        statement = statement.where(Sale.completed_at >= since)
    yield from session.scalars(statement)


def _line_entries(line: SaleLine) -> Iterator[dict[str, Any]]:
    """One entry per lot a line came from; quantities, discount and total split by lot."""
    lots = line.lots or []
    remaining_discount = line.discount_fen
    for index, lot in enumerate(lots):
        last = index == len(lots) - 1
        discount = remaining_discount if last else line.discount_fen * lot.qty // line.qty
        remaining_discount -= discount
        yield {
            "sku": line.sku,
            "barcode": line.barcode,
            "name": line.name,
            "qty": lot.qty,
            "unit_price_fen": line.unit_price_fen,
            "discount_fen": discount,
            "total_fen": lot.qty * line.unit_price_fen - discount,
            "lot": lot.lot_number,
            "expiry": lot.expiry.isoformat(),
            "line_no": line.line_no,
        }


def sale_record(sale: Sale) -> dict[str, Any]:
    """The export object of one sale."""
    return {
        "number": sale.number,
        "completed_at": iso_utc(sale.completed_at),
        "store": sale.store_code,
        "register": sale.register_id,
        "cashier": sale.cashier,
        "member": sale.member,
        "lines": [entry for line in sale.lines for entry in _line_entries(line)],
        "payments": [
            {"tender": payment.tender.value, "amount_fen": payment.amount_fen}
            | ({"tendered_fen": payment.tendered_fen} if payment.tendered_fen is not None else {})
            for payment in sale.payments
        ],
        "subtotal_fen": sale.subtotal_fen,
        "discount_fen": sale.discount_fen,
        "total_fen": sale.total_fen,
        "change_fen": sale.change_fen,
    }


def export_sales_jsonl(session: Session, since: datetime | None = None) -> Iterator[str]:
    """One JSON object per completed sale, oldest first."""
    for sale in _sales(session, since):
        yield json.dumps(sale_record(sale), ensure_ascii=False) + "\n"


def export_sales_csv(session: Session, since: datetime | None = None) -> Iterator[str]:
    """One CSV row per line entry (per lot), the sale's fields repeated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SALE_CSV_COLUMNS)
    for sale in _sales(session, since):
        record = sale_record(sale)
        payments = "|".join(
            f"{p['tender']}:{p['amount_fen']}"
            + (f":{p['tendered_fen']}" if "tendered_fen" in p else "")
            for p in record["payments"]
        )
        for entry in record["lines"]:
            writer.writerow([
                record["number"], record["completed_at"], record["store"], record["register"],
                record["cashier"] or "", record["member"] or "", entry["line_no"], entry["sku"],
                entry["barcode"] or "", entry["name"], entry["qty"], entry["unit_price_fen"],
                entry["discount_fen"], entry["total_fen"], entry["lot"], entry["expiry"],
                record["subtotal_fen"], record["discount_fen"], record["total_fen"],
                record["change_fen"], payments,
            ])  # fmt: skip
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def export_stock_csv(session: Session) -> Iterator[str]:
    """``sku,lot,expiry,quantity`` for every lot, by SKU then expiry."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("sku", "lot", "expiry", "quantity"))
    rows = session.execute(
        select(Product.sku, Lot.lot_number, Lot.expiry, Lot.quantity)
        .join(Lot, Lot.product_id == Product.id)
        .order_by(Product.sku, Lot.expiry, Lot.lot_number)
    )
    for sku, lot, expiry, quantity in rows:
        writer.writerow((sku, lot, expiry.isoformat(), quantity))
    yield buffer.getvalue()
