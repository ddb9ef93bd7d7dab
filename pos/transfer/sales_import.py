"""Importing past sales (``pos import sales``) from ``pos export sales`` JSON lines.

The sales are history, for migrating a register's past and for mining pairings:
stock does not move (a lot that is not on file is created with quantity 0), and no
points are booked. The file is read once: every line is checked, and the good
sales are kept as plain rows in a scratch SQLite file (:class:`Staging`, in a
private temporary folder, removed at the end); nothing is stored if any line is
bad (unless ``skip_bad`` is set). Then the staged sales are copied into the store
in bulk (``INSERT … SELECT`` inside SQLite, the scratch file attached to the
store's connection, ids numbered on from the store's last ones by row offsets), in
short chunks each committed on its own, so a register
selling beside the import is never locked out; sale numbers already stored are
skipped with a warning, so an import stopped midway is simply run again.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import Product
from pos.transfer.import_common import (
    PARTS,
    QUIET_CHUNK_SECONDS,
    UNCHUNKED,
    Children,
    Chunks,
    ImportReport,
    RowError,
    next_line,
    part_bounds,
    write_cache,
)
from pos.transfer.sales_check import CheckedSale, ProductRef, SaleCheck

PART_BYTES = 32 * 1024 * 1024
"""The fewest bytes of a part: a smaller file is checked in one."""
FIRST_SHARE = 0.85
"""The first part's length, as a share of each other's: this process then appends the
others' staged sales (:meth:`Staging.append`) while they would still be checking."""
BATCH = 20_000
"""The most sales per chunk of writes."""
CHECK_PROGRESS = 5000
"""The lines between progress reports while checking."""
FIRST_BATCH = 200
MIN_BATCH = 20
"""The first and the fewest sales per chunk; between, the size follows the time taken
(growing at most twofold from one chunk to the next)."""
MAX_LISTED_DUPLICATES = 10
WRITE_CACHE_KB = 128 * 1024
"""SQLite's page cache while the staged sales are copied in (the sales' indexes on
numbers, times and products take a page of nearly every leaf in each chunk)."""
WRITE_WAL_PAGES = 65_536
"""The write-ahead log's pages (256 MB) between two checkpoints while the sales are copied
in: a page changed by many chunks is copied into the database once per checkpoint (1 M
sales: 16 s of CPU in the copy against 17 s with 64 MB between checkpoints)."""


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


def _parts(path: Path) -> list[tuple[int, int]]:
    """The byte ranges ``[start, end)`` the file is checked in, each but the last ending
    after a line end (:func:`~pos.transfer.import_common.part_bounds`)."""
    return part_bounds(path, PARTS, PART_BYTES, FIRST_SHARE, next_line)


def _lines(path: Path, start: int, end: int) -> Iterator[tuple[int, int, bytes]]:
    """(line number from ``start``, bytes read so far, line) for every line of the bytes
    ``start`` to ``end`` (a line start and a line end or the file's end)."""
    done = start
    with path.open("rb") as handle:
        handle.seek(start)
        for number, raw in enumerate(handle, 1):
            if done >= end:
                return
            done += len(raw)
            if number == 1 and start == 0:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            yield number, done, raw


@dataclass
class _Part:
    """What checking one part of the file found (its lines counted from 1)."""

    errors: list[RowError]
    lines: int = 0
    """The lines read, blank ones too."""
    checked: int = 0
    """The lines checked: not blank, not a return."""
    returns: int = 0


def _check_part(
    path: Path,
    span: tuple[int, int],
    products: dict[str, ProductRef],
    staging: Staging,
    seen: dict[str, int] | None,
    progress: Callable[[int, int], None] | None = None,
) -> _Part:
    """Check the lines of the bytes ``span`` of the file, staging the good sales.

    With ``seen`` (sale number → line, of the sales staged before), a sale number met
    again is a bad line; without, every good sale is staged (:meth:`Staging.append`
    finds the numbers met again). ``progress`` is told (bytes done, lines checked).
    """
    part = _Part([])
    check = SaleCheck(products).check
    errors = part.errors
    for line, done, raw in _lines(path, *span):
        part.lines = line
        if not raw.strip():
            continue
        result: CheckedSale | str
        try:
            obj: Any = json.loads(raw)
        except ValueError as exc:
            result = _("not JSON: {error}").format(error=exc)
        else:
            if isinstance(obj, dict) and obj.get("type") == "return":
                part.returns += 1
                continue
            try:
                result = check(obj)
            except InputError as exc:
                result = str(exc)
        part.checked += 1
        if seen is not None and isinstance(result, CheckedSale) and result.number in seen:
            result = _again(result.number, seen[result.number])
        if isinstance(result, str):
            errors.append(RowError(line, result))
        else:
            if seen is not None:
                seen[result.number] = line
            staging.add(result, line, part.checked, done)
        if progress is not None and part.checked % CHECK_PROGRESS == 0:
            progress(done, part.checked)
    staging.flush()
    return part


