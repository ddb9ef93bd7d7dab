"""Satisfaction (满意度): the customer's 1–5 rating of a sale, given once after payment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.domain.returns.returns import find_sale
from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import SaleRating

LOW = 2
"""A rating this low or lower offers to open a complaint."""


def check_rating(rating: int) -> int:
    """``rating`` if it is 1 to 5; InputError otherwise."""
    if not 1 <= rating <= 5:
        raise InputError(_("A rating is 1 to 5, not {rating}").format(rating=rating))
    return rating


def rate(
    session: Session, sale_number: str, rating: int, *, cashier: str | None, at: datetime
) -> SaleRating:
    """Store the rating of sale ``sale_number`` (the caller commits); once per sale."""
    check_rating(rating)
    sale = find_sale(session, sale_number)
    if session.scalar(select(SaleRating.id).where(SaleRating.sale_id == sale.id)) is not None:
        raise InputError(_("Sale {number} is already rated").format(number=sale.number))
    record = SaleRating(sale_id=sale.id, rating=rating, cashier=cashier, rated_at=at)
    session.add(record)
    session.flush()
    return record


def ratings(session: Session, sale_ids: Sequence[int]) -> dict[int, int]:
    """The rating of each rated sale among ``sale_ids``, by sale id."""
    if not sale_ids:
        return {}
    rows = session.execute(
        select(SaleRating.sale_id, SaleRating.rating).where(SaleRating.sale_id.in_(sale_ids))
    )
    return {sale_id: rating for sale_id, rating in rows}
