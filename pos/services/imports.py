"""Importing the catalogue and stock from CSV files (contracts in the README).

Every row is checked first; any bad row stops the whole import unless
``skip_bad`` is set, in which case the good rows go in and the bad are reported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.i18n import _
from pos.models import (
    Barcode,
    BarcodeKind,
    DrugClass,
    Lot,
    Product,
    ProductIngredient,
    StockMovement,
)
from pos.money import MoneyError, parse_yuan
from pos.services.catalogue import search_keys
from pos.services.codes import InputError, parse_barcode_field

PRODUCT_COLUMNS = (
    "sku", "barcodes", "name", "name_en", "spec", "manufacturer", "unit", "category",
    "price", "member_price", "drug_class", "ingredients",
)  # fmt: skip
STOCK_COLUMNS = ("sku", "lot", "expiry", "quantity")
DEMO_STOCK_COLUMNS = ("sku", "lot", "expiry_days", "quantity")
MAX_LOT_QUANTITY = 9_999_999
_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class RowError:
    """A bad row: its line number in the file and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return _("line {line}: {reason}").format(line=self.line, reason=self.reason)


@dataclass
class ImportReport:
    """What an import did, or would have done."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    applied: bool = False


class FileFormatError(InputError):
    """The file as a whole cannot be read (encoding, header)."""


@dataclass(frozen=True)
class ProductRow:
    """A checked row of a products file."""

    line: int
    sku: str
    barcodes: tuple[tuple[str, BarcodeKind], ...]
    name: str
    name_en: str
    spec: str
    manufacturer: str
    unit: str
    category: str
    price_fen: int
    member_price_fen: int | None
    drug_class: DrugClass
    ingredients: tuple[str, ...]


@dataclass(frozen=True)
class StockRow:
    """A checked row of a stock file."""

    line: int
    sku: str
    lot: str
    expiry: date
    quantity: int


def read_rows(
    data: bytes, columns: tuple[str, ...], report: ImportReport
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV (BOM allowed) as dicts with their line numbers."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            _("The file is not UTF-8 (byte {at}); save it as UTF-8 CSV").format(at=exc.start)
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise FileFormatError(_("The file is empty: a header row is needed")) from None
    missing = [name for name in columns if name not in header]
    if missing:
        raise FileFormatError(
            _("Missing column(s): {missing}; expected {expected}").format(
                missing=", ".join(missing), expected=",".join(columns)
            )
        )
    extra = [name for name in header if name not in columns]
    if extra:
        report.warnings.append(
            _("Ignoring unknown column(s): {extra}").format(extra=", ".join(extra))
        )
    end = reader.line_num
    for record in reader:
        line, end = end + 1, reader.line_num  # a quoted cell may span lines: report the first
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            report.errors.append(
                RowError(
                    line,
                    _("{found} fields, the header has {expected}").format(
                        found=len(record), expected=len(header)
                    ),
                )
            )
            continue
        yield line, {name: cell.strip() for name, cell in zip(header, record, strict=True)}


def _price(value: str, column: str) -> int:
    if value.startswith("-"):
        raise InputError(
            _("{column} must not be negative: {value}").format(column=column, value=value)
        )
    try:
        return parse_yuan(value)
    except MoneyError:
        raise InputError(
            _("{column} is not a price in yuan (e.g. 12.50): {value!r}").format(
                column=column, value=value
            )
        ) from None


def check_product(line: int, row: dict[str, str]) -> ProductRow:
    """Validate one products row; raise :class:`InputError` with the first problem."""
    sku = row["sku"]
    if not _SKU.match(sku):
        raise InputError(_("bad sku {sku!r}").format(sku=sku))
    if not row["name"]:
        raise InputError(_("name is empty"))
    barcodes: list[tuple[str, BarcodeKind]] = []
    for value in filter(None, (part.strip() for part in row["barcodes"].split("|"))):
        try:
            barcode = parse_barcode_field(value)
            if barcode[0] in {code for code, _kind in barcodes}:
                raise InputError(_("listed twice"))
            barcodes.append(barcode)
        except InputError as exc:
            raise InputError(
                _("barcode {value}: {reason}").format(value=value, reason=exc)
            ) from None
    price = _price(row["price"], "price")
    member_price = _price(row["member_price"], "member_price") if row["member_price"] else None
    if member_price is not None and member_price > price:
        raise InputError(_("member_price is higher than price"))
    try:
        drug_class = DrugClass(row["drug_class"].lower() or "none")
    except ValueError:
        raise InputError(
            _("drug_class must be rx, otc_a, otc_b or none, not {value!r}").format(
                value=row["drug_class"]
            )
        ) from None
    ingredients = tuple(
        dict.fromkeys(
            part.strip().lower() for part in row["ingredients"].split("|") if part.strip()
        )
    )
    return ProductRow(
        line=line,
        sku=sku,
        barcodes=tuple(barcodes),
        name=row["name"],
        name_en=row["name_en"],
        spec=row["spec"],
        manufacturer=row["manufacturer"],
        unit=row["unit"],
        category=row["category"].lower(),
        price_fen=price,
        member_price_fen=member_price,
        drug_class=drug_class,
        ingredients=ingredients,
    )


def import_products(session: Session, data: bytes, skip_bad: bool = False) -> ImportReport:
    """Create or update (by SKU) products from a products CSV; the caller commits."""
    report = ImportReport()
    rows: list[ProductRow] = []
    seen_skus: dict[str, int] = {}
    seen_codes: dict[str, tuple[int, str]] = {}
    for line, raw in read_rows(data, PRODUCT_COLUMNS, report):
        try:
            row = check_product(line, raw)
            if row.sku in seen_skus:
                raise InputError(
                    _("sku {sku} already on line {line}").format(
                        sku=row.sku, line=seen_skus[row.sku]
                    )
                )
            for code, _kind in row.barcodes:
                if code in seen_codes and seen_codes[code][1] != row.sku:
                    raise InputError(
                        _("barcode {code} already on line {line}").format(
                            code=code, line=seen_codes[code][0]
                        )
                    )
        except InputError as exc:
            report.errors.append(RowError(line, str(exc)))
            continue
        seen_skus[row.sku] = line
        seen_codes.update({code: (line, row.sku) for code, _kind in row.barcodes})
        rows.append(row)
    owners = _barcode_owners(session, [code for code in seen_codes])
    good: list[ProductRow] = []
    for row in rows:
        taken = [code for code, _kind in row.barcodes if owners.get(code, row.sku) != row.sku]
        if taken:
            report.errors.append(
                RowError(
                    row.line,
                    _("barcode {code} belongs to another product ({sku})").format(
                        code=taken[0], sku=owners[taken[0]]
                    ),
                )
            )
            continue
        good.append(row)
    report.errors.sort(key=lambda error: error.line)
    if report.errors and not skip_bad:
        return report
    existing = {
        p.sku: p
        for p in session.scalars(select(Product).where(Product.sku.in_([row.sku for row in good])))
    }
    for row in good:
        product = existing.get(row.sku)
        if product is None:
            product = Product(sku=row.sku)
            session.add(product)
            report.created += 1
        else:
            report.updated += 1
        _apply_product(session, product, row)
    report.applied = True
    session.flush()
    return report


def _barcode_owners(session: Session, codes: list[str]) -> dict[str, str]:
    owners: dict[str, str] = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        rows = session.execute(
            select(Barcode.code, Product.sku).join(Product).where(Barcode.code.in_(chunk))
        )
        owners.update((code, sku) for code, sku in rows)
    return owners


def _apply_product(session: Session, product: Product, row: ProductRow) -> None:
    initials, full = search_keys(row.name)
    product.name = row.name
    product.name_en = row.name_en
    product.spec = row.spec
    product.manufacturer = row.manufacturer
    product.unit = row.unit
    product.category = row.category
    product.price_fen = row.price_fen
    product.member_price_fen = row.member_price_fen
    product.drug_class = row.drug_class
    product.pinyin_initials = initials
    product.pinyin_full = full
    product.active = True
    current = {barcode.code: barcode for barcode in product.barcodes}
    product.barcodes = [
        _reuse(current.get(code), code, kind, position)
        for position, (code, kind) in enumerate(row.barcodes)
    ]
    product.ingredients = [
        ProductIngredient(ingredient=name, position=position)
        for position, name in enumerate(row.ingredients)
    ]
    session.flush()


def _reuse(existing: Barcode | None, code: str, kind: BarcodeKind, position: int) -> Barcode:
    if existing is None:
        return Barcode(code=code, kind=kind, position=position)
    existing.kind = kind
    existing.position = position
    return existing


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
) -> ImportReport:
    """Set lot quantities from a stock CSV; each change is a stock movement."""
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
    for row in good:
        product = products[row.sku]
        lot = lots.get((product.id, row.lot))
        if lot is None:
            lot = Lot(product_id=product.id, lot_number=row.lot, expiry=row.expiry, quantity=0)
            session.add(lot)
            session.flush()
            report.created += 1
        else:
            report.updated += 1
        delta = row.quantity - lot.quantity
        if delta:
            lot.quantity = row.quantity
            session.add(StockMovement(lot_id=lot.id, delta=delta, reason="import"))
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


def describe(report: ImportReport) -> Iterator[str]:
    """Lines for the terminal: warnings, errors, then what was done."""
    yield from report.warnings
    yield from (str(error) for error in report.errors)
    if report.applied:
        yield _("{created} created, {updated} updated").format(
            created=report.created, updated=report.updated
        )
    else:
        yield _("Nothing imported: {n} bad row(s); fix them or use --skip-bad").format(
            n=len(report.errors)
        )