def _again(number: str, line: int) -> str:
    return _("sale {number} already on line {line}").format(number=number, line=line)


def _check_child(
    path: Path, span: tuple[int, int], products: dict[str, ProductRef], stage: Path
) -> _Part:
    """In a child process: check the part ``span`` into a staging file of its own at
    ``stage``; what it found."""
    staging = Staging(stage)
    try:
        part = _check_part(path, span, products, staging, None)
        staging.finish()
    finally:
        staging.close()
    return part


def _products(session: Session) -> dict[str, ProductRef]:
    rows = session.execute(select(Product.sku, Product.id, Product.name, Product.spec))
    return {sku: ProductRef(id, name, spec) for sku, id, name, spec in rows}


def import_sales(
    session: Session,
    path: Path,
    skip_bad: bool = False,
    progress: Progress | None = None,
    chunks: Chunks = UNCHUNKED,
) -> SalesImportReport:
    """Store the sales of a JSON-lines file at ``path``, committed in ``chunks``.

    The file is read once: every line is checked, and each good sale is kept as
    plain rows in a staging file beside (no lock on the store). Only when no line is
    bad (or ``skip_bad``) are the staged sales copied into the store, in batches
    sized so that each holds the write lock about
    :attr:`~pos.transfer.import_common.Chunks.seconds`. ``report.errors`` holds
    every bad line; ``report.created`` counts the sales stored.
    """
    report = SalesImportReport()
    products = _products(session)
    chunks.commit()  # the checking pass holds no lock
    with tempfile.TemporaryDirectory(prefix="pos-sales-") as folder:
        staging = Staging(Path(folder) / "staged.db")
        try:
            count = _check_all(path, products, report, progress, staging)
            if report.errors and not skip_bad:
                return report
            with write_cache(session, WRITE_CACHE_KB, WRITE_WAL_PAGES):
                _write_all(session, staging, path.stat().st_size, report, chunks, progress)
        finally:
            staging.detach()
            staging.close()
    if progress is not None:
        total = path.stat().st_size
        progress(SalesProgress(total, total, count))
    _summarise(report)
    report.applied = True
    return report


def _summarise(report: SalesImportReport) -> None:
    """The warnings of a finished import: duplicates, returns, restricted-sale buyers."""
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


def _check_all(
    path: Path,
    products: dict[str, ProductRef],
    report: SalesImportReport,
    progress: Progress | None,
    staging: Staging,
) -> int:
    """Check every line (no writing to the store), staging the good sales; the lines
    checked.

    A big file is checked in parts at once (:func:`_parts`): the first here, each other
    one in a child process of its own, sent only its byte range, that stages its good
    sales in a scratch file beside; those are then appended here in file order
    (:meth:`Staging.append`). The bad lines are in ``report``, in file order.
    """
    total = path.stat().st_size
    spans = _parts(path)
    scale = total / max(spans[0][1], 1)  # while checking: the first part shows them all

    def told(done: int, checked: int) -> None:
        if progress is not None:
            progress(SalesProgress(int(done * scale), total, int(checked * scale), True))

    jobs = [
        (path, span, products, staging.path.with_name(f"part{number}.db"))
        for number, span in enumerate(spans[1:], 2)
    ]
    with Children(_check_child, jobs) as children:
        seen: dict[str, int] = {}
        first = _check_part(path, spans[0], products, staging, seen, told)
        report.errors += first.errors
        report.returns += first.returns
        lines, checked = first.lines, first.checked
        for (_path, _span, _products, stage), found in zip(jobs, children.results(), strict=True):
            assert isinstance(found, _Part)
            again = staging.append(stage, seen, lines, checked)
            moved = [replace(error, line=error.line + lines) for error in found.errors]
            report.errors += sorted([*moved, *again], key=lambda error: error.line)
            report.returns += found.returns
            lines += found.lines
            checked += found.checked
    staging.finish()
    return checked


