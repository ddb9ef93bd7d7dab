"""Chain sync: the register's outbox and sync state, and head office's tables.

The register writes an :class:`OutboxItem` in the same transaction as every
change head office must know about (``pos.sync.outbox``). Head office (a
PostgreSQL database built by the same migrations) records each item it has
applied in :class:`HqEvent`, keyed by the item's global id, so sending an item
twice changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pos.models.base import Base, Fen, IntPK, Timestamp, UTCDateTime


class OutboxItem(Base):
    """One change waiting to be (or already) sent to head office."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_sent_at_id", "sent_at", "id"),)

    id: Mapped[IntPK]
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    """Globally unique (uuid4 hex; a members import's in order, uuid7): head office applies
    each uid once."""
    kind: Mapped[str] = mapped_column(String(32))
    """``sale``, ``member``, ``points``, ``stock``; others are stored at HQ as they come."""
    key: Mapped[str] = mapped_column(String(64))
    """What the item is about: a sale number, a member uid, a lot."""
    payload: Mapped[str] = mapped_column(Text)
    """JSON."""
    created_at: Mapped[Timestamp]
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SyncState(Base):
    """Named values of the register's sync: the change-feed marks (``feed_member``…),
    last sync, last error."""

    __tablename__ = "sync_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(500), default="")


class HqEvent(Base):
    """Head office: an outbox item received and applied (once)."""

    __tablename__ = "hq_event"
    __table_args__ = (Index("ix_hq_event_store_code_register_id", "store_code", "register_id"),)

    uid: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    store_code: Mapped[str] = mapped_column(String(8))
    register_id: Mapped[str] = mapped_column(String(4))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[Timestamp]
    received_at: Mapped[Timestamp]


class HqSale(Base):
    """Head office: a sale of any register of the chain (the whole sale as JSON)."""

    __tablename__ = "hq_sale"
    __table_args__ = (Index("ix_hq_sale_business_date_store_code", "business_date", "store_code"),)

    number: Mapped[str] = mapped_column(String(64), primary_key=True)
    store_code: Mapped[str] = mapped_column(String(8))
    register_id: Mapped[str] = mapped_column(String(4))
    business_date: Mapped[date] = mapped_column(Date)
    completed_at: Mapped[Timestamp]
    member_uid: Mapped[str | None] = mapped_column(String(36), index=True)
    total_fen: Mapped[Fen]
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[Timestamp]


class HqPointsEntry(Base):
    """Head office: the chain's points ledger; a member's points are its sum."""

    __tablename__ = "hq_points_entry"

    uid: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    sale_number: Mapped[str | None] = mapped_column(String(64))
    store_code: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[Timestamp]
    merged_from: Mapped[int | None] = mapped_column(Integer)
    """The member whose entry this was before a manager merged them into ``member_id``
    (``pos hq members merge``; ``unmerge`` gives it back)."""


class HqStockMovement(Base):
    """Head office: a stock movement of a store's lot."""

    __tablename__ = "hq_stock_movement"
    __table_args__ = (Index("ix_hq_stock_movement_store_code_sku", "store_code", "sku"),)

    uid: Mapped[str] = mapped_column(String(36), primary_key=True)
    store_code: Mapped[str] = mapped_column(String(8))
    register_id: Mapped[str] = mapped_column(String(4))
    sku: Mapped[str] = mapped_column(String(64))
    lot_number: Mapped[str] = mapped_column(String(64))
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))
    sale_number: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[Timestamp]


class HqMemberField(Base):
    """Head office: when each field of a member last changed (last writer wins per field)."""

    __tablename__ = "hq_member_field"

    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    changed_at: Mapped[Timestamp]
    """When the register that made the edit made it (its clock: shown, never compared)."""
    store_code: Mapped[str | None] = mapped_column(String(8))
    register_id: Mapped[str | None] = mapped_column(String(4))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """When head office applied it (head office's clock: the order of arrival decides)."""


class HqMemberAlias(Base):
    """Head office: a member uid merged into another member (same phone, two stores)."""

    __tablename__ = "hq_member_alias"

    uid: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    card_no: Mapped[str] = mapped_column(String(32), default="")
    """The merged member's card, kept so it can still be traced."""


class HqPointsDebt(Base):
    """Head office: a points entry that left a member's balance below zero.

    Kept for good: points earned later pay the debt off in the ledger, but the
    row stays, so ``pos hq report negative-balances`` still shows who spent what where.
    """

    __tablename__ = "hq_points_debt"

    id: Mapped[IntPK]
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    entry_uid: Mapped[str] = mapped_column(String(36), unique=True)
    """The :class:`HqPointsEntry` (and outbox item) that took the balance below zero."""
    store_code: Mapped[str] = mapped_column(String(8))
    register_id: Mapped[str] = mapped_column(String(4))
    delta: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[Timestamp]
    """When the register made the entry (its clock)."""
    received_at: Mapped[Timestamp]
    """When head office applied it (head office's clock)."""


class HqMemberConflict(Base):
    """Head office: a member's value that lost, kept for a manager to see.

    ``reason``: ``edit`` (another register's later-arriving edit of the same field
    replaced it), ``phone`` (the phone belongs to another member at head office: an
    edit, or an enrolment of someone else under that phone, not merged).
    """

    __tablename__ = "hq_member_conflict"

    id: Mapped[IntPK]
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(16))
    lost: Mapped[str] = mapped_column(Text)
    """The losing values (JSON, the field group's columns)."""
    store_code: Mapped[str] = mapped_column(String(8))
    register_id: Mapped[str] = mapped_column(String(4))
    """Who made the losing edit."""
    changed_at: Mapped[Timestamp]
    """When the losing edit was made (the register's clock)."""
    other_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    """``phone``: the member who has that phone."""
    recorded_at: Mapped[Timestamp]
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    """The manager who marked it resolved (``pos hq members resolve``)."""
    resolution: Mapped[str | None] = mapped_column(String(8))
    """``mine`` (the member's value stays), ``theirs`` (the losing value applied) or
    ``merged`` (a merge of the two members resolved it)."""


class HqRegisterRole(Base):
    """Head office: the PostgreSQL role of a register (``pos hq grant``) and its store.

    Row-level security on the store's tables compares their ``store_code`` with the
    one here for the logged-in role: a register reads and writes its own store's rows
    only, and cannot claim another store's code.
    """

    __tablename__ = "hq_register_role"

    role_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    store_code: Mapped[str] = mapped_column(String(8))
    register_id: Mapped[str] = mapped_column(String(4))
    granted_at: Mapped[Timestamp]
