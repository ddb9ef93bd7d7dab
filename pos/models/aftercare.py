"""After the sale: complaints, satisfaction ratings and suspected adverse drug reactions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pos.models.base import Base, IntPK, Timestamp, UTCDateTime


class Complaint(Base):
    """A customer's complaint: open → in hand → closed, with who handled it and how."""

    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'in_hand', 'closed')", name="status_known"),
    )

    id: Mapped[IntPK]
    opened_at: Mapped[Timestamp] = mapped_column(index=True)
    opened_by: Mapped[str | None] = mapped_column(String(64))
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sale.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)
    handler: Mapped[str | None] = mapped_column(String(64))
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str] = mapped_column(String(1000), default="")
    customer_response: Mapped[str] = mapped_column(String(200), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(64))
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("sale_rating.id"))
    """The low rating the complaint was opened from, if it was."""


class SaleRating(Base):
    """The customer's satisfaction with one sale (1–5), given once after payment."""

    __tablename__ = "sale_rating"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),)

    id: Mapped[IntPK]
    sale_id: Mapped[int] = mapped_column(ForeignKey("sale.id"), unique=True)
    rating: Mapped[int] = mapped_column(Integer)
    cashier: Mapped[str | None] = mapped_column(String(64))
    rated_at: Mapped[Timestamp] = mapped_column(index=True)


class AdverseReaction(Base):
    """A suspected adverse drug reaction, as the national report form asks for it."""

    __tablename__ = "adverse_reaction"

    id: Mapped[IntPK]
    recorded_at: Mapped[Timestamp] = mapped_column(index=True)
    reporter: Mapped[str | None] = mapped_column(String(64))
    reporter_occupation: Mapped[str] = mapped_column(String(32), default="")
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    patient_sex: Mapped[str] = mapped_column(String(1), default="")
    patient_age: Mapped[int | None] = mapped_column(Integer)
    patient_weight_kg: Mapped[int | None] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    lot_number: Mapped[str] = mapped_column(String(64), default="")
    dose: Mapped[str] = mapped_column(String(64), default="")
    route: Mapped[str] = mapped_column(String(32), default="")
    started_on: Mapped[date | None] = mapped_column(Date)
    stopped_on: Mapped[date | None] = mapped_column(Date)
    reaction: Mapped[str] = mapped_column(String(200))
    onset_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(2000), default="")
    severity: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    report_type: Mapped[str] = mapped_column(String(8))
    """``new`` or ``serious`` (新的 / 严重), as the report form classes it."""
