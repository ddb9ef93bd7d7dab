"""The audit log: sensitive actions, append-only, each row chained to the one before by a hash."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from pos.models.base import Base, IntPK, Timestamp


class AuditEvent(Base):
    """One sensitive action: who did it, who approved it, on what, when.

    ``hash`` is SHA-256 over this row's fields and ``prev_hash`` (the previous
    row's ``hash``), so an edited, removed or reordered row breaks the chain
    (:func:`pos.services.audit.verify`).
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
