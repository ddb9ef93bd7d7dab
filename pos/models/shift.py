"""Cash shifts: the float, cash in and out, the count at close, X and Z reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pos.models.base import Base, Fen, IntPK, Timestamp, UTCDateTime


class Shift(Base):
    """One cashier's shift at a register, from its cash float to its count."""

    __tablename__ = "shift"
    __table_args__ = (
        Index("ix_shift_register_id_closed_at", "register_id", "closed_at"),
        CheckConstraint("float_fen >= 0", name="float_not_negative"),
    )

    id: Mapped[IntPK]
    register_id: Mapped[str] = mapped_column(String(4))
    opened_at: Mapped[Timestamp]
    opened_by: Mapped[str | None] = mapped_column(String(64))
    float_fen: Mapped[Fen]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(64))
    counted_fen: Mapped[int | None]
    counted: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Denomination in fen (as text) → number of notes or coins counted."""
    expected_fen: Mapped[int | None]
    over_short_fen: Mapped[int | None]
    """Counted minus expected: positive over, negative short."""

    movements: Mapped[list[CashMovement]] = relationship(
        back_populates="shift", order_by="CashMovement.id"
    )


class CashMovement(Base):
    """Cash put into (``in``) or taken out of (``out``) the drawer, with a reason."""

    __tablename__ = "cash_movement"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("kind IN ('in', 'out')", name="kind_in_out"),
    )

    id: Mapped[IntPK]
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    kind: Mapped[str] = mapped_column(String(3))
    amount_fen: Mapped[Fen]
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[Timestamp]

    shift: Mapped[Shift] = relationship(back_populates="movements")


class ShiftReport(Base):
    """An X (mid-shift) or Z (closing) report: its numbers and its printed text."""

    __tablename__ = "shift_report"
    __table_args__ = (CheckConstraint("kind IN ('X', 'Z')", name="kind_x_z"),)

    id: Mapped[IntPK]
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    kind: Mapped[str] = mapped_column(String(1))
    created_at: Mapped[Timestamp]
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