def _stamp(moment: datetime) -> str:
    """A time as the store keeps it (``UTCDateTime`` on SQLite): naive UTC, microseconds."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class Staging:
    """The checked sales of an import as plain rows in a scratch SQLite file.

    Sales and lines are numbered from 1 in file order; the lots, payments, codes
    and prescription of each hang on those numbers. :meth:`copy` moves a range of
    sales into the store under the store's next ids.
    """

    FLUSH = 2000
    """Sales kept in memory before they are written to the scratch file."""

    _TABLES = (
        "CREATE TABLE s_sale (id INTEGER PRIMARY KEY, line, ordinal, done, restricted, lines_to, "
        "number, store_code, register_id, business_date, seq, cashier, member, points_earned, "
        "points_redeemed, completed_at, subtotal_fen, discount_fen, total_fen, change_fen, "
        "rounding_fen)",
        "CREATE TABLE s_line (id INTEGER PRIMARY KEY, sale_id, line_no, product_id, sku, barcode, "
        "name, spec, qty, unit_price_fen, discount_fen, total_fen, guidance_given, promotion_id, "
        "suggested_by)",
        "CREATE TABLE s_lot (line_id, k, sale_id, product_id, lot_number, expiry, qty, "
        "PRIMARY KEY (line_id, k)) WITHOUT ROWID",
        "CREATE TABLE s_payment (sale_id, seq, tender, amount_fen, tendered_fen, "
        "PRIMARY KEY (sale_id, seq)) WITHOUT ROWID",
        "CREATE TABLE s_code (line_id, k, sale_id, code, sold_at, "
        "PRIMARY KEY (line_id, k)) WITHOUT ROWID",
        "CREATE TABLE s_rx (sale_id INTEGER PRIMARY KEY, number, prescriber, issued_on, "
        "patient_name, pharmacist_id, reviewed_at)",
    )

    ALIAS = "pos_stage_"
    """The start of the scratch file's name when attached to the store's connection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.alias = f"{self.ALIAS}{next(_STAGINGS)}"
        self._attached: list[sqlite3.Connection] = []
        self._copy = {name: sql.format(stage=self.alias) for name, sql in _COPY.items()}
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        for sql in self._TABLES:
            self._db.execute(sql)
        self._db.execute("BEGIN")
        self.sales = 0
        self.lines = 0
        self._rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _STAGE_SQL}

    def close(self) -> None:
        """Close the scratch file (the caller removes it)."""
        self._db.close()

    def add(self, sale: CheckedSale, line: int, ordinal: int, done: int) -> None:
        """Stage ``sale``, read on ``line`` (the ``ordinal``-th line, ``done`` bytes in)."""
        self.sales += 1
        sale_id = self.sales
        stamp = _stamp(sale.completed_at)
        rows = self._rows
        lines, lots, codes = rows["s_line"], rows["s_lot"], rows["s_code"]
        for ln in sale.lines:
            self.lines += 1
            line_id = self.lines
            product = ln.product
            lines.append((
                line_id, sale_id, ln.line_no, product.id, ln.sku, ln.barcode, ln.name,
                product.spec, ln.qty, ln.unit_price_fen, ln.discount_fen, ln.total_fen,
                int(ln.guidance_given), ln.promotion, ln.suggested_by,
            ))  # fmt: skip
            for k, (number, (expiry, qty)) in enumerate(ln.lots.items()):
                lots.append((line_id, k, sale_id, product.id, number, expiry.isoformat(), qty))
            for k, code in enumerate(ln.trace_codes):
                codes.append((line_id, k, sale_id, code, stamp))
        rows["s_sale"].append((
            sale_id, line, ordinal, done, int(sale.restricted_buyer), self.lines, sale.number,
            sale.store, sale.register, sale.business_date.isoformat(), sale.seq, sale.cashier,
            sale.member, sale.points_earned, sale.points_redeemed, stamp, sale.subtotal_fen,
            sale.discount_fen, sale.total_fen, sale.change_fen, sale.rounding_fen,
        ))  # fmt: skip
        rows["s_payment"] += [
            (sale_id, seq, tender.value, amount, tendered)
            for seq, (tender, amount, tendered) in enumerate(sale.payments, 1)
        ]
        if (rx := sale.prescription) is not None:
            rows["s_rx"].append((
                sale_id, rx.number, rx.prescriber, rx.issued_on.isoformat(), rx.patient_name,
                rx.pharmacist, stamp,
            ))  # fmt: skip
        if len(rows["s_sale"]) >= self.FLUSH:
            self.flush()

    def flush(self) -> None:
        """Write the sales kept in memory to the scratch file."""
        for name, rows in self._rows.items():
            if rows:
                self._db.executemany(_STAGE_SQL[name], rows)
                rows.clear()

    def finish(self) -> None:
        """The last sales to the scratch file; from now on it is only read."""
        self.flush()
        self._db.execute("COMMIT")

    def append(self, path: Path, seen: dict[str, int], lines: int, checked: int) -> list[RowError]:
        """Append the sales staged in the scratch file at ``path`` (a later part of the
        file: its ``lines`` and ``checked`` lines come before) after these, numbered on; a
        sale whose number is in ``seen`` (sale number → line, of the sales before) is left
        out and named in the bad lines returned, as :func:`_check_part` would have done."""
        self.flush()
        db = self._db
        db.execute("COMMIT")
        db.execute(f"ATTACH DATABASE ? AS {_PART}", (str(path),))
        try:
            db.execute("BEGIN")
            db.execute(f"CREATE TEMP TABLE {_MAP} (old INTEGER PRIMARY KEY, new, line_shift)")
            again, keep = self._renumber(seen, lines)
            db.executemany(f"INSERT INTO {_MAP} VALUES (?, ?, ?)", keep)
            for sql in _APPEND:
                db.execute(sql, (lines, checked) if "?" in sql else ())
            db.execute(f"DROP TABLE {_MAP}")
            db.execute("COMMIT")
        finally:
            db.execute(f"DETACH DATABASE {_PART}")
        db.execute("BEGIN")
        return again

    def _renumber(
        self, seen: dict[str, int], lines: int
    ) -> tuple[list[RowError], list[tuple[int, int, int]]]:
        """The attached part's sales met before (as bad lines), and the others' new ids:
        (staged id, new id, shift of its line ids), the numbers on from these."""
        again: list[RowError] = []
        keep: list[tuple[int, int, int]] = []
        before = 0  # the part's last line id of the sale before
        query = f"SELECT id, line, number, lines_to FROM {_PART}.s_sale ORDER BY id"
        for sale_id, line, number, lines_to in self._db.execute(query):
            first, before = before + 1, lines_to
            if number in seen:
                again.append(RowError(line + lines, _again(number, seen[number])))
                continue
            seen[number] = line + lines
            self.sales += 1
            keep.append((sale_id, self.sales, self.lines + 1 - first))
            self.lines += lines_to - first + 1
        return again, keep

    def reached(self, sale_id: int) -> tuple[int, int]:
        """(ordinal, bytes done) of the line of the staged sale ``sale_id``."""
        row = self._db.execute("SELECT ordinal, done FROM s_sale WHERE id = ?", (sale_id,))
        ordinal, done = row.fetchone()
        return int(ordinal), int(done)

    def stored(self, cursor: sqlite3.Cursor, first: int, last: int) -> list[tuple[int, int, str]]:
        """(id, line, number) of the staged sales ``first``…``last`` whose number the store
        (``cursor``, the scratch file attached) has already, in file order."""
        return cursor.execute(self._copy["stored"], (first, last)).fetchall()

    def _lines_to(self, sale_id: int) -> int:
        """The last staged line of the sales up to ``sale_id`` (0 before the first)."""
        row = self._db.execute("SELECT lines_to FROM s_sale WHERE id = ?", (sale_id,)).fetchone()
        return int(row[0]) if row else 0

    def attach(self, cursor: sqlite3.Cursor) -> None:
        """Attach the scratch file to ``cursor``'s connection (unless it is), with an empty
        table of skipped ids; scratch files left attached by earlier imports are detached
        if their transaction is over."""
        connection = cursor.connection
        if connection not in self._attached:
            for _seq, name, _file in cursor.execute("PRAGMA database_list").fetchall():
                if name.startswith(self.ALIAS):
                    _detach(connection, name)
            cursor.execute(f"ATTACH DATABASE ? AS {self.alias}", (str(self.path),))
            self._attached.append(connection)
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_SKIP} (id INTEGER PRIMARY KEY)")
        cursor.execute(f"DELETE FROM {_SKIP}")

    def detach(self) -> None:
        """Detach the scratch file from the store's connections whose transaction is over
        (in a caller's open transaction it stays attached until the next import or the end
        of the connection; the file is removed all the same)."""
        for connection in self._attached:
            _detach(connection, self.alias)
        self._attached.clear()

    def copy(self, cursor: sqlite3.Cursor, first: int, last: int, skip: set[int]) -> int:
        """Insert the staged sales ``first``…``last`` but ``skip`` through ``cursor`` (in the
        store's transaction, the scratch file attached), numbered on from the store's last
        sale and line: each table in one ``INSERT … SELECT``. The sales inserted that had a
        restricted-sale buyer."""
        sales = (first, last)
        lines = (self._lines_to(first - 1) + 1, self._lines_to(last))
        sale_shift = _next_id(cursor, "sale") - first
        line_shift = _next_id(cursor, "sale_line") - lines[0]
        if skip:
            cursor.executemany(f"INSERT INTO {_SKIP} VALUES (?)", [(sale_id,) for sale_id in skip])
        copy = self._copy
        _new_lots(cursor, cursor.execute(copy["new lots"], lines).fetchall())
        cursor.execute(copy["sale"], (sale_shift, *sales))
        cursor.execute(copy["line"], (line_shift, sale_shift, *lines))
        for name, shift, span in (
            ("lot", line_shift, lines),
            ("payment", sale_shift, sales),
            ("code", line_shift, lines),
            ("rx", sale_shift, sales),
        ):
            cursor.execute(copy[name], (shift, *span))
        return int(cursor.execute(copy["restricted"], sales).fetchone()[0])


