"""Pharmacy safety records: guidance texts, prescriptions, the restricted-sales register,
acknowledged warnings and sold traceability codes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pos.models.base import Base, IntPK, Timestamp, UTCDateTime


class Guidance(Base):
    """Medication guidance (用药指导) for a SKU, an active ingredient or a category.

    ``key`` is ``sku:P00001``, ``ingredient:ibuprofen`` or ``category:cold_flu``;
    a product takes its SKU's, else its first ingredient's, else its category's.
    """

    __tablename__ = "guidance"

    id: Mapped[IntPK]
    key: Mapped[str] = mapped_column(String(96), unique=True)
    usage: Mapped[str] = mapped_column(Text, default="")
    dosage: Mapped[str] = mapped_column(Text, default="")
    precautions: Mapped[str] = mapped_column(Text, default="")
    contraindications: Mapped[str] = mapped_column(String(400), default="")
    """Comma-separated words: pregnancy, breastfeeding, children, driving, alcohol, conditions."""
    storage: Mapped[str] = mapped_column(Text, default="")
    advice: Mapped[str] = mapped_column(Text, default="")
    usage_en: Mapped[str] = mapped_column(Text, default="")
    dosage_en: Mapped[str] = mapped_column(Text, default="")
    precautions_en: Mapped[str] = mapped_column(Text, default="")
    advice_en: Mapped[str] = mapped_column(Text, default="")
    storage_en: Mapped[str] = mapped_column(Text, default="")


class Prescription(Base):
    """The prescription an Rx sale was made against, and the pharmacist who reviewed it."""

    __tablename__ = "prescription"

    id: Mapped[IntPK]
    sale_id: Mapped[int] = mapped_column(ForeignKey("sale.id"), unique=True)
    number: Mapped[str] = mapped_column(String(64))
    prescriber: Mapped[str] = mapped_column(String(200))
    """Hospital or prescriber."""
    issued_on: Mapped[date] = mapped_column(Date)
    patient_name: Mapped[str] = mapped_column(String(64))
    pharmacist_id: Mapped[str] = mapped_column(String(32))
    reviewed_at: Mapped[Timestamp]


class RestrictedSale(Base):
    """One line of the restricted-sales register (ephedrine-class preparations).

    A legal record: kept apart from members and marketing; shown masked.
    """

    __tablename__ = "restricted_sale"

    id: Mapped[IntPK]
    sale_id: Mapped[int] = mapped_column(ForeignKey("sale.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    sku: Mapped[str] = mapped_column(String(64))
    product_name: Mapped[str] = mapped_column(String(200))
    spec: Mapped[str] = mapped_column(String(100))
    manufacturer: Mapped[str] = mapped_column(String(200))
    lots: Mapped[str] = mapped_column(String(200))
    qty: Mapped[int] = mapped_column(Integer)
    buyer_name: Mapped[str] = mapped_column(String(64))
    buyer_id_number: Mapped[str] = mapped_column(String(18), index=True)
    sold_at: Mapped[Timestamp]


class SaleWarning(Base):
    """A safety warning shown during a sale and acknowledged before payment.

    Allergy, contraindication, duplicate-ingredient and repeat-buyer (``velocity``)
    warnings are acknowledged by a pharmacist: ``acknowledged_by`` is their user id and
    ``acknowledged_at`` when they signed.
    """

    __tablename__ = "sale_warning"

    id: Mapped[IntPK]
    sale_id: Mapped[int] = mapped_column(ForeignKey("sale.id"), index=True)
    line_no: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    """``duplicate_ingredient``, ``allergy``, ``contraindication``, ``velocity`` (repeat buyer) …"""
    detail: Mapped[str] = mapped_column(String(400))
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[Timestamp]


class TraceCode(Base):
    """A drug traceability code (药品追溯码) sold with a sale line: one per box, sold once."""

    __tablename__ = "trace_code"

    id: Mapped[IntPK]
    code: Mapped[str] = mapped_column(String(20), index=True)
    sale_line_id: Mapped[int] = mapped_column(ForeignKey("sale_line.id"), index=True)
    sold_at: Mapped[Timestamp]
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """Set when the box is returned: the code may be sold again."""
