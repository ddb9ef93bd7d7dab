"""Birthday gifts: offered once a year in the member's birthday month, recorded when given.

The gift is a product at no charge (a gift line, under the same rules as every
gift: stock, the pharmacy rules, never an Rx or OTC-A medicine) or a points
grant, as the store configures. Attaching the member in their birthday month
offers it; the sale that takes it records it, so it is given once a year.

Data functions take a Session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos.domain.catalogue import catalogue
from pos.domain.members import points_ledger
from pos.domain.members.loyalty import is_birthday_month
from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import Member, MemberGift, PointsEntry

GIFT_PROMOTION = "birthday"
"""The ``gift_of`` of a birthday gift line, and its sale line's promotion id."""


@dataclass(frozen=True)
class BirthdayGift:
    """The gift a member may be offered today."""

    kind: str
    """``product`` or ``points``."""
    sku: str | None
    name: str
    """The product's name, or the points as text."""
    points: int = 0


def configured_gift(session: Session, sku: str, points: int) -> BirthdayGift | None:
    """The store's birthday gift (a product wins over points), None when there is none."""
    if sku:
        product = catalogue.find_by_sku(session, sku)
        if product is not None:
            return BirthdayGift("product", sku, product.name)
    if points > 0:
        return BirthdayGift("points", None, _("{n} points").format(n=points), points)
    return None


def given_this_year(session: Session, member_id: int, year: int) -> bool:
    """True if the member had this year's birthday gift (or, before gifts were recorded,
    this year's birthday points)."""
    if session.scalar(
        select(MemberGift.id).where(MemberGift.member_id == member_id, MemberGift.year == year)
    ):
        return True
    legacy = session.scalar(
        select(PointsEntry.id).where(
            PointsEntry.member_id == member_id,
            PointsEntry.reason == "birthday",
            PointsEntry.created_at >= datetime(year, 1, 1, tzinfo=UTC),
        )
    )
    return legacy is not None


def gift_due(
    session: Session, member: Member, sku: str, points: int, today: date
) -> BirthdayGift | None:
    """The gift to offer ``member`` today, or None (not their month, given, none set)."""
    if member.erased_at is not None or not is_birthday_month(member.birthday, today):
        return None
    if given_this_year(session, member.id, today.year):
        return None
    return configured_gift(session, sku, points)


def record_gift(
    session: Session,
    member_id: int,
    gift: BirthdayGift,
    today: date,
    now: datetime,
    sale_id: int | None,
    by: str | None,
) -> MemberGift:
    """Record the gift given (and grant the points of a points gift); given twice: InputError."""
    if given_this_year(session, member_id, today.year):
        raise InputError(_("This year's birthday gift was already given"))
    row = MemberGift(
        member_id=member_id,
        year=today.year,
        kind=gift.kind,
        sku=gift.sku,
        points=gift.points,
        sale_id=sale_id,
        given_by=by,
        given_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # another register of the store gave it a moment ago
        raise InputError(_("This year's birthday gift was already given")) from None
    if gift.kind == "points":
        points_ledger.post_points(session, member_id, gift.points, "birthday", now, sale_id)
    return row