def _marks(n: int) -> str:
    return ", ".join("?" * n)


_STAGE_SQL = {
    "s_sale": f"INSERT INTO s_sale VALUES ({_marks(21)})",
    "s_line": f"INSERT INTO s_line VALUES ({_marks(15)})",
    "s_lot": f"INSERT INTO s_lot VALUES ({_marks(7)})",
    "s_payment": f"INSERT INTO s_payment VALUES ({_marks(5)})",
    "s_code": f"INSERT INTO s_code VALUES ({_marks(5)})",
    "s_rx": f"INSERT INTO s_rx VALUES ({_marks(7)})",
}
"""Staging one sale's rows, table by table (the tables of :class:`Staging`)."""

_PART = "pos_part"
"""A later part's scratch file, attached to the first's (:meth:`Staging.append`)."""
_MAP = "temp.pos_part_ids"
_SKIP = "temp.pos_import_skip"
"""The staged ids of the sales of a chunk already stored (on the store's connection)."""
_S = "{stage}"
_FRESH_SALES = f"sale_id NOT IN (SELECT id FROM {_SKIP})"
_SALE_COLUMNS = (
    "number, store_code, register_id, business_date, seq, cashier, member, points_earned, "
    "points_redeemed, completed_at, subtotal_fen, discount_fen, total_fen, change_fen, "
    "rounding_fen"
)
_LINE_COLUMNS = (
    "line_no, product_id, sku, barcode, name, spec, qty, unit_price_fen, discount_fen, "
    "total_fen, guidance_given, promotion_id, suggested_by"
)
_RX_COLUMNS = "number, prescriber, issued_on, patient_name, pharmacist_id, reviewed_at"
_COPY = {
    "stored": (
        f"SELECT s.id, s.line, s.number FROM {_S}.s_sale AS s WHERE s.id BETWEEN ? AND ? "
        "AND EXISTS (SELECT 1 FROM main.sale WHERE sale.number = s.number) ORDER BY s.id"
    ),
    "restricted": (
        f"SELECT count(*) FROM {_S}.s_sale WHERE id BETWEEN ? AND ? AND restricted "
        f"AND id NOT IN (SELECT id FROM {_SKIP})"
    ),
    "new lots": (
        f"SELECT s.product_id, s.lot_number, s.expiry FROM {_S}.s_lot AS s "
        f"WHERE s.line_id BETWEEN ? AND ? AND s.{_FRESH_SALES} AND NOT EXISTS "
        "(SELECT 1 FROM main.lot WHERE lot.product_id = s.product_id "
        "AND lot.lot_number = s.lot_number) ORDER BY s.line_id, s.k"
    ),
    "sale": (
        f"INSERT INTO main.sale (id, {_SALE_COLUMNS}, member_id) "
        f"SELECT s.id + ?, {_SALE_COLUMNS}, "
        "(SELECT m.id FROM main.member AS m WHERE m.card_no = s.member) "
        f"FROM {_S}.s_sale AS s WHERE s.id BETWEEN ? AND ? AND s.id NOT IN (SELECT id FROM {_SKIP})"
    ),
    "line": (
        f"INSERT INTO main.sale_line (id, sale_id, {_LINE_COLUMNS}) "
        f"SELECT id + ?, sale_id + ?, {_LINE_COLUMNS} FROM {_S}.s_line "
        f"WHERE id BETWEEN ? AND ? AND {_FRESH_SALES}"
    ),
    "lot": (
        "INSERT INTO main.sale_line_lot (sale_line_id, lot_id, lot_number, expiry, qty) "
        f"SELECT s.line_id + ?, lot.id, s.lot_number, s.expiry, s.qty FROM {_S}.s_lot AS s "
        "CROSS JOIN main.lot AS lot ON lot.product_id = s.product_id "
        f"AND lot.lot_number = s.lot_number WHERE s.line_id BETWEEN ? AND ? AND s.{_FRESH_SALES} "
        "ORDER BY s.line_id, s.k"
    ),
    "payment": (
        "INSERT INTO main.payment (sale_id, seq, tender, amount_fen, tendered_fen) "
        f"SELECT sale_id + ?, seq, tender, amount_fen, tendered_fen FROM {_S}.s_payment "
        f"WHERE sale_id BETWEEN ? AND ? AND {_FRESH_SALES} ORDER BY sale_id, seq"
    ),
    "code": (
        "INSERT INTO main.trace_code (code, sale_line_id, sold_at) "
        f"SELECT code, line_id + ?, sold_at FROM {_S}.s_code "
        f"WHERE line_id BETWEEN ? AND ? AND {_FRESH_SALES} ORDER BY line_id, k"
    ),
    "rx": (
        f"INSERT INTO main.prescription (sale_id, {_RX_COLUMNS}) "
        f"SELECT sale_id + ?, {_RX_COLUMNS} FROM {_S}.s_rx "
        f"WHERE sale_id BETWEEN ? AND ? AND {_FRESH_SALES}"
    ),
}
"""Per table: copying a range of staged rows into the store, their ids shifted by offsets
(the store's next id less the first staged one); before, the staged sales whose number
is stored and the sale-line lots whose lot is not on file (in file order); after, the
sales copied that had a restricted-sale buyer. ``{stage}``: the attached scratch file."""

