"""Carts kept in the database: the one in progress (crash safety) and held ones (挂单)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from pos.models.base import Base, IntPK, Timestamp


class ParkedCart(Base):
    """A cart saved as it changes (``current``) or held for later (``held``)."""

    __tablename__ = "parked_cart"
    __table_args__ = (Index("ix_parked_cart_register_kind", "register_id", "kind"),)

    id: Mapped[IntPK]
    register_id: Mapped[str] = mapped_column(String(4))
    kind: Mapped[str] = mapped_column(String(8))
    """``current`` (one per register) or ``held``."""
    label: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[Timestamp]
    updated_at: Mapped[Timestamp]
