"""Catalogue data functions: find products by code or name, and what can be sold."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import Select, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from pos.domain.catalogue import pinyin
from pos.domain.sales.codes import lookup_candidates
from pos.domain.views import ProductView
from pos.enums import DrugClass
from pos.models import Barcode, Lot, Product, ProductIngredient
from pos.store.prepared import Prepared


@dataclass(frozen=True)
class StockLevel:
    """Units of a product on hand: sellable (not expired) and expired."""

    sellable: int
    expired: int
    next_expiry: date | None = None
    """The expiry of the lot sold first (first-expiring-first), if any."""


@dataclass(frozen=True)
class ProductRow:
    """The columns of a product that a cart line is made from (a plain row, no ORM entity)."""

    id: int
    sku: str
    name: str
    spec: str
    unit: str
    category: str
    manufacturer: str
    price_fen: int
    member_price_fen: int | None
    drug_class: DrugClass
    restricted: str
    trace_required: bool
    active: bool


# The register's lookups run on every scan: their statements are built once here, with
# bound parameters, compiled once per dialect and run as prepared lookups (plain rows,
# no ORM entities; see pos.store.prepared).
_product, _barcode = Product.__table__, Barcode.__table__
_ROW_COLUMNS = [_product.c[field.name] for field in fields(ProductRow)]
_BY_CODE = Prepared(
    select(*_ROW_COLUMNS, _barcode.c.code)
    .join(_barcode, _barcode.c.product_id == _product.c.id)
    .where(
        _barcode.c.code.in_([bindparam("code"), bindparam("alt")]),
        _product.c.active.is_(True),
    )
    .limit(1)
)
_BY_SKU = Prepared(
    select(*_ROW_COLUMNS).where(_product.c.sku == bindparam("sku"), _product.c.active.is_(True))
)
_BY_ID = Prepared(select(*_ROW_COLUMNS).where(_product.c.id == bindparam("id")))
_PRIMARY_BARCODE = Prepared(
    select(_barcode.c.code)
    .where(_barcode.c.product_id == bindparam("id"))
    .order_by(_barcode.c.position)
    .limit(1)
)
_ingredient = ProductIngredient.__table__
_INGREDIENTS = Prepared(
    select(_ingredient.c.ingredient)
    .where(_ingredient.c.product_id == bindparam("id"))
    .order_by(_ingredient.c.position)
)


def find_by_code(session: Session, code: str) -> tuple[ProductRow, str] | None:
    """The active product with this barcode (or internal code), and the code as stored."""
    candidates = lookup_candidates(code)
    row = _BY_CODE.first(session, {"code": candidates[0], "alt": candidates[-1]})
    return None if row is None else (ProductRow(*row[:-1]), row[-1])


def find_by_sku(session: Session, sku: str) -> ProductRow | None:
    """The active product with this SKU."""
    row = _BY_SKU.first(session, {"sku": sku})
    return None if row is None else ProductRow(*row)


def product_row(session: Session, product_id: int) -> ProductRow | None:
    """The product with this id, active or not."""
    row = _BY_ID.first(session, {"id": product_id})
    return None if row is None else ProductRow(*row)


def ingredients(session: Session, product_id: int) -> tuple[str, ...]:
    """The active ingredients of a product, in their order."""
    return tuple(row[0] for row in _INGREDIENTS.rows(session, {"id": product_id}))


def primary_barcode(session: Session, product_id: int) -> str | None:
    """The first barcode of a product, to record on a line added by search."""
    row = _PRIMARY_BARCODE.first(session, {"id": product_id})
    return None if row is None else str(row[0])


_lot = Lot.__table__
_today = bindparam("today", type_=Lot.__table__.c.expiry.type)
_STOCK = Prepared(
    select(
        func.coalesce(func.sum(_lot.c.quantity).filter(_lot.c.expiry >= _today), 0),
        func.coalesce(func.sum(_lot.c.quantity).filter(_lot.c.expiry < _today), 0),
        func.min(_lot.c.expiry).filter(_lot.c.expiry >= _today, _lot.c.quantity > 0),
    ).where(_lot.c.product_id == bindparam("id"))
)


def stock_level(session: Session, product_id: int, today: date) -> StockLevel:
    """How many units of a product can be sold today, and how many are expired."""
    row = _STOCK.first(session, {"id": product_id, "today": today})
    assert row is not None  # an aggregate without GROUP BY has one row
    return StockLevel(int(row[0]), int(row[1]), row[2])


_SELLABLE = (
    select(_lot.c.product_id, func.sum(_lot.c.quantity))
    .where(_lot.c.product_id.in_(bindparam("ids", expanding=True)), _lot.c.expiry >= _today)
    .group_by(_lot.c.product_id)
)
_LISTING = select(
    _product.c.id,
    _product.c.sku,
    _product.c.name,
    _product.c.name_en,
    _product.c.spec,
    _product.c.manufacturer,
    _product.c.unit,
    _product.c.price_fen,
    _product.c.member_price_fen,
    _product.c.drug_class,
).where(_product.c.id.in_(bindparam("ids", expanding=True)))


def sellable_by_product(session: Session, product_ids: list[int], today: date) -> dict[int, int]:
    """Units that can be sold today of each product, in one query (search results)."""
    if not product_ids:
        return {}
    rows = session.connection().execute(_SELLABLE, {"ids": product_ids, "today": today})
    found = {product_id: int(units or 0) for product_id, units in rows}
    return {product_id: found.get(product_id, 0) for product_id in product_ids}


def listing(session: Session, product_ids: list[int], today: date) -> list[ProductView]:
    """Products as search lists them, in the order of ``product_ids``, with their stock."""
    if not product_ids:
        return []
    sellable = sellable_by_product(session, product_ids, today)
    rows = {row[0]: row for row in session.connection().execute(_LISTING, {"ids": product_ids})}
    return [
        ProductView(**rows[product_id]._mapping, sellable=sellable[product_id])
        for product_id in product_ids
        if product_id in rows
    ]


def search_statement(query: str, limit: int) -> Select[Product]:
    """Products whose name, English name, pinyin, SKU or barcode match ``query``."""
    text = query.strip()
    lowered = text.lower()
    key = "".join(ch for ch in lowered if ch.isalnum())
    pattern = f"%{_escape(text)}%"
    conditions = [
        Product.name.like(pattern, escape="\\"),
        func.lower(Product.name_en).like(f"%{_escape(lowered)}%", escape="\\"),
        Product.sku.like(f"{_escape(text.upper())}%", escape="\\"),
        Product.id.in_(
            select(Barcode.product_id).where(Barcode.code.like(f"{_escape(text)}%", escape="\\"))
        ),
    ]
    if key.isascii() and key:
        conditions.append(Product.pinyin_initials.like(f"%{_escape(key)}%", escape="\\"))
        conditions.append(Product.pinyin_full.like(f"%{_escape(key)}%", escape="\\"))
    # Exact SKU first, then names and initials that start with the query, then initials
    # that hold it ("gm" finds 999感冒灵 before 氨咖黄敏, whose full pinyin "huangmin" holds it).
    rank = (
        case((Product.sku == text.upper(), 8), else_=0)
        + case((Product.pinyin_initials.like(f"{_escape(key)}%", escape="\\"), 4), else_=0)
        + case((Product.name.like(f"{_escape(text)}%", escape="\\"), 4), else_=0)
        + case((func.lower(Product.name_en).like(f"{_escape(lowered)}%", escape="\\"), 2), else_=0)
    )
    if key.isascii() and key:
        rank += case((Product.pinyin_initials.like(f"%{_escape(key)}%", escape="\\"), 2), else_=0)
    return (
        select(Product)
        .where(Product.active.is_(True), or_(*conditions))
        .order_by(rank.desc(), func.length(Product.name), Product.sku)
        .limit(limit)
    )


def search(session: Session, query: str, limit: int = 50) -> list[Product]:
    """See :func:`search_statement`; an empty query finds nothing."""
    if not query.strip():
        return []
    return list(session.scalars(search_statement(query, limit)))


def search_keys(name: str) -> tuple[str, str]:
    """The pinyin initials and full pinyin stored with a product for search."""
    return pinyin.keys(name)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