_APPEND = (
    f"INSERT INTO s_sale SELECT m.new, s.line + ?, s.ordinal + ?, s.done, s.restricted, "
    f"s.lines_to + m.line_shift, {_SALE_COLUMNS} FROM {_PART}.s_sale AS s CROSS JOIN {_MAP} AS m "
    "ON m.old = s.id ORDER BY s.id",
    f"INSERT INTO s_line SELECT x.id + m.line_shift, m.new, {_LINE_COLUMNS} "
    f"FROM {_PART}.s_line AS x "
    f"CROSS JOIN {_MAP} AS m ON m.old = x.sale_id ORDER BY x.id",
    f"INSERT INTO s_lot SELECT x.line_id + m.line_shift, x.k, m.new, x.product_id, "
    f"x.lot_number, x.expiry, x.qty FROM {_PART}.s_lot AS x CROSS JOIN {_MAP} AS m "
    "ON m.old = x.sale_id ORDER BY x.line_id, x.k",
    f"INSERT INTO s_payment SELECT m.new, x.seq, x.tender, x.amount_fen, x.tendered_fen "
    f"FROM {_PART}.s_payment AS x CROSS JOIN {_MAP} AS m ON m.old = x.sale_id "
    "ORDER BY x.sale_id, x.seq",
    f"INSERT INTO s_code SELECT x.line_id + m.line_shift, x.k, m.new, x.code, x.sold_at "
    f"FROM {_PART}.s_code AS x CROSS JOIN {_MAP} AS m ON m.old = x.sale_id "
    "ORDER BY x.line_id, x.k",
    f"INSERT INTO s_rx SELECT m.new, x.number, x.prescriber, x.issued_on, x.patient_name, "
    f"x.pharmacist_id, x.reviewed_at FROM {_PART}.s_rx AS x CROSS JOIN {_MAP} AS m "
    "ON m.old = x.sale_id ORDER BY x.sale_id",
)
"""Appending a later part's staged rows (:meth:`Staging.append`), ids renumbered by the
map; the sales' lines and checked lines counted on from the part's first."""

