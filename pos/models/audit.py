"""The audit log: sensitive actions, append-only, each row chained to the one before by a hash.

Its anchors: the chain's head when a Z report printed, a backup was made, a sync pushed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pos.models.base import Base, IntPK, Timestamp


class AuditEvent(Base):
    """One sensitive action: who did it, who approved it, on what, when.

    ``hash`` is over this row's fields and ``prev_hash`` (the previous row's
    ``hash``), so an edited, removed or reordered row breaks the chain
    (:func:`pos.domain.staff.audit.verify`): HMAC-SHA256 with the store's secret key
    (``hash_version`` 2), or plain SHA-256 for rows written before the key (1).
    """

    __tablename__ = "audit_event"

    id: Mapped[IntPK]
    at: Mapped[Timestamp] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    """``login``, ``login.failed``, ``override.price``, ``void``, ``refund`` …"""
    actor: Mapped[str | None] = mapped_column(String(32))
    """The user who did or asked for it (None for the command line)."""
    approved_by: Mapped[str | None] = mapped_column(String(32))
    """The manager who approved an override."""
    subject: Mapped[str] = mapped_column(String(64), default="")
    """What it was done to: a sale number, a product's SKU, a member's card."""
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    hash_version: Mapped[int] = mapped_column(Integer, default=1)
    """1: SHA-256 (rows written before the store key); 2: HMAC-SHA256 with the store key."""


class AuditAnchor(Base):
    """The audit chain's head (event count and newest hash) at one moment, kept to compare with.

    Written when a Z report prints, a backup is made and a sync pushes; the same
    head is on the paper, in the backup's manifest and at head office. ``mac`` is
    HMAC-SHA256 of the anchor with the store key (empty when made without it).
    """

    __tablename__ = "audit_anchor"

    id: Mapped[IntPK]
    at: Mapped[Timestamp]
    source: Mapped[str] = mapped_column(String(16))
    """``z_report``, ``backup`` or ``sync``."""
    events: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64), default="")
