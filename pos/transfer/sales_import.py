"""Importing past sales (``pos import sales``) from ``pos export sales`` JSON lines.

The sales are history, for migrating a register's past and for mining pairings:
stock does not move (a lot that is not on file is created with quantity 0), and no
points are booked. Every line is checked first; nothing is stored if any is bad
(unless ``skip_bad`` is set). Then the good sales are stored in bulk, in short
chunks each committed on its own, so a register selling beside the import is
never locked out; sale numbers already stored are skipped with a warning, so an
import stopped midway is simply run again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert, select, tuple_
from sqlalchemy.orm import Session

from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import (
    Base,
    Lot,
    Member,
    Payment,
    Prescription,
    Product,
    Sale,
    SaleLine,
    SaleLineLot,
    TraceCode,
)
from pos.transfer.import_common import CHUNK_SECONDS, UNCHUNKED, Chunks, ImportReport, RowError
from pos.transfer.sales_check import CheckedSale, ProductRef, check_sale

BATCH = 5000
"""The most sales per bulk insert (and the sales between progress reports while checking)."""
FIRST_BATCH = 200
MIN_BATCH = 20
"""The first and the fewest sales per chunk; between, the size follows the time taken."""
MAX_LISTED_DUPLICATES = 10
_CHUNK = 500


@dataclass(frozen=True)
class SalesProgress:
    """How far an import is through its file."""

    done_bytes: int
    total_bytes: int
    sales: int
    """Sales read so far."""
    checking: bool = False
    """The first reading (checking every line), before anything is stored."""


Progress = Callable[[SalesProgress], None]


@dataclass
class SalesImportReport(ImportReport):
    """What a sales import did: ``created`` sales, ``duplicates`` skipped."""

    duplicates: int = 0
    restricted_buyers: int = 0
    """Sales whose (masked) restricted-sale buyer was not imported."""
    returns: int = 0
    """Returns (``"type": "return"``) in the file: recorded at the register, not imported."""


def _lines(path: Path) -> Iterator[tuple[int, int, bytes]]:
    """(line number, bytes read so far, line) for every non-blank line."""
    done = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            done += len(raw)
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if raw.strip():
                yield number, done, raw


def _checked(
    path: Path, products: dict[str, ProductRef], report: SalesImportReport
) -> Iterator[tuple[int, int, CheckedSale | str]]:
    """Each line's checked sale, or why it is bad; returns are counted and passed over."""
    for number, done, raw in _lines(path):
        try:
            obj: Any = json.loads(raw)
        except ValueError as exc:
            yield number, done, _("not JSON: {error}").format(error=exc)
            continue
        if isinstance(obj, dict) and obj.get("type") == "return":
            report.returns += 1
            continue
        try:
            yield number, done, check_sale(obj, products)
        except InputError as exc:
            yield number, done, str(exc)


def _products(session: Session) -> dict[str, ProductRef]:
    rows = session.execute(select(Product.sku, Product.id, Product.name, Product.spec))
    return {sku: ProductRef(id, name, spec) for sku, id, name, spec in rows}


def _not_stored(
    session: Session, batch: list[tuple[int, CheckedSale]], report: SalesImportReport
) -> list[CheckedSale]:
    """The sales of ``batch`` (line, sale) whose number is not stored yet; the others are
    reported as duplicates."""
    fresh: list[CheckedSale] = []
    for start in range(0, len(batch), _CHUNK):
        chunk = batch[start : start + _CHUNK]
        numbers = [sale.number for _line, sale in chunk]
        stored = set(session.scalars(select(Sale.number).where(Sale.number.in_(numbers))))
        for line, sale in chunk:
            if sale.number not in stored:
                fresh.append(sale)
                continue
            report.duplicates += 1
            if report.duplicates <= MAX_LISTED_DUPLICATES:
                report.warnings.append(
                    _("line {line}: sale {number} is already stored: skipped").format(
                        line=line, number=sale.number
                    )
                )
    return fresh