_STAGINGS = itertools.count(1)
"""Numbers the scratch files of a process (each attached under a name of its own)."""


def _detach(connection: sqlite3.Connection, name: str) -> None:
    """Detach ``name`` from ``connection`` unless an open transaction still uses it (then it
    stays until later)."""
    with contextlib.suppress(sqlite3.OperationalError):  # "database … is locked": in use
        connection.execute(f"DETACH DATABASE {name}")


def _next_id(cursor: sqlite3.Cursor, table: str) -> int:
    return int(cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])


def _new_lots(cursor: sqlite3.Cursor, staged: list[tuple[Any, ...]]) -> None:
    """Create, with quantity 0, the lots of ``staged`` sale-line lots (product, lot number,
    expiry; not on file), numbered on in file order, the first expiry of each (history moves
    no stock)."""
    new: dict[tuple[int, str], str] = {}
    for product_id, number, expiry in staged:
        new.setdefault((product_id, number), expiry)
    if not new:
        return
    cursor.executemany(
        "INSERT INTO lot (id, product_id, lot_number, expiry, quantity) VALUES (?, ?, ?, ?, 0)",
        [
            (lot_id, product_id, number, expiry)
            for lot_id, ((product_id, number), expiry) in enumerate(
                new.items(), _next_id(cursor, "lot")
            )
        ],
    )


