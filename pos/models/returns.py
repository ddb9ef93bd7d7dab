"""Returns: lines of a past sale brought back, the refunds paid, and the quarantined stock."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.enums import Tender
from pos.models.base import Base, Code, Fen, IntPK, Timestamp, UTCDateTime, enum_column


class SaleReturn(Base):
    """A return against one sale: stored whole, in one transaction, or not at all."""

    __tablename__ = "sale_return"
    __table_args__ = (
        UniqueConstraint("store_code", "register_id", "business_date", "seq"),
        CheckConstraint("total_fen >= 0", name="total_not_negative"),
    )

    id: Mapped[IntPK]
    number: Mapped[Code] = mapped_column(unique=True)
    original_id: Mapped[int] = mapped_column(ForeignKey("sale.id"), index=True)
    store_code: Mapped[str] = mapped_column(String(8))
    register_id: Mapped[str] = mapped_column(String(4))
    business_date: Mapped[date] = mapped_column(Date, index=True)
    seq: Mapped[int] = mapped_column(Integer)
    cashier: Mapped[str | None] = mapped_column(String(64))
    approved_by: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200), default="")
    completed_at: Mapped[Timestamp] = mapped_column(index=True)
    total_fen: Mapped[Fen]
    """Money and points value refunded."""
    points_reversed: Mapped[int] = mapped_column(Integer, default=0)
    """Points the original sale earned, taken back for the returned part."""
    points_restored: Mapped[int] = mapped_column(Integer, default=0)
    """Points the original sale redeemed, given back for the returned part."""
    rounding_fen: Mapped[int] = mapped_column(Integer, default=0)
    """Cash rounding: ``total_fen`` minus what the refunds paid (0 without rounding)."""

    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="sale_return", cascade="all, delete-orphan", order_by="ReturnLine.id"
    )
    refunds: Mapped[list[Refund]] = relationship(
        back_populates="sale_return", cascade="all, delete-orphan", order_by="Refund.seq"
    )


class ReturnLine(Base):
    """Some units of one sale line, brought back."""

    __tablename__ = "return_line"
    __table_args__ = (CheckConstraint("qty > 0", name="qty_positive"),)

    id: Mapped[IntPK]
    return_id: Mapped[int] = mapped_column(ForeignKey("sale_return.id"), index=True)
    sale_line_id: Mapped[int] = mapped_column(ForeignKey("sale_line.id"), index=True)
    qty: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[Fen]
    restocked: Mapped[bool] = mapped_column(default=False)
    """Back on sale (a manager's decision); otherwise quarantined."""

    sale_return: Mapped[SaleReturn] = relationship(back_populates="lines")


class Refund(Base):
    """Money (or points) paid back on a return, by tender."""

    __tablename__ = "refund"
    __table_args__ = (UniqueConstraint("return_id", "seq"),)

    id: Mapped[IntPK]
    return_id: Mapped[int] = mapped_column(ForeignKey("sale_return.id"))
    seq: Mapped[int] = mapped_column(Integer)
    tender: Mapped[Tender] = mapped_column(enum_column(Tender, 16))
    amount_fen: Mapped[Fen]

    sale_return: Mapped[SaleReturn] = relationship(back_populates="refunds")


class QuarantineItem(Base):
    """Returned units held apart, not for sale, until the store disposes of them."""

    __tablename__ = "quarantine_item"

    id: Mapped[IntPK]
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
    lot_number: Mapped[str] = mapped_column(String(64), default="")
    qty: Mapped[int] = mapped_column(Integer)
    return_id: Mapped[int] = mapped_column(ForeignKey("sale_return.id"), index=True)
    created_at: Mapped[Timestamp]
    resolution: Mapped[str] = mapped_column(String(16), default="")
    """Empty while held; ``released`` (back on sale) or ``destroyed`` once decided."""
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(String(200), default="")
