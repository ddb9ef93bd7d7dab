"""Catalogue, prices and promotions as plain rows: read from one database, applied to another.

Head office owns them: registers pull what changed and overwrite their copy
(matched by SKU, promotions by id); ``pos hq publish`` sends a store database's
catalogue up. Lots and stock stay the store's own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from pos.enums import BarcodeKind, DrugClass
from pos.models import Barcode, Product, ProductIngredient, Promotion
from pos.sync import central
from pos.sync.central import FeedMark

PRODUCT_FIELDS = (
    "name", "name_en", "spec", "manufacturer", "unit", "category", "price_fen",
    "member_price_fen", "pinyin_initials", "pinyin_full", "active", "restricted",
    "trace_required", "route",
)  # fmt: skip
PROMOTION_FIELDS = ("name", "kind", "target", "members_only", "params")


def product_rows(session: Session, since: datetime | None) -> list[dict[str, Any]]:
    """Products changed after ``since`` (all when None), with barcodes and ingredients."""
    query = _products()
    if since is not None:
        query = query.where(Product.updated_at > since)
    return [_product_row(product) for product in session.scalars(query.order_by(Product.sku))]


def product_page(
    session: Session, after: FeedMark, horizon: int, limit: int
) -> list[tuple[dict[str, Any], FeedMark]]:
    """Up to ``limit`` products from head office's change feed after ``after``, each with
    its place in the feed."""
    xid, seq = central.feed_order("product")
    rows = session.execute(
        _products()
        .add_columns(xid, seq)
        .where(central.feed_filter("product", after, horizon))
        .order_by(xid, seq)
        .limit(limit)
    )
    return [(_product_row(product), FeedMark(int(x), int(s))) for product, x, s in rows]


def _products() -> Select[Product]:
    return select(Product).options(
        selectinload(Product.barcodes), selectinload(Product.ingredients)
    )


def _product_row(product: Product) -> dict[str, Any]:
    return {field: getattr(product, field) for field in PRODUCT_FIELDS} | {
        "sku": product.sku,
        "drug_class": product.drug_class.value,
        "barcodes": [[code.code, code.kind.value] for code in product.barcodes],
        "ingredients": [item.ingredient for item in product.ingredients],
    }


def apply_products(session: Session, rows: list[dict[str, Any]], now: datetime) -> int:
    """Create or overwrite products by SKU; return how many changed."""
    changed = 0
    for first in range(0, len(rows), 500):
        chunk = rows[first : first + 500]
        known = {
            product.sku: product
            for product in session.scalars(
                select(Product)
                .where(Product.sku.in_([row["sku"] for row in chunk]))
                .options(selectinload(Product.barcodes), selectinload(Product.ingredients))
            )
        }
        for row in chunk:
            changed += _apply_product(session, known.get(row["sku"]), row, now)
    return changed


def _apply_product(
    session: Session, product: Product | None, row: dict[str, Any], now: datetime
) -> int:
    values = {field: row[field] for field in PRODUCT_FIELDS} | {
        "drug_class": DrugClass(row["drug_class"])
    }
    codes = [(code, BarcodeKind(kind)) for code, kind in row["barcodes"]]
    if (
        product is not None
        and all(getattr(product, field) == value for field, value in values.items())
        and [(code.code, code.kind) for code in product.barcodes] == codes
        and [item.ingredient for item in product.ingredients] == row["ingredients"]
    ):
        return 0
    if product is None:
        product = Product(sku=row["sku"])
        session.add(product)
    for field, value in values.items():
        setattr(product, field, value)
    product.updated_at = now
    product.barcodes.clear()
    product.ingredients.clear()
    session.flush()
    wanted = [code for code, _kind in codes]
    for other in session.scalars(select(Barcode).where(Barcode.code.in_(wanted))):
        session.delete(other)  # the code moved here from another product
    session.flush()
    for position, (code, kind) in enumerate(codes):
        product.barcodes.append(Barcode(code=code, kind=kind, position=position))
    for position, ingredient in enumerate(row["ingredients"]):
        product.ingredients.append(ProductIngredient(ingredient=ingredient, position=position))
    session.flush()
    return 1


def promotion_rows(session: Session, since: datetime | None) -> list[dict[str, Any]]:
    """Promotions changed after ``since`` (all when None)."""
    query = select(Promotion)
    if since is not None:
        query = query.where(Promotion.updated_at > since)
    return [_promotion_row(item) for item in session.scalars(query.order_by(Promotion.id))]


def promotion_page(
    session: Session, after: FeedMark, horizon: int, limit: int
) -> list[tuple[dict[str, Any], FeedMark]]:
    """Up to ``limit`` promotions from head office's change feed after ``after``, each
    with its place in the feed."""
    xid, seq = central.feed_order("promotion")
    rows = session.execute(
        select(Promotion, xid, seq)
        .where(central.feed_filter("promotion", after, horizon))
        .order_by(xid, seq)
        .limit(limit)
    )
    return [(_promotion_row(promotion), FeedMark(int(x), int(s))) for promotion, x, s in rows]


def _promotion_row(promotion: Promotion) -> dict[str, Any]:
    return {field: getattr(promotion, field) for field in PROMOTION_FIELDS} | {
        "id": promotion.id,
        "starts": promotion.starts,
        "ends": promotion.ends,
    }


def apply_promotions(session: Session, rows: list[dict[str, Any]], now: datetime) -> int:
    """Create or overwrite promotions by id; return how many changed."""
    changed = 0
    for row in rows:
        values = {field: row[field] for field in PROMOTION_FIELDS} | {
            "starts": _date(row["starts"]),
            "ends": _date(row["ends"]),
        }
        promotion = session.get(Promotion, row["id"])
        if promotion is None:
            promotion = Promotion(id=row["id"])
            session.add(promotion)
        elif all(getattr(promotion, field) == value for field, value in values.items()):
            continue
        for field, value in values.items():
            setattr(promotion, field, value)
        promotion.updated_at = now
        changed += 1
    session.flush()
    return changed


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
