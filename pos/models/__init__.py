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
from pos.models.member import Member, PointsEntry
from pos.models.printing import JobKind, JobStatus, PrintJob
from pos.models.sale import Payment, Sale, SaleLine, SaleLineLot

__all__ = [
    "Barcode",
    "BarcodeKind",
    "Base",
    "DrugClass",
    "JobKind",
    "JobStatus",
    "Lot",
    "Member",
    "Payment",
    "PointsEntry",
    "PrintJob",
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
