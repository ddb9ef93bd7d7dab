"""Catalogue data functions: find products by code or name, and what can be sold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from pos.models import Barcode, Lot, Product
from pos.services import pinyin
from pos.services.codes import lookup_candidates


@dataclass(frozen=True)
class StockLevel:
    """Units of a product on hand: sellable (not expired) and expired."""

    sellable: int
    expired: int
    next_expiry: date | None = None
    """The expiry of the lot sold first (first-expiring-first), if any."""


def find_by_code(session: Session, code: str) -> tuple[Product, str] | None:
    """The active product with this barcode (or internal code), and the code as stored."""
    candidates = lookup_candidates(code)
    row = session.execute(
        select(Product, Barcode.code)
        .join(Barcode, Barcode.product_id == Product.id)
        .where(Barcode.code.in_(candidates), Product.active.is_(True))
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def find_by_sku(session: Session, sku: str) -> Product | None:
    """The active product with this SKU."""
    return session.scalar(select(Product).where(Product.sku == sku, Product.active.is_(True)))


def primary_barcode(session: Session, product_id: int) -> str | None:
    """The first barcode of a product, to record on a line added by search."""
    return session.scalar(
        select(Barcode.code)
        .where(Barcode.product_id == product_id)
        .order_by(Barcode.position)
        .limit(1)
    )


def stock_level(session: Session, product_id: int, today: date) -> StockLevel:
    """How many units of a product can be sold today, and how many are expired."""
    sellable = func.coalesce(func.sum(Lot.quantity).filter(Lot.expiry >= today), 0)
    expired = func.coalesce(func.sum(Lot.quantity).filter(Lot.expiry < today), 0)
    next_expiry = func.min(Lot.expiry).filter(Lot.expiry >= today, Lot.quantity > 0)
    row = session.execute(
        select(sellable, expired, next_expiry).where(Lot.product_id == product_id)
    ).one()
    return StockLevel(int(row[0]), int(row[1]), row[2])


def sellable_by_product(session: Session, product_ids: list[int], today: date) -> dict[int, int]:
    """Units that can be sold today of each product, in one query (search results)."""
    if not product_ids:
        return {}
    rows = session.execute(
        select(Lot.product_id, func.sum(Lot.quantity))
        .where(Lot.product_id.in_(product_ids), Lot.expiry >= today)
        .group_by(Lot.product_id)
    )
    found = {product_id: int(units or 0) for product_id, units in rows}
    return {product_id: found.get(product_id, 0) for product_id in product_ids}


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
    # Exact SKU first, then names and initials that start with the query.
    rank = (
        case((Product.sku == text.upper(), 8), else_=0)
        + case((Product.pinyin_initials.like(f"{_escape(key)}%", escape="\\"), 4), else_=0)
        + case((Product.name.like(f"{_escape(text)}%", escape="\\"), 4), else_=0)
        + case((func.lower(Product.name_en).like(f"{_escape(lowered)}%", escape="\\"), 2), else_=0)
    )
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
    return pinyin.initials(name), pinyin.full(name)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
