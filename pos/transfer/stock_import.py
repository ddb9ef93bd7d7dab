"""Importing stock lots from a CSV file (contract in the README, "Stock CSV").

A row sets a lot's quantity and records the difference as a stock movement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import Lot, OutboxItem, Product, StockMovement, utcnow
from pos.sync import outbox
from pos.transfer.import_common import (
    QUIET_CHUNK_SECONDS,
    UNCHUNKED,
    Chunks,
    ImportReport,
    Inserts,
    RowError,
    read_rows,
    write_cache,
)

STOCK_COLUMNS = ("sku", "lot", "expiry", "quantity")
DEMO_STOCK_COLUMNS = ("sku", "lot", "expiry_days", "quantity")
MAX_LOT_QUANTITY = 9_999_999
BATCH_ROWS = 500
"""Rows written together: their new lots, quantities, movements and outbox items."""
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
    products = _product_ids(session, {row.sku for row in checked})
    lots = _lots(session, list(products.values()))
    good: list[StockRow] = []
    for row in checked:
        product_id = products.get(row.sku)
        if product_id is None:
            report.errors.append(RowError(row.line, _("unknown sku {sku}").format(sku=row.sku)))
            continue
        lot = lots.get((product_id, row.lot))
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
    writer = _StockWriter(session, products, lots)
    chunks.stretch(QUIET_CHUNK_SECONDS)
    with write_cache(session, CACHE_KB):
        for start in range(0, len(good), BATCH_ROWS):
            batch = good[start : start + BATCH_ROWS]
            created = writer.write(batch)
            report.created += created
            report.updated += len(batch) - created
            chunks.checkpoint()
    writer.forget_quantities()
    report.applied = True
    return report


@dataclass
class _LotOnFile:
    """What the import needs of a stored lot."""

    id: int
    expiry: date
    quantity: int


class _StockWriter:
    """Writes checked rows a batch at a time with Core bulk statements: the new lots, the
    new quantities, their stock movements and (unless suppressed) their outbox items."""

    def __init__(
        self,
        session: Session,
        products: dict[str, int],
        lots: dict[tuple[int, str], _LotOnFile],
    ) -> None:
        self._session = session
        self._products = products
        self._lots = lots
        self._outbox = not outbox.is_suppressed(session)
        self._new_lots = Inserts(
            session, _table(Lot), ("product_id", "lot_number", "expiry", "quantity")
        )
        self._movements = Inserts(session, _table(StockMovement), _MOVEMENT_VALUES)
        self._items = Inserts(session, _table(OutboxItem), _ITEM_VALUES)

    def write(self, rows: list[StockRow]) -> int:
        """Write ``rows``; how many lots were new."""
        new = [row for row in rows if self._key(row) not in self._lots]
        if new:
            self._create(new)
        changed = [
            (row, self._lots[self._key(row)])
            for row in rows
            if row.quantity != self._lots[self._key(row)].quantity
        ]
        if changed:
            self._move(changed)
        return len(new)

    def forget_quantities(self) -> None:
        """Lots already loaded in the session read their quantity anew (set by Core)."""
        for obj in list(self._session.identity_map.values()):
            if isinstance(obj, Lot):
                self._session.expire(obj, ["quantity"])

    def _key(self, row: StockRow) -> tuple[int, str]:
        return self._products[row.sku], row.lot

    def _create(self, rows: list[StockRow]) -> None:
        """New lots at quantity 0 (the movement that follows brings them to theirs).

        The transaction holds the write lock (``BEGIN IMMEDIATE``) and a new row's id is
        one more than the greatest: the lots above the greatest before are these.
        """
        lot = _table(Lot)
        before = self._session.execute(select(func.coalesce(func.max(lot.c.id), 0))).scalar()
        self._new_lots.insert([(self._products[row.sku], row.lot, row.expiry, 0) for row in rows])
        stored = self._session.execute(
            select(lot.c.id, lot.c.product_id, lot.c.lot_number, lot.c.expiry).where(
                lot.c.id > before
            )
        )
        for lot_id, product_id, number, expiry in stored:
            self._lots[product_id, number] = _LotOnFile(lot_id, expiry, 0)

    def _move(self, changed: list[tuple[StockRow, _LotOnFile]]) -> None:
        """Set the lots' quantities; each difference is a stock movement (and goes out)."""
        lot = _table(Lot)
        self._session.execute(
            update(lot).where(lot.c.id == bindparam("lot_id")).values(quantity=bindparam("qty")),
            [{"lot_id": stored.id, "qty": row.quantity} for row, stored in changed],
        )
        now = utcnow()
        movements = [
            {"lot_id": stored.id, "delta": row.quantity - stored.quantity, "reason": "import",
             "sale_id": None, "return_id": None, "created_at": now, "note": ""}
            for row, stored in changed
        ]  # fmt: skip
        self._movements.insert(movements)
        if self._outbox:
            items = [
                outbox.item_values(
                    "stock",
                    f"{row.sku}/{row.lot}",
                    {
                        "sku": row.sku,
                        "lot_number": row.lot,
                        "expiry": row.expiry,
                        "delta": movement["delta"],
                        "reason": "import",
                        "sale_number": None,
                        "note": "",
                        "created_at": now,
                    },
                    now,
                )
                for (row, _stored), movement in zip(changed, movements, strict=True)
            ]
            self._items.insert(items)
        for row, stored in changed:
            stored.quantity = row.quantity


_MOVEMENT_VALUES = ("lot_id", "delta", "reason", "sale_id", "return_id", "created_at", "note")
_ITEM_VALUES = ("uid", "kind", "key", "payload", "created_at")
CACHE_KB = 64 * 1024
"""SQLite's page cache while lots are written (the pages of their indexes stay in memory)."""


def _table(model: type[Lot | StockMovement | OutboxItem]) -> Table:
    """The model's table, for Core statements and :class:`Inserts` of its rows."""
    return cast(Table, model.__table__)


def _product_ids(session: Session, skus: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    wanted = list(skus)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(Product.sku, Product.id).where(Product.sku.in_(chunk))
        found.update((sku, product_id) for sku, product_id in session.execute(query))
    return found


def _lots(session: Session, ids: list[int]) -> dict[tuple[int, str], _LotOnFile]:
    found: dict[tuple[int, str], _LotOnFile] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = select(Lot.id, Lot.product_id, Lot.lot_number, Lot.expiry, Lot.quantity).where(
            Lot.product_id.in_(chunk)
        )
        found.update(
            ((product_id, number), _LotOnFile(lot_id, expiry, quantity))
            for lot_id, product_id, number, expiry, quantity in session.execute(query)
        )
    return found
