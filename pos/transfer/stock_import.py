"""Importing stock lots from a CSV file (contract in the README, "Stock CSV").

A row sets a lot's quantity and records the difference as a stock movement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import Lot, Product, StockMovement
from pos.transfer.import_common import UNCHUNKED, Chunks, ImportReport, RowError, read_rows

STOCK_COLUMNS = ("sku", "lot", "expiry", "quantity")
DEMO_STOCK_COLUMNS = ("sku", "lot", "expiry_days", "quantity")
MAX_LOT_QUANTITY = 9_999_999
_BATCH = 500
"""Rows whose new lots are flushed together."""
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class StockRow:
    """A checked row of a stock file."""

    line: int
    sku: str
    lot: str
    expiry: date
    quantity: int


def check_stock(line: int, row: dict[str, str], today: date | None = None) -> StockRow:
    """Validate one stock row (``expiry`` is a date, or with ``today`` a day offset)."""
    sku, lot = row["sku"], row["lot"]
    if not sku:
        raise InputError(_("sku is empty"))
    if not lot or len(lot) > 64:
        raise InputError(_("lot is empty or too long"))
    if today is None:
        expiry = _date(row["expiry"])
    else:
        try:
            expiry = today + timedelta(days=int(row["expiry_days"]))
        except ValueError:
            raise InputError(_("expiry_days is not a whole number")) from None
    quantity_text = row["quantity"]
    if not quantity_text.isdigit() or not quantity_text.isascii():
        raise InputError(
            _("quantity must be a whole number, 0 or more: {value!r}").format(value=quantity_text)
        )
    quantity = int(quantity_text)
    if quantity > MAX_LOT_QUANTITY:
        raise InputError(
            _("quantity {value} is more than {limit}").format(
                value=quantity, limit=MAX_LOT_QUANTITY
            )
        )
    return StockRow(line, sku, lot, expiry, quantity)


def _date(value: str) -> date:
    if not _DATE.match(value):
        raise InputError(_("expiry must be YYYY-MM-DD, not {value!r}").format(value=value))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(_("expiry {value} is not a real date").format(value=value)) from None


def import_stock(
    session: Session,
    data: bytes,
    skip_bad: bool = False,
    *,
    relative_to: date | None = None,
    chunks: Chunks = UNCHUNKED,
) -> ImportReport:
    """Set lot quantities from a stock CSV; each change is a stock movement.

    Written in ``chunks``; run again after a stop, it sets the same quantities (a lot
    already at its quantity gets no movement).
    """
    report = ImportReport()
    columns = DEMO_STOCK_COLUMNS if relative_to else STOCK_COLUMNS
    checked: list[StockRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, raw in read_rows(data, columns, report):
        try:
            row = check_stock(line, raw, relative_to)
            if (row.sku, row.lot) in seen:
                raise InputError(
                    _("lot {lot} of {sku} already on line {line}").format(
                        lot=row.lot, sku=row.sku, line=seen[row.sku, row.lot]
                    )
                )
        except InputError as exc:
            report.errors.append(RowError(line, str(exc)))
            continue
        seen[row.sku, row.lot] = line
        checked.append(row)
    products = _products_by_sku(session, {row.sku for row in checked})
    lots = _lots(session, list(products.values()))
    good: list[StockRow] = []
    for row in checked:
        product = products.get(row.sku)
        if product is None:
            report.errors.append(RowError(row.line, _("unknown sku {sku}").format(sku=row.sku)))
            continue
        lot = lots.get((product.id, row.lot))
        if lot is not None and lot.expiry != row.expiry:
            report.errors.append(
                RowError(
                    row.line,
                    _("lot {lot} of {sku} is on file with expiry {expiry}").format(
                        lot=row.lot, sku=row.sku, expiry=lot.expiry.isoformat()
                    ),
                )
            )
            continue
        good.append(row)
    report.errors.sort(key=lambda error: error.line)
    if report.errors and not skip_bad:
        return report
    for start in range(0, len(good), _BATCH):  # new lots get their ids in one flush a batch
        batch = [(row, products[row.sku]) for row in good[start : start + _BATCH]]
        for row, product in batch:
            if (product.id, row.lot) not in lots:
                lot = Lot(product_id=product.id, lot_number=row.lot, expiry=row.expiry, quantity=0)
                session.add(lot)
                lots[product.id, row.lot] = lot
                report.created += 1
            else:
                report.updated += 1
        session.flush()
        for row, product in batch:
            lot = lots[product.id, row.lot]
            delta = row.quantity - lot.quantity
            if delta:
                lot.quantity = row.quantity
                session.add(StockMovement(lot_id=lot.id, delta=delta, reason="import"))
            chunks.checkpoint()
    report.applied = True
    session.flush()
    return report


def _products_by_sku(session: Session, skus: Iterable[str]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    wanted = list(skus)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            (p.sku, p) for p in session.scalars(select(Product).where(Product.sku.in_(chunk)))
        )
    return found


def _lots(session: Session, products: list[Product]) -> dict[tuple[int, str], Lot]:
    ids = [product.id for product in products]
    found: dict[tuple[int, str], Lot] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(
            ((lot.product_id, lot.lot_number), lot)
            for lot in session.scalars(select(Lot).where(Lot.product_id.in_(chunk)))
        )
    return found