def import_sales(
    session: Session,
    path: Path,
    skip_bad: bool = False,
    progress: Progress | None = None,
    chunks: Chunks = UNCHUNKED,
) -> SalesImportReport:
    """Store the sales of a JSON-lines file at ``path``, committed in ``chunks``.

    The file is read twice: every line is checked first, and only when none is bad
    (or ``skip_bad``) are the good sales stored, in batches sized so that each holds
    the write lock about :data:`~pos.transfer.import_common.CHUNK_SECONDS`.
    ``report.errors`` holds every bad line; ``report.created`` counts the sales stored.
    """
    report = SalesImportReport()
    products = _products(session)
    chunks.commit()  # the checking pass holds no lock
    total = path.stat().st_size
    bad = _check_all(path, products, report, progress)
    if report.errors and not skip_bad:
        return report
    lots = {
        (product_id, number): lot_id
        for product_id, number, lot_id in session.execute(
            select(Lot.product_id, Lot.lot_number, Lot.id)
        )
    }
    chunks.commit()
    batch: list[tuple[int, CheckedSale]] = []
    size = FIRST_BATCH
    count = 0
    for line, done, result in _checked(path, products, SalesImportReport()):
        count += 1
        if line in bad or isinstance(result, str):
            continue
        batch.append((line, result))
        if len(batch) >= size:
            size = _write(session, batch, lots, report, chunks, size)
            batch = []
            if progress is not None:
                progress(SalesProgress(done, total, count))
    _write(session, batch, lots, report, chunks, size)
    if progress is not None:
        progress(SalesProgress(total, total, count))
    if report.duplicates > MAX_LISTED_DUPLICATES:
        report.warnings.append(
            _("… {n} sale(s) already stored in all: skipped").format(n=report.duplicates)
        )
    if report.returns:
        report.warnings.append(
            _("{n} return(s) in the file were not imported: returns are made at a register").format(
                n=report.returns
            )
        )
    if report.restricted_buyers:
        report.warnings.append(
            _(
                "{n} sale(s) had a restricted-sale buyer: the masked ID is not imported "
                "(the restricted-sales register keeps full IDs, in the selling store)"
            ).format(n=report.restricted_buyers)
        )
    report.applied = True
    return report


def _check_all(
    path: Path,
    products: dict[str, ProductRef],
    report: SalesImportReport,
    progress: Progress | None,
) -> set[int]:
    """Check every line (no writing); the numbers of the bad lines, also in ``report``."""
    total = path.stat().st_size
    seen: dict[str, int] = {}
    bad: set[int] = set()
    for count, (line, done, result) in enumerate(_checked(path, products, report), 1):
        if isinstance(result, CheckedSale) and result.number in seen:
            result = _("sale {number} already on line {line}").format(
                number=result.number, line=seen[result.number]
            )
        if isinstance(result, str):
            report.errors.append(RowError(line, result))
            bad.add(line)
        else:
            seen[result.number] = line
        if progress is not None and count % BATCH == 0:
            progress(SalesProgress(done, total, count, checking=True))
    return bad


def _write(
    session: Session,
    batch: list[tuple[int, CheckedSale]],
    lots: dict[tuple[int, str], int],
    report: SalesImportReport,
    chunks: Chunks,
    size: int,
) -> int:
    """Store ``batch`` in one chunk; the batch size that would take about one chunk's time."""
    if not batch:
        return size
    started = time.monotonic()
    _store(session, _not_stored(session, batch, report), lots, report)
    chunks.commit()
    took = max(time.monotonic() - started, 0.001)
    return max(MIN_BATCH, min(BATCH, int(len(batch) * CHUNK_SECONDS / took)))


def _member_ids(session: Session, cards: set[str]) -> dict[str, int]:
    wanted = list(cards)
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(
            session.execute(
                select(Member.card_no, Member.id).where(Member.card_no.in_(chunk))
            ).all()
        )
    return found


def _insert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """A plain executemany INSERT of the model's table (no ORM bookkeeping: rows of history)."""
    table = model.__table__
    if rows and isinstance(table, Table):
        session.execute(insert(table), rows)


def _new_lots(session: Session, sales: list[CheckedSale], lots: dict[tuple[int, str], int]) -> None:
    """Create, with quantity 0, the lots of ``sales`` not on file (history moves no stock)."""
    new: dict[tuple[int, str], Any] = {}
    for sale in sales:
        for line in sale.lines:
            for number, (expiry, _qty) in line.lots.items():
                key = (line.product.id, number)
                if key not in lots and key not in new:
                    new[key] = expiry
    rows = [
        {"product_id": product_id, "lot_number": number, "expiry": expiry, "quantity": 0}
        for (product_id, number), expiry in new.items()
    ]
    _insert(session, Lot, rows)
    keys = list(new)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        found = session.execute(
            select(Lot.product_id, Lot.lot_number, Lot.id).where(
                tuple_(Lot.product_id, Lot.lot_number).in_(chunk)
            )
        )
        lots.update(((product_id, number), lot_id) for product_id, number, lot_id in found)


