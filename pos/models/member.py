"""Members: who they are, what they consented to, and their append-only points ledger."""

from __future__ import annotations

from datetime import date, datetime
from uuid import uuid4

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pos.models.base import Base, IntPK, Timestamp, UTCDateTime


class Member(Base):
    """A loyalty member. Personal fields are emptied when the member is erased.

    Allergies and chronic conditions are health data: stored only while
    ``consent_health`` is true (PHARMACY.md, Personal information).
    """

    __tablename__ = "member"
    __table_args__ = (
        # Last-four lookups list the latest visitors first: the index gives them in order.
        Index("ix_member_phone_last4_last_visit_at", "phone_last4", "last_visit_at"),
        Index("ix_member_name_initials", "name_initials"),
        CheckConstraint(
            "consent_health OR (allergies = '' AND conditions = '')", name="health_needs_consent"
        ),
    )

    id: Mapped[IntPK]
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: uuid4().hex)
    """The member's id across the chain (head office and every register)."""
    card_no: Mapped[str] = mapped_column(String(32), unique=True)
    """13 digits, EAN-13 with the in-store prefix 29: printable and scannable as a barcode."""
    phone: Mapped[str | None] = mapped_column(String(11), unique=True)
    phone_last4: Mapped[str | None] = mapped_column(String(4))
    name: Mapped[str | None] = mapped_column(String(64), index=True)
    name_initials: Mapped[str | None] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(1))
    birthday: Mapped[date | None] = mapped_column(Date)
    tier: Mapped[str] = mapped_column(String(16), default="normal")
    """The member's tier now: the spend-based one, never below an active floor."""
    tier_floor: Mapped[str | None] = mapped_column(String(16))
    """A tier given by import or head office: kept until ``tier_until`` (None: no floor)."""
    tier_until: Mapped[date | None] = mapped_column(Date)
    """The last day (store's date) of the floor; None: no end."""
    tier_floor_by: Mapped[str | None] = mapped_column(String(8))
    """Who gave the floor: ``import`` or ``hq`` (head office)."""
    enrolled_at: Mapped[Timestamp]
    enrolled_store: Mapped[str] = mapped_column(String(8), default="")
    enrolled_by: Mapped[str | None] = mapped_column(String(64))
    consent_terms: Mapped[bool] = mapped_column(Boolean)
    consent_marketing: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_health: Mapped[bool] = mapped_column(Boolean, default=False)
    consents_at: Mapped[Timestamp]
    allergies: Mapped[str] = mapped_column(String(200), default="")
    """Comma-separated, e.g. ``青霉素,NSAIDs`` (health data)."""
    conditions: Mapped[str] = mapped_column(String(200), default="")
    """Chronic conditions, comma-separated, e.g. ``高血压`` (health data)."""
    last_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    visits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Sales to the member (returns do not undo a visit): the frequency of the segment."""
    referral_code: Mapped[str | None] = mapped_column(String(8), index=True)
    """The member's short code to recommend a customer (printed on their receipts)."""
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    """The member who recommended this one (one referrer per member, never themself)."""
    referral_credited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When the referrer was credited, after this member's first purchase."""
    consent_follow_up: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    """False once the member asked not to be called again (a consent change, audited)."""
    next_visit_on: Mapped[date | None] = mapped_column(Date)
    """The day the member said they would come for a refill (from a follow-up call)."""
    updated_at: Mapped[Timestamp]
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    merged_into_uid: Mapped[str | None] = mapped_column(String(36))
    """Head office merged this member into the member of this uid (``pos hq members
    merge``): its card attaches that member; None again after ``unmerge``."""


class PointsEntry(Base):
    """One change to a member's points; the balance is the sum of the member's entries."""

    __tablename__ = "points_entry"
    __table_args__ = (Index("ix_points_entry_member_id_id", "member_id", "id"),)

    id: Mapped[IntPK]
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sale.id"), index=True)
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    """``earn``, ``redeem``, ``birthday``, ``import``, ``adjust``, ``refund``."""
    balance_after: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[Timestamp]
    hold_uid: Mapped[str | None] = mapped_column(String(36))
    """A redemption head office confirmed online: the hold it placed (released when
    this entry reaches it)."""
