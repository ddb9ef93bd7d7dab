"""Add-on suggestions (关联销售) and promotions."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pos.models.base import Base, IntPK, Timestamp


class Pairing(Base):
    """A curated pairing: when ``trigger`` is in the cart, suggest ``suggest_sku`` and say why.

    ``trigger`` is ``sku:…``, ``category:…`` or ``ingredient:…``.
    """

    __tablename__ = "pairing"
    __table_args__ = (Index("ix_pairing_trigger_sku", "trigger", "suggest_sku", unique=True),)

    id: Mapped[IntPK]
    trigger: Mapped[str] = mapped_column(String(96))
    suggest_sku: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200))


class AssociationRule(Base):
    """A rule mined from past baskets: ``antecedent`` → ``consequent_sku``.

    ``antecedent`` is ``sku:…``, ``ingredient:…`` or ``category:…`` (pharmacy
    baskets are sparse, so rules are mined at those levels too).
    """

    __tablename__ = "association_rule"
    __table_args__ = (Index("ix_association_rule_antecedent_lift", "antecedent", "lift"),)

    id: Mapped[IntPK]
    antecedent: Mapped[str] = mapped_column(String(96))
    consequent_sku: Mapped[str] = mapped_column(String(64))
    support: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    lift: Mapped[float] = mapped_column(Float)
    baskets: Mapped[int] = mapped_column(Integer)
    """Baskets holding both sides."""
    built_at: Mapped[Timestamp]


class SuggestionEvent(Base):
    """A suggestion shown during a sale, and whether the customer took it (attach rate)."""

    __tablename__ = "suggestion_event"

    id: Mapped[IntPK]
    sale_id: Mapped[int] = mapped_column(ForeignKey("sale.id"), index=True)
    rule: Mapped[str] = mapped_column(String(64))
    """``pairing:ID`` or ``rule:ID``."""
    suggest_sku: Mapped[str] = mapped_column(String(64))
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    line_no: Mapped[int | None] = mapped_column(Integer)
    """The sale line the accepted suggestion became."""
    cashier: Mapped[str | None] = mapped_column(String(64))
    shown_at: Mapped[Timestamp]


class Promotion(Base):
    """A promotion (``pos import promotions``): kind, target, dates and the kind's parameters."""

    __tablename__ = "promotion"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(96))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)
    members_only: Mapped[bool] = mapped_column(Boolean, default=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Money in fen: ``percent``, ``price_fen``, ``buy``, ``get``, ``nth``, ``threshold_fen``,
    ``off_fen``, ``day_of_month``, ``points_multiplier``, ``gift_sku``."""
    updated_at: Mapped[Timestamp]