def _sale_ids(session: Session, sales: list[CheckedSale]) -> list[int]:
    """The ids of the just-inserted ``sales``, in their order (numbers are unique)."""
    ids: dict[str, int] = {}
    for start in range(0, len(sales), _CHUNK):
        numbers = [sale.number for sale in sales[start : start + _CHUNK]]
        rows = session.execute(select(Sale.number, Sale.id).where(Sale.number.in_(numbers)))
        ids.update((number, sale_id) for number, sale_id in rows)
    return [ids[sale.number] for sale in sales]


def _line_ids(session: Session, sale_ids: list[int]) -> dict[tuple[int, int], int]:
    """The ids of the lines of ``sale_ids`` by (sale id, line number)."""
    ids: dict[tuple[int, int], int] = {}
    for start in range(0, len(sale_ids), _CHUNK):
        chunk = sale_ids[start : start + _CHUNK]
        rows = session.execute(
            select(SaleLine.sale_id, SaleLine.line_no, SaleLine.id).where(
                SaleLine.sale_id.in_(chunk)
            )
        )
        ids.update(((sale_id, line_no), line_id) for sale_id, line_no, line_id in rows)
    return ids


def _store(
    session: Session,
    sales: list[CheckedSale],
    lots: dict[tuple[int, str], int],
    report: SalesImportReport,
) -> None:
    """Insert ``sales`` with their lines, lots, payments, codes and prescriptions."""
    if not sales:
        return
    _new_lots(session, sales, lots)
    members = _member_ids(session, {sale.member for sale in sales if sale.member})
    _insert(session, Sale, [
        {
            "number": s.number, "store_code": s.store, "register_id": s.register,
            "business_date": s.business_date, "seq": s.seq, "cashier": s.cashier,
            "member": s.member, "member_id": members.get(s.member) if s.member else None,
            "points_earned": s.points_earned, "points_redeemed": s.points_redeemed,
            "completed_at": s.completed_at, "subtotal_fen": s.subtotal_fen,
            "discount_fen": s.discount_fen, "total_fen": s.total_fen, "change_fen": s.change_fen,
            "rounding_fen": s.rounding_fen,
        }
        for s in sales
    ])  # fmt: skip
    sale_ids = _sale_ids(session, sales)
    line_rows: list[dict[str, Any]] = []
    payment_rows: list[dict[str, Any]] = []
    prescription_rows: list[dict[str, Any]] = []
    for sale_id, sale in zip(sale_ids, sales, strict=True):
        line_rows += [
            {
                "sale_id": sale_id, "line_no": ln.line_no, "product_id": ln.product.id,
                "sku": ln.sku, "barcode": ln.barcode, "name": ln.name, "spec": ln.product.spec,
                "qty": ln.qty, "unit_price_fen": ln.unit_price_fen, "discount_fen": ln.discount_fen,
                "total_fen": ln.total_fen, "guidance_given": ln.guidance_given,
                "promotion_id": ln.promotion, "suggested_by": ln.suggested_by,
            }
            for ln in sale.lines
        ]  # fmt: skip
        payment_rows += [
            {"sale_id": sale_id, "seq": seq, "tender": tender, "amount_fen": amount,
             "tendered_fen": tendered}
            for seq, (tender, amount, tendered) in enumerate(sale.payments, 1)
        ]  # fmt: skip
        if (rx := sale.prescription) is not None:
            prescription_rows.append({
                "sale_id": sale_id, "number": rx.number, "prescriber": rx.prescriber,
                "issued_on": rx.issued_on, "patient_name": rx.patient_name,
                "pharmacist_id": rx.pharmacist, "reviewed_at": sale.completed_at,
            })  # fmt: skip
        report.restricted_buyers += sale.restricted_buyer
    _insert(session, SaleLine, line_rows)
    line_ids = _line_ids(session, sale_ids)
    lot_rows: list[dict[str, Any]] = []
    code_rows: list[dict[str, Any]] = []
    for sale_id, sale in zip(sale_ids, sales, strict=True):
        for line in sale.lines:
            line_id = line_ids[sale_id, line.line_no]
            lot_rows += [
                {"sale_line_id": line_id, "lot_id": lots[line.product.id, number],
                 "lot_number": number, "expiry": expiry, "qty": qty}
                for number, (expiry, qty) in line.lots.items()
            ]  # fmt: skip
            code_rows += [
                {"code": code, "sale_line_id": line_id, "sold_at": sale.completed_at,
                 "returned_at": None}
                for code in line.trace_codes
            ]  # fmt: skip
    _insert(session, SaleLineLot, lot_rows)
    _insert(session, Payment, payment_rows)
    _insert(session, TraceCode, code_rows)
    _insert(session, Prescription, prescription_rows)
    report.created += len(sales)
