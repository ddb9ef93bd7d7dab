"""The built-in demo store, shipped in ``data/`` (installed as ``pos.demo``)."""

from __future__ import annotations

from datetime import date
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos.models import Product
from pos.services.imports import ImportReport, import_products, import_stock


def demo_file(name: str) -> bytes:
    """The bytes of a demo data file."""
    return resources.files("pos.demo").joinpath(name).read_bytes()


def catalogue_is_empty(session: Session) -> bool:
    """True when the database holds no product."""
    return not session.scalar(select(func.count()).select_from(Product))


def load_demo(session: Session, today: date) -> tuple[ImportReport, ImportReport]:
    """Import the demo catalogue and its stock, expiries counted from ``today``."""
    products = import_products(session, demo_file("products.csv"))
    if products.errors:
        raise ValueError(f"demo catalogue has bad rows: {products.errors[:3]}")
    stock = import_stock(session, demo_file("demo_stock.csv"), relative_to=today)
    if stock.errors:
        raise ValueError(f"demo stock has bad rows: {stock.errors[:3]}")
    return products, stock
