"""Completed sales: lines, the lots they came from, and payments."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.enums import Tender
from pos.models.base import Base, Code, Fen, IntPK, Timestamp, enum_column

if TYPE_CHECKING:
    from pos.models.safety import Prescription, RestrictedSale


class Sale(Base):
    """A completed sale: stored whole, in one transaction, or not at all."""

    __tablename__ = "sale"
    __table_args__ = (
        UniqueConstraint("store_code", "register_id", "business_date", "seq"),
        CheckConstraint("total_fen >= 0", name="total_not_negative"),
        Index("ix_sale_member_id_completed_at", "member_id", "completed_at"),
        Index("ix_sale_business_date_store_code", "business_date", "store_code"),
    )

    id: Mapped[IntPK]
    number: Mapped[Code] = mapped_column(unique=True)
    store_code: Mapped[str] = mapped_column(String(8))
    register_id: Mapped[str] = mapped_column(String(4))
    business_date: Mapped[date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    cashier: Mapped[str | None] = mapped_column(String(64))
    member: Mapped[str | None] = mapped_column(String(32))
    """The member's card number (an anonymous id once the member is erased)."""
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    points_earned: Mapped[int] = mapped_column(Integer, default=0)
    points_redeemed: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[Timestamp] = mapped_column(index=True)
    subtotal_fen: Mapped[Fen]
    discount_fen: Mapped[Fen]
    total_fen: Mapped[Fen]
    change_fen: Mapped[Fen]
    rounding_fen: Mapped[int] = mapped_column(Integer, default=0)
    """Cash rounding: the total minus what the tenders took (-5 to +4 fen; 0 without)."""

    lines: Mapped[list[SaleLine]] = relationship(
        back_populates="sale", cascade="all, delete-orphan", order_by="SaleLine.line_no"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="sale", cascade="all, delete-orphan", order_by="Payment.seq"
    )
    prescription: Mapped[Prescription | None] = relationship()
    """The prescription the sale was made against (an Rx sale)."""
    restricted: Mapped[list[RestrictedSale]] = relationship(order_by="RestrictedSale.id")
    """Its rows of the restricted-sales register."""


class SaleLine(Base):
    """One product on a sale, with its price as sold."""

    __tablename__ = "sale_line"
    __table_args__ = (
        UniqueConstraint("sale_id", "line_no"),
        CheckConstraint("qty > 0", name="qty_positive"),
    )

    id: Mapped[IntPK]
    sale_id: Mapped[int] = mapped_column(ForeignKey("sale.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    sku: Mapped[Code]
    barcode: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    spec: Mapped[str] = mapped_column(String(100))
    qty: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[Fen]
    discount_fen: Mapped[Fen]
    total_fen: Mapped[Fen]
    guidance_given: Mapped[bool] = mapped_column(default=False)
    """The medication guidance was shown and acknowledged at the counter."""
    promotion_id: Mapped[str | None] = mapped_column(String(32))
    """The promotion that priced (or gave) this line."""
    suggested_by: Mapped[str | None] = mapped_column(String(64))
    """The suggestion rule (``pairing:ID`` / ``rule:ID``) the customer accepted."""

    sale: Mapped[Sale] = relationship(back_populates="lines")
    lots: Mapped[list[SaleLineLot]] = relationship(
        back_populates="line", cascade="all, delete-orphan", order_by="SaleLineLot.id"
    )


class SaleLineLot(Base):
    """How much of a sale line came from which lot (first-expiring-first)."""

    __tablename__ = "sale_line_lot"
    __table_args__ = (CheckConstraint("qty > 0", name="qty_positive"),)

    id: Mapped[IntPK]
    sale_line_id: Mapped[int] = mapped_column(ForeignKey("sale_line.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"))
    lot_number: Mapped[Code]
    expiry: Mapped[date] = mapped_column(Date)
    qty: Mapped[int] = mapped_column(Integer)

    line: Mapped[SaleLine] = relationship(back_populates="lots")


class Payment(Base):
    """One tender of a sale. For cash, ``tendered_fen`` is what the customer handed over."""

    __tablename__ = "payment"
    __table_args__ = (
        UniqueConstraint("sale_id", "seq"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    id: Mapped[IntPK]
    sale_id: Mapped[int] = mapped_column(ForeignKey("sale.id"))
    seq: Mapped[int] = mapped_column(Integer)
    tender: Mapped[Tender] = mapped_column(enum_column(Tender, 16))
    amount_fen: Mapped[Fen]
    tendered_fen: Mapped[Fen | None]

    sale: Mapped[Sale] = relationship(back_populates="payments")
