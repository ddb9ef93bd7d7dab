"""Members due a follow-up: chronic-medication buyers whose refill is overdue.

A member who bought chronic medication (a product of a :data:`CHRONIC_CATEGORIES`
category) on two or more days within :data:`LOOKBACK_DAYS` has a typical refill
interval: the days from the first to the last of those purchases, divided by the
purchases less one. When more days than that have passed since the last one,
the member is due a call (PHARMACY.md, member programmes: refill reminders).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pos.domain.members.members import mask_phone
from pos.models import Member, Product, Sale, SaleLine

CHRONIC_CATEGORIES = ("cardiovascular", "diabetes")
"""Categories of long-term medication (blood pressure, heart, blood sugar)."""
LOOKBACK_DAYS = 180
"""How far back purchases count towards the refill interval."""


@dataclass(frozen=True)
class FollowUp:
    """A member due a refill call (card number and masked phone only)."""

    card_no: str
    masked_phone: str
    purchases: int
    last_purchase: date
    interval_days: int
    days_since: int
    member_id: int
    """The member's row (never exported: the card number names the member outside)."""

    @property
    def overdue_days(self) -> int:
        """Days past the typical refill."""
        return self.days_since - self.interval_days

    def as_json(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "card_no": self.card_no,
            "masked_phone": self.masked_phone,
            "purchases": self.purchases,
            "last_purchase": self.last_purchase.isoformat(),
            "interval_days": self.interval_days,
            "days_since": self.days_since,
        }


def members_due(
    session: Session, today: date, categories: tuple[str, ...] = CHRONIC_CATEGORIES
) -> list[FollowUp]:
    """The members due a follow-up on ``today``, most overdue first."""
    days = (
        select(Sale.member_id.label("member_id"), Sale.business_date.label("day"))
        .join(SaleLine, SaleLine.sale_id == Sale.id)
        .join(Product, Product.id == SaleLine.product_id)
        .where(
            Product.category.in_(categories),
            Sale.member_id.is_not(None),
            Sale.business_date.between(today - timedelta(days=LOOKBACK_DAYS), today),
        )
        .distinct()
        .subquery()
    )
    rows = session.execute(
        select(days.c.member_id, func.count(), func.min(days.c.day), func.max(days.c.day))
        .group_by(days.c.member_id)
        .having(func.count() >= 2)
    ).all()
    due: dict[int, tuple[int, date, int, int]] = {}
    for member_id, count, first, last in rows:
        first_day, last_day = _as_date(first), _as_date(last)
        interval = math.ceil((last_day - first_day).days / (int(count) - 1))
        since = (today - last_day).days
        if since > interval:
            due[int(member_id)] = (int(count), last_day, interval, since)
    found: list[FollowUp] = []
    ids = sorted(due)
    for start in range(0, len(ids), 500):
        for member_id, card_no, phone in session.execute(
            select(Member.id, Member.card_no, Member.phone).where(
                Member.id.in_(ids[start : start + 500]), Member.erased_at.is_(None)
            )
        ):
            count, last_day, interval, since = due[member_id]
            found.append(
                FollowUp(card_no, mask_phone(phone), count, last_day, interval, since, member_id)
            )
    found.sort(key=lambda item: (-item.overdue_days, item.card_no))
    return found


def _as_date(value: date | str) -> date:
    """A date from the aggregate (SQLite may hand back its text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))
