"""Customers recommending customers (请顾客推荐顾客): referral codes and the referrer's credit.

Every member gets a short code, printed on their receipts. A customer enrolling
gives that code (or the referrer's phone); once the new member has bought
something, the referrer is credited ``referral_points`` through the points
ledger, once. No one refers themself, and a member has one referrer at most.

Data functions take a Session and never commit.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.domain.members import points_ledger
from pos.domain.members.members import member_by_phone, normalize_phone, phone_digits
from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import Member

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand survives."""
CODE_LENGTH = 8
"""40 bits: about one clash in a chain of a million members, and a clash is refused, not merged."""
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code() -> str:
    """A random referral code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """A code as typed (any case, spaces, ``-``, O for 0) in its printed form."""
    return "".join(text.split()).replace("-", "").upper().translate(_READ_AS)


def is_code(text: str) -> bool:
    """True if ``text`` reads as a referral code."""
    code = normalize_code(text)
    return len(code) == CODE_LENGTH and all(char in ALPHABET for char in code)


def ensure_code(session: Session, member: Member) -> str:
    """The member's referral code, given one now if they have none yet (a write)."""
    if member.referral_code:
        return member.referral_code
    while True:
        code = new_code()
        taken = session.scalar(select(Member.id).where(Member.referral_code == code))
        if taken is None:
            member.referral_code = code
            session.flush()
            return code


def find_referrer(session: Session, text: str) -> Member:
    """The member a referral code or phone names, or :class:`InputError` saying why not."""
    text = text.strip()
    digits = phone_digits(text)
    if digits is not None and len(digits) >= 11:
        referrer = member_by_phone(session, normalize_phone(text))
        if referrer is None or referrer.erased_at is not None:
            raise InputError(_("No member has the referrer's phone {text}").format(text=text))
        return referrer
    if not is_code(text):
        raise InputError(
            _("A referral code has {n} letters and digits: {text}").format(
                n=CODE_LENGTH, text=text[:20]
            )
        )
    found = session.scalars(
        select(Member).where(
            Member.referral_code == normalize_code(text), Member.erased_at.is_(None)
        )
    ).all()
    if not found:
        raise InputError(_("No member has the referral code {code}").format(code=text))
    if len(found) > 1:  # two registers gave the same code offline: ask for the phone
        raise InputError(
            _("Referral code {code} is not unique: give the referrer's phone").format(code=text)
        )
    return found[0]


def set_referrer(session: Session, member: Member, text: str) -> Member:
    """Record who recommended ``member`` (from a code or phone); returns the referrer."""
    referrer = find_referrer(session, text)
    if referrer.id == member.id or (member.phone and referrer.phone == member.phone):
        raise InputError(_("A member cannot refer themself"))
    if member.referrer_id is not None and member.referrer_id != referrer.id:
        raise InputError(_("This member already has a referrer"))
    member.referrer_id = referrer.id
    session.flush()
    return referrer


def credit_referrer(
    session: Session, member: Member, points: int, now: datetime, sale_id: int | None
) -> int:
    """After ``member``'s purchase: credit their referrer once; the points credited (0: none)."""
    if member.referrer_id is None or member.referral_credited_at is not None or points <= 0:
        return 0
    referrer = session.get(Member, member.referrer_id)
    member.referral_credited_at = now
    if referrer is None or referrer.erased_at is not None:
        return 0
    points_ledger.post_points(session, referrer.id, points, "referral", now, sale_id)
    return points