def _cursor(session: Session) -> sqlite3.Cursor:
    """A DBAPI cursor on the session's connection, in its transaction (begun if need be)."""
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw.cursor()


def _stored(
    cursor: sqlite3.Cursor, staging: Staging, first: int, last: int, report: SalesImportReport
) -> set[int]:
    """The staged ids of the sales ``first``…``last`` whose number is stored already; the
    first few are reported by line as duplicates, all are counted."""
    skip: set[int] = set()
    for sale_id, line, number in staging.stored(cursor, first, last):
        skip.add(sale_id)
        report.duplicates += 1
        if report.duplicates <= MAX_LISTED_DUPLICATES:
            report.warnings.append(
                _("line {line}: sale {number} is already stored: skipped").format(
                    line=line, number=number
                )
            )
    return skip


def _write_all(
    session: Session,
    staging: Staging,
    total: int,
    report: SalesImportReport,
    chunks: Chunks,
    progress: Progress | None,
) -> None:
    """Copy the staged sales into the store, in chunks that each hold the write lock about
    :attr:`Chunks.seconds <pos.transfer.import_common.Chunks.seconds>` (their size follows
    the time taken): :data:`QUIET_CHUNK_SECONDS` while no register writes."""
    chunks.stretch(QUIET_CHUNK_SECONDS)
    chunks.commit()
    first, size = 1, FIRST_BATCH
    while first <= staging.sales:
        last = min(first + size - 1, staging.sales)
        started = time.monotonic()
        cursor = _cursor(session)
        staging.attach(cursor)
        skip = _stored(cursor, staging, first, last, report)
        report.restricted_buyers += staging.copy(cursor, first, last, skip)
        cursor.close()
        count = last - first + 1
        report.created += count - len(skip)
        chunks.commit(staging.detach)  # nothing attached while a register writes
        took = max(time.monotonic() - started - chunks.pause, 0.001)  # the lock held
        # one chunk's time is a rough guide: the next is at most twice as big
        size = max(MIN_BATCH, min(BATCH, 2 * count, int(count * chunks.seconds / took)))
        first = last + 1
        if progress is not None and last < staging.sales:
            ordinal, done = staging.reached(last)
            progress(SalesProgress(done, total, ordinal))
