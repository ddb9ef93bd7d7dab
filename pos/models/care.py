"""After the sale: follow-up calls (回访) as work, and birthday gifts given once a year."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pos.models.base import Base, IntPK, Timestamp, UTCDateTime


class FollowUpTask(Base):
    """A call to make to a member: why, by when, by whom, and how it went."""

    __tablename__ = "follow_up"
    __table_args__ = (
        Index("ix_follow_up_status_due_on", "status", "due_on"),
        Index("ix_follow_up_member_id_reason", "member_id", "reason"),
    )

    id: Mapped[IntPK]
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    reason: Mapped[str] = mapped_column(String(16))
    """``refill`` (chronic medication due), ``after_sale`` (Rx or OTC-A sold), ``complaint``."""
    due_on: Mapped[date] = mapped_column(Date)
    assignee: Mapped[str] = mapped_column(String(16), default="any")
    """``pharmacist`` (a medicine question) or ``any`` user who may call."""
    status: Mapped[str] = mapped_column(String(8), default="open")
    """``open`` until an outcome closes it (``done``)."""
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sale.id"))
    complaint_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[Timestamp]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(16))
    """The last call's outcome (see :data:`pos.domain.members.follow_ups.OUTCOMES`)."""
    note: Mapped[str] = mapped_column(String(200), default="")
    done_by: Mapped[str | None] = mapped_column(String(64))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MemberGift(Base):
    """A birthday gift given: one per member and year."""

    __tablename__ = "member_gift"
    __table_args__ = (UniqueConstraint("member_id", "year"),)

    id: Mapped[IntPK]
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    """``product`` (a line at no charge) or ``points``."""
    sku: Mapped[str | None] = mapped_column(String(32))
    points: Mapped[int] = mapped_column(Integer, default=0)
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sale.id"))
    given_by: Mapped[str | None] = mapped_column(String(64))
    given_at: Mapped[Timestamp]
