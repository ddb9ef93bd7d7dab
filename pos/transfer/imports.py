"""Importing the catalogue from CSV files (contracts in the README); stock is re-exported.

Every row is checked first; any bad row stops the whole import unless
``skip_bad`` is set, in which case the good rows go in and the bad are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import RowMapping, Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from pos.domain.catalogue.catalogue import search_keys
from pos.domain.pharmacy.safety import check_route, route_from_form
from pos.domain.sales.codes import InputError, parse_barcode_field
from pos.i18n import _
from pos.models import (
    Barcode,
    BarcodeKind,
    DrugClass,
    Product,
    ProductIngredient,
    utcnow,
)
from pos.money import MoneyError, parse_yuan
from pos.transfer.import_common import (
    QUIET_CHUNK_SECONDS,
    UNCHUNKED,
    Chunks,
    FileFormatError,
    ImportReport,
    Inserts,
    RowError,
    describe,
    read_rows,
    write_cache,
)
from pos.transfer.stock_import import (
    DEMO_STOCK_COLUMNS,
    STOCK_COLUMNS,
    StockRow,
    check_stock,
    import_stock,
)

__all__ = [
    "DEMO_STOCK_COLUMNS",
    "PRODUCT_COLUMNS",
    "PRODUCT_OPTIONAL_COLUMNS",
    "STOCK_COLUMNS",
    "FileFormatError",
    "ImportReport",
    "ProductRow",
    "RowError",
    "StockRow",
    "check_product",
    "check_stock",
    "describe",
    "import_products",
    "import_stock",
    "read_rows",
]

PRODUCT_COLUMNS = (
    "sku", "barcodes", "name", "name_en", "spec", "manufacturer", "unit", "category",
    "price", "member_price", "drug_class", "ingredients",
)  # fmt: skip
PRODUCT_OPTIONAL_COLUMNS = ("restricted", "trace_required", "insurance", "route")
_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_RULE = re.compile(r"^[a-z0-9_]{1,32}$")


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
    restricted: str | None = None
    """A restricted-sale rule, ``""`` for none; None: no such column (left as it is)."""
    trace_required: bool | None = None
    """None: no such column (left as it is on update, no on create)."""
    insurance: str | None = None
    """``yes``, ``no``, ``""`` (by drug class); None: no such column (left as it is)."""
    route: str | None = None
    """``oral``, ``topical``, ``eye`` …; ``""`` for the one the dosage form in the name or
    spec tells; None: no such column (left as it is on update, the form's on create)."""


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
        restricted=_restricted(row.get("restricted")),
        trace_required=_yes_no(row.get("trace_required"), "trace_required"),
        insurance=_insurance(row.get("insurance")),
        route=_route(row.get("route")),
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


def _restricted(value: str | None) -> str | None:
    if value is None:
        return None
    rule = value.lower()
    if rule and not _RULE.match(rule):
        raise InputError(
            _(
                "restricted must be a rule name (letters, digits, underscore) or empty, "
                "not {value!r}"
            ).format(value=value)
        )
    return rule


def _insurance(value: str | None) -> str | None:
    if value is None:
        return None
    answer = value.strip().lower()
    if answer not in ("yes", "no", ""):
        raise InputError(
            _("insurance must be yes, no or empty (by drug class), not {value!r}").format(
                value=value
            )
        )
    return answer


def _route(value: str | None) -> str | None:
    if value is None or not value.strip():
        return value
    return check_route(value)


def _yes_no(value: str | None, column: str) -> bool | None:
    if value is None:
        return None
    answer = {"yes": True, "no": False, "": False}.get(value.lower())
    if answer is None:
        raise InputError(
            _("{column} must be yes, no or empty, not {value!r}").format(column=column, value=value)
        )
    return answer


def import_products(
    session: Session, data: bytes, skip_bad: bool = False, chunks: Chunks = UNCHUNKED
) -> ImportReport:
    """Create or update (by SKU) products from a products CSV, committed in ``chunks``."""
    report = ImportReport()
    rows: list[ProductRow] = []
    seen_skus: dict[str, int] = {}
    seen_codes: dict[str, tuple[int, str]] = {}
    for line, raw in read_rows(data, PRODUCT_COLUMNS, report, PRODUCT_OPTIONAL_COLUMNS):
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
    _write_products(session, good, report, chunks)
    report.applied = True
    session.flush()
    return report


BATCH_ROWS = 500
"""Rows written together: new products in one bulk insert, their codes in one more."""
CACHE_KB = 64 * 1024
"""SQLite's page cache while products are written: the pages of their indexes on
random keys (name, barcode) stay in memory (a chain's 50,000 products take 25 MB)."""


def _write_products(
    session: Session, rows: list[ProductRow], report: ImportReport, chunks: Chunks
) -> None:
    """New SKUs by bulk inserts (a batch at a time), products on file updated in place."""
    ids = _product_ids(session, [row.sku for row in rows])
    chunks.stretch(QUIET_CHUNK_SECONDS)
    with write_cache(session, CACHE_KB):
        _write_batches(session, rows, ids, report, chunks)


def _write_batches(
    session: Session,
    rows: list[ProductRow],
    ids: dict[str, int],
    report: ImportReport,
    chunks: Chunks,
) -> None:
    keys = _Derived()
    new_rows = _NewRows(session)
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        on_file = [row for row in batch if row.sku in ids]
        new = [row for row in batch if row.sku not in ids]
        if new:
            ids.update(new_rows.products([_product_values(row, keys) for row in new]))
            new_rows.codes(new, ids)
            report.created += len(new)
        if on_file:
            _update_products(session, on_file, keys)
            report.updated += len(on_file)
        chunks.checkpoint()


def _update_products(session: Session, rows: list[ProductRow], keys: _Derived) -> None:
    """Products on file set from ``rows`` with Core statements, a few per batch.

    As the ORM would: a product whose columns change is updated (and stamped), one
    whose columns are as stored is not; its barcodes are deleted, changed or added one
    by one, its ingredients replaced when they differ.
    """
    product, barcode, ingredient = _table(Product), _table(Barcode), _table(ProductIngredient)
    query = select(product).where(product.c.sku.in_([row.sku for row in rows]))
    stored = {found.sku: found._mapping for found in session.execute(query)}
    ids = [found["id"] for found in stored.values()]
    codes: dict[int, dict[str, tuple[BarcodeKind, int]]] = {product_id: {} for product_id in ids}
    for code, product_id, kind, position in session.execute(
        select(barcode.c.code, barcode.c.product_id, barcode.c.kind, barcode.c.position).where(
            barcode.c.product_id.in_(ids)
        )
    ):
        codes[product_id][code] = (kind, position)
    names: dict[int, list[tuple[str, int]]] = {product_id: [] for product_id in ids}
    for product_id, name, position in session.execute(
        select(ingredient.c.product_id, ingredient.c.ingredient, ingredient.c.position)
        .where(ingredient.c.product_id.in_(ids))
        .order_by(ingredient.c.product_id, ingredient.c.position)
    ):
        names[product_id].append((name, position))
    changes = _Changes(utcnow())
    for row in rows:
        found = stored[row.sku]
        changes.product(found, _product_values(row, keys, found["route"]))
        changes.barcodes(found["id"], row.barcodes, codes[found["id"]])
        wanted = [(name, position) for position, name in enumerate(row.ingredients)]
        if names[found["id"]] != wanted:
            changes.ingredients(found["id"], wanted)
    changes.write(session)


class _Changes:
    """What the products on file of a batch change: gathered row by row, then written
    with one executemany per kind of change (``now``: their time)."""

    def __init__(self, now: datetime) -> None:
        self._now = now
        self._products: list[dict[str, Any]] = []
        self._dropped: list[dict[str, str]] = []
        self._moved: list[dict[str, Any]] = []
        self._added: list[tuple[str, int, BarcodeKind, int]] = []
        self._replaced: list[int] = []
        self._ingredients: list[tuple[int, str, int]] = []

    def product(self, stored: RowMapping, values: dict[str, Any]) -> None:
        """The product's columns, if one of them differs from the stored one."""
        if any(stored[name] != value for name, value in values.items()):
            self._products.append({**values, "updated_at": self._now, "_id": stored["id"]})

    def barcodes(
        self,
        product_id: int,
        wanted: tuple[tuple[str, BarcodeKind], ...],
        stored: dict[str, tuple[BarcodeKind, int]],
    ) -> None:
        """Its codes: those no longer listed dropped, the kept ones moved, the new added."""
        listed = {code for code, _kind in wanted}
        self._dropped.extend({"_code": code} for code in stored if code not in listed)
        for position, (code, kind) in enumerate(wanted):
            if code not in stored:
                self._added.append((code, product_id, kind, position))
            elif stored[code] != (kind, position):
                self._moved.append({"_code": code, "kind": kind, "position": position})

    def ingredients(self, product_id: int, wanted: list[tuple[str, int]]) -> None:
        """Its ingredients, replaced by ``wanted`` (name, position)."""
        self._replaced.append(product_id)
        self._ingredients.extend((product_id, name, position) for name, position in wanted)

    def write(self, session: Session) -> None:
        """Every change gathered, in one executemany per kind."""
        product, barcode, ingredient = _table(Product), _table(Barcode), _table(ProductIngredient)
        if self._products:
            session.execute(update(product).where(product.c.id == bindparam("_id")), self._products)
        by_code = barcode.c.code == bindparam("_code")
        if self._dropped:
            session.execute(delete(barcode).where(by_code), self._dropped)
        if self._moved:
            session.execute(update(barcode).where(by_code), self._moved)
        Inserts(session, barcode, ("code", "product_id", "kind", "position")).insert(self._added)
        if self._replaced:
            session.execute(delete(ingredient).where(ingredient.c.product_id.in_(self._replaced)))
        Inserts(session, ingredient, ("product_id", "ingredient", "position")).insert(
            self._ingredients
        )


def _table(model: type[Product | Barcode | ProductIngredient]) -> Table:
    """The model's table, for :class:`Inserts` of its rows."""
    return cast(Table, model.__table__)


def _product_ids(session: Session, skus: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(skus), BATCH_ROWS):
        chunk = skus[start : start + BATCH_ROWS]
        query = select(Product.sku, Product.id).where(Product.sku.in_(chunk))
        found.update((sku, product_id) for sku, product_id in session.execute(query))
    return found


class _NewRows:
    """The rows of new products, their barcodes and ingredients: one executemany of
    tuples per table and batch (:class:`Inserts`), each batch stamped with its time."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._products: Inserts | None = None  # its columns: those of the file's first row
        self._barcodes = Inserts(
            session, _table(Barcode), ("code", "product_id", "kind", "position")
        )
        self._ingredients = Inserts(
            session, _table(ProductIngredient), ("product_id", "ingredient", "position")
        )

    def products(self, values: list[dict[str, Any]]) -> dict[str, int]:
        """Insert new products (each row's :func:`_product_values`, alike in their keys):
        their ids by SKU.

        The transaction holds the write lock (``BEGIN IMMEDIATE``) and a new row's id is
        one more than the greatest: the ones above the greatest before are theirs.
        """
        if self._products is None:
            names = [*values[0], "updated_at"]
            self._products = Inserts(self._session, _table(Product), names)
        now = utcnow()  # a batch's time: products written later are newer
        for row in values:
            row["updated_at"] = now
        before = self._session.execute(select(func.coalesce(func.max(Product.id), 0))).scalar()
        self._products.insert(values)
        query = select(Product.sku, Product.id).where(Product.id > before)
        return {sku: product_id for sku, product_id in self._session.execute(query)}

    def codes(self, rows: list[ProductRow], ids: dict[str, int]) -> None:
        """The barcodes and ingredients of new products ``rows``."""
        self._barcodes.insert(
            [
                (code, ids[row.sku], kind, position)
                for row in rows
                for position, (code, kind) in enumerate(row.barcodes)
            ]
        )
        self._ingredients.insert(
            [
                (ids[row.sku], name, position)
                for row in rows
                for position, name in enumerate(row.ingredients)
            ]
        )


class _Derived:
    """The search keys of a product's name, worked out once per distinct name in an
    import: a chain's catalogue repeats names across pack sizes and makers."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[str, str]] = {}

    def search_keys(self, name: str) -> tuple[str, str]:
        found = self._keys.get(name)
        if found is None:
            found = self._keys[name] = search_keys(name)
        return found


def _product_values(row: ProductRow, keys: _Derived, route: str | None = None) -> dict[str, Any]:
    """The product columns ``row`` sets (``route``: the one on file, None for a new one)."""
    initials, full = keys.search_keys(row.name)
    values: dict[str, Any] = {
        "sku": row.sku,
        "name": row.name,
        "name_en": row.name_en,
        "spec": row.spec,
        "manufacturer": row.manufacturer,
        "unit": row.unit,
        "category": row.category,
        "price_fen": row.price_fen,
        "member_price_fen": row.member_price_fen,
        "drug_class": row.drug_class,
        "pinyin_initials": initials,
        "pinyin_full": full,
        "active": True,
    }
    if row.restricted is not None:
        values["restricted"] = row.restricted
    if row.trace_required is not None:
        values["trace_required"] = row.trace_required
    if row.insurance is not None:  # empty: medical insurance pays by the drug class
        values["insurance"] = {"yes": True, "no": False}.get(row.insurance)
    if row.route is not None or route is None:
        values["route"] = row.route or route_from_form(row.name, row.spec)
    return values


def _barcode_owners(session: Session, codes: list[str]) -> dict[str, str]:
    owners: dict[str, str] = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        rows = session.execute(
            select(Barcode.code, Product.sku).join(Product).where(Barcode.code.in_(chunk))
        )
        owners.update((code, sku) for code, sku in rows)
    return owners
