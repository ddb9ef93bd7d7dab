"""Returns in the sales export: objects with ``"type": "return"`` and the ``original`` sale."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pos.models import Product, QuarantineItem, Sale, SaleLine, SaleReturn

QUARANTINE_CSV_COLUMNS = (
    "id", "sku", "name", "lot", "qty", "return", "original", "returned_at", "status",
)  # fmt: skip


def return_record(record: SaleReturn, original: Sale, lines: dict[int, SaleLine]) -> dict[str, Any]:
    """The export object of one return. Money is what was refunded (positive fen)."""
    return {
        "type": "return",
        "number": record.number,
        "original": original.number,
        "completed_at": record.completed_at,
        "store": record.store_code,
        "register": record.register_id,
        "cashier": record.cashier,
        "approved_by": record.approved_by,
        "member": original.member,
        "reason": record.reason,
        "lines": [
            {
                "line_no": lines[item.sale_line_id].line_no,
                "sku": lines[item.sale_line_id].sku,
                "barcode": lines[item.sale_line_id].barcode,
                "name": lines[item.sale_line_id].name,
                "qty": item.qty,
                "unit_price_fen": lines[item.sale_line_id].unit_price_fen,
                "total_fen": item.total_fen,
                "restocked": item.restocked,
            }
            for item in record.lines
        ],
        "refunds": [
            {"tender": refund.tender.value, "amount_fen": refund.amount_fen}
            for refund in record.refunds
        ],
        "total_fen": record.total_fen,
        "points_reversed": record.points_reversed,
        "points_restored": record.points_restored,
    }


def each_return(session: Session, since: datetime | None) -> Iterator[dict[str, Any]]:
    """Returns, oldest first, as export objects (``completed_at`` still a datetime)."""
    statement = (
        select(SaleReturn)
        .options(selectinload(SaleReturn.lines), selectinload(SaleReturn.refunds))
        .order_by(SaleReturn.completed_at, SaleReturn.id)
        .execution_options(yield_per=200)
    )
    if since is not None:
        statement = statement.where(SaleReturn.completed_at >= since)
    for record in session.scalars(statement):
        original = session.get_one(Sale, record.original_id)
        lines = {line.id: line for line in original.lines}
        yield return_record(record, original, lines)


def return_payload(session: Session, record: SaleReturn) -> dict[str, Any]:
    """One return as JSON data (for head office's outbox): the export object."""
    original = session.get_one(Sale, record.original_id)
    lines = {line.id: line for line in original.lines}
    data = return_record(record, original, lines)
    return data | {"completed_at": data["completed_at"].isoformat()}


def export_quarantine_csv(session: Session) -> Iterator[str]:
    """Returned units held apart, oldest first; ``status`` is ``held``, ``released`` or
    ``destroyed``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(QUARANTINE_CSV_COLUMNS)
    rows = session.execute(
        select(
            QuarantineItem.id,
            Product.sku,
            Product.name,
            QuarantineItem.lot_number,
            QuarantineItem.qty,
            SaleReturn.number,
            Sale.number,
            QuarantineItem.created_at,
            QuarantineItem.resolution,
        )
        .join(Product, Product.id == QuarantineItem.product_id)
        .join(SaleReturn, SaleReturn.id == QuarantineItem.return_id)
        .join(Sale, Sale.id == SaleReturn.original_id)
        .order_by(QuarantineItem.id)
    )
    for item_id, sku, name, lot, qty, number, original, created_at, resolution in rows:
        moment = created_at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        status = resolution or "held"
        writer.writerow((item_id, sku, name, lot, qty, number, original, moment, status))
    yield buffer.getvalue()
