"""A member's data requests (PIPL): a copy of everything stored, and erasure.

Erasure empties the personal fields and withdraws every consent; the member's
sales and points ledger stay (statutory records), detached from the person: the
card number becomes an anonymous id, on the member row and on every sale.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import Member, PointsEntry, Sale
from pos.transfer.exports import health_lists, iso_utc


def anonymous_id(member_id: int) -> str:
    """The id that replaces an erased member's card number: ``X000000000042``."""
    return f"X{member_id:012d}"


def _floor(member: Member) -> dict[str, str | None] | None:
    """The tier floor given by import or head office (None: the tier follows spend)."""
    if not member.tier_floor:
        return None
    until = member.tier_until.isoformat() if member.tier_until else None
    return {"tier": member.tier_floor, "until": until, "by": member.tier_floor_by}


def _moment(value: datetime | None) -> str | None:
    return iso_utc(value) if value is not None else None


def _referrer_card(session: Session, member: Member) -> str | None:
    if member.referrer_id is None:
        return None
    referrer = session.get(Member, member.referrer_id)
    return referrer.card_no if referrer else None


def export_member(session: Session, member: Member) -> dict[str, Any]:
    """Everything stored about ``member``, JSON-serialisable (times in UTC)."""
    ledger = session.execute(
        select(PointsEntry, Sale.number)
        .outerjoin(Sale, PointsEntry.sale_id == Sale.id)
        .where(PointsEntry.member_id == member.id)
        .order_by(PointsEntry.id)
    )
    entries = [
        {
            "at": iso_utc(entry.created_at),
            "delta": entry.delta,
            "reason": entry.reason,
            "balance_after": entry.balance_after,
            "sale": number,
        }
        for entry, number in ledger
    ]
    sales = session.execute(
        select(
            Sale.number, Sale.completed_at, Sale.total_fen, Sale.points_earned, Sale.points_redeemed
        )
        .where(Sale.member_id == member.id)
        .order_by(Sale.completed_at, Sale.id)
    )
    balance = session.scalar(
        select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.member_id == member.id
        )
    )
    return {
        "card_no": member.card_no,
        "phone": member.phone,
        "name": member.name,
        "gender": member.gender,
        "birthday": member.birthday.isoformat() if member.birthday else None,
        "tier": member.tier,
        "tier_floor": _floor(member),
        "enrolled_at": iso_utc(member.enrolled_at),
        "enrolled_store": member.enrolled_store,
        "enrolled_by": member.enrolled_by,
        "last_visit_at": _moment(member.last_visit_at),
        "visits": member.visits,
        "next_visit_on": member.next_visit_on.isoformat() if member.next_visit_on else None,
        "referral_code": member.referral_code,
        "referred_by": _referrer_card(session, member),
        "updated_at": iso_utc(member.updated_at),
        "erased_at": _moment(member.erased_at),
        "consents": {
            "terms": member.consent_terms,
            "marketing": member.consent_marketing,
            "health": member.consent_health,
            "follow_up_calls": member.consent_follow_up,
            "given_at": iso_utc(member.consents_at),
        },
        "health": health_lists(member.consent_health, member.allergies, member.conditions),
        "points": {"balance": int(balance or 0), "ledger": entries},
        "sales": [
            {
                "number": number,
                "completed_at": iso_utc(completed_at),
                "total_fen": total_fen,
                "points_earned": earned,
                "points_redeemed": redeemed,
            }
            for number, completed_at, total_fen, earned, redeemed in sales
        ],
    }


def erase_member(session: Session, member: Member, now: datetime) -> None:
    """Erase ``member``'s personal data; their sales and ledger stay, under an anonymous id."""
    if member.erased_at is not None:
        raise InputError(_("This member was erased"))
    anonymous = anonymous_id(member.id)
    member.card_no = anonymous
    member.phone = None
    member.phone_last4 = None
    member.name = None
    member.name_initials = None
    member.gender = None
    member.birthday = None
    member.allergies = ""
    member.conditions = ""
    member.consent_terms = False
    member.consent_marketing = False
    member.consent_health = False
    member.consent_follow_up = False
    member.referral_code = None
    member.next_visit_on = None
    member.consents_at = now
    member.updated_at = now
    member.erased_at = now
    session.flush()
    session.execute(
        sql_update(Sale)
        .where(Sale.member_id == member.id)
        .values(member=anonymous)
        .execution_options(synchronize_session="fetch")
    )
    session.flush()
