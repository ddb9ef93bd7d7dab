"""SQLAlchemy ORM classes, one module per aggregate."""

from pos.enums import BarcodeKind, DrugClass, Tender
from pos.models.base import Base, UTCDateTime, utcnow
from pos.models.catalogue import (
    Barcode,
    Lot,
    Product,
    ProductIngredient,
    StockMovement,
)
from pos.models.sale import Payment, Sale, SaleLine, SaleLineLot

__all__ = [
    "Barcode",
    "BarcodeKind",
    "Base",
    "DrugClass",
    "Lot",
    "Payment",
    "Product",
    "ProductIngredient",
    "Sale",
    "SaleLine",
    "SaleLineLot",
    "StockMovement",
    "Tender",
    "UTCDateTime",
    "utcnow",
]
