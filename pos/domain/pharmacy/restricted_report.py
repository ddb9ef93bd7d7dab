"""The restricted-sales report for the authorities (``pos report restricted``).

One row per restricted line sold (ephedrine-class preparations): the day, the sale,
the buyer (name and masked resident ID), the product with its spec, quantity,
manufacturer and lots, and whether the buyer reached the repeat-buying threshold,
with the pharmacist who acknowledged it and when.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.domain.pharmacy.safety import mask_id
from pos.models import RestrictedSale, Sale, SaleWarning

COLUMNS = (
    "date", "sale_number", "buyer_name", "masked_id", "product", "spec", "quantity",
    "manufacturer", "lots", "velocity_reached", "pharmacist", "acknowledged_at",
)  # fmt: skip
"""The CSV header and JSON keys (a contract: extend, never change)."""


@dataclass(frozen=True)
class RestrictedRow:
    """One restricted line sold."""

    date: str
    sale_number: str
    buyer_name: str
    masked_id: str
    product: str
    spec: str
    quantity: int
    manufacturer: str
    lots: str
    velocity_reached: bool
    pharmacist: str
    """Who acknowledged the repeat-buyer warning ("" when it was not reached)."""
    acknowledged_at: str
    """When, local time ``YYYY-MM-DD HH:MM:SS`` ("" when it was not reached)."""


def restricted_report(
    session: Session, first: date, last: date, timezone: str
) -> list[RestrictedRow]:
    """Restricted lines sold on business days ``first`` to ``last``, in order of sale."""
    zone = ZoneInfo(timezone)
    found = session.execute(
        select(RestrictedSale, Sale.number, Sale.business_date)
        .join(Sale, Sale.id == RestrictedSale.sale_id)
        .where(Sale.business_date >= first, Sale.business_date <= last)
        .order_by(Sale.completed_at, RestrictedSale.id)
    ).all()
    sale_ids = {entry.sale_id for entry, _number, _day in found}
    reached = {
        warning.sale_id: warning
        for warning in session.scalars(
            select(SaleWarning).where(
                SaleWarning.sale_id.in_(sale_ids), SaleWarning.kind == "velocity"
            )
        )
    }
    rows = []
    for entry, number, day in found:
        warning = reached.get(entry.sale_id)
        rows.append(
            RestrictedRow(
                date=day.isoformat(),
                sale_number=number,
                buyer_name=entry.buyer_name,
                masked_id=mask_id(entry.buyer_id_number),
                product=entry.product_name,
                spec=entry.spec,
                quantity=entry.qty,
                manufacturer=entry.manufacturer,
                lots=entry.lots,
                velocity_reached=warning is not None,
                pharmacist=(warning.acknowledged_by or "") if warning is not None else "",
                acknowledged_at=(
                    warning.acknowledged_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
                    if warning is not None
                    else ""
                ),
            )
        )
    return rows


def as_json(rows: Sequence[RestrictedRow]) -> list[dict[str, object]]:
    """The rows as JSON objects keyed by :data:`COLUMNS`."""
    return [asdict(row) for row in rows]


def as_csv(rows: Sequence[RestrictedRow]) -> str:
    """The rows as CSV with :data:`COLUMNS` as header; yes/no for the threshold."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(COLUMNS)
    for row in rows:
        values = asdict(row)
        values["velocity_reached"] = "yes" if row.velocity_reached else "no"
        out.writerow([values[column] for column in COLUMNS])
    return buffer.getvalue()
