"""Members: validation, enrolment and lookup (points: :mod:`pos.domain.members.points_ledger`).

Data functions take a Session and never commit. Phones are mainland mobiles
(checked with phonenumbers); card numbers are EAN-13 codes with the in-store
prefix 29, so a card prints as a barcode and its check digit is validated when
scanned.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.orm import Session
from stdnum import ean

from pos.domain.catalogue import pinyin
from pos.domain.members import points_ledger
from pos.domain.members.loyalty import LoyaltyRules, TierFloor
from pos.domain.sales.codes import InputError, ascii_digits
from pos.i18n import _
from pos.models import Member, Sale, SaleLine
from pos.store.prepared import Prepared

CARD_PREFIX = "29"
"""EAN-13 prefixes 20–29 are for in-store use: no product carries them."""
GENDERS = ("m", "f")
MAX_NAME = 64
_FOUR_DIGITS = re.compile(r"^\d{4}$")
_LIST_SEPARATORS = re.compile(r"[,，、;；]+")


@dataclass(frozen=True)
class MemberForm:
    """What the cashier types to enrol or edit a member."""

    phone: str
    name: str
    birthday: str = ""
    """``YYYY-MM-DD`` or empty."""
    gender: str = ""
    """``m``, ``f`` or empty."""
    consent_terms: bool = False
    consent_marketing: bool = False
    consent_health: bool = False
    allergies: str = ""
    conditions: str = ""
    referrer: str = ""
    """At enrolment: the referral code or phone of the member who recommended this one."""


@dataclass(frozen=True)
class CleanMember:
    """A :class:`MemberForm` checked and normalised."""

    phone: str
    name: str
    birthday: date | None
    gender: str | None
    consent_terms: bool
    consent_marketing: bool
    consent_health: bool
    allergies: str
    conditions: str


class DuplicatePhone(InputError):
    """The phone already belongs to a member: the register offers that member instead."""

    def __init__(self, member_id: int, phone: str) -> None:
        super().__init__(_("{phone} is already a member's phone").format(phone=mask_phone(phone)))
        self.member_id = member_id


# -- checking what was typed ------------------------------------------------------------


_PHONE_SEPARATORS = str.maketrans({char: None for char in " \u3000-－‐‑–—()（）"} | {"＋": "+"})


def phone_digits(text: str) -> str | None:
    """The digits of a phone as people type it, or None when it holds anything else.

    Full-width digits (１３９), spaces, ``-``, ``－`` and brackets are taken as typed;
    a ``+86``, ``0086`` or ``86`` country code in front of a mobile is dropped.
    """
    cleaned = ascii_digits(text.translate(_PHONE_SEPARATORS).removeprefix("+"))
    if cleaned is None:
        return None
    for prefix in ("0086", "86"):
        if cleaned.startswith(prefix + "1") and len(cleaned) == len(prefix) + 11:
            return cleaned.removeprefix(prefix)
    return cleaned


def normalize_phone(text: str) -> str:
    """A mainland mobile number as 11 digits, or :class:`InputError` saying what is wrong."""
    digits = phone_digits(text)
    if digits is None:
        raise InputError(
            _("A mobile number is 11 digits (spaces and - allowed): {text}").format(
                text=text.strip()
            )
        )
    if len(digits) != 11:
        raise InputError(
            _("A mobile number has 11 digits, not {n}: {text}").format(
                n=len(digits), text=text.strip()
            )
        )
    import phonenumbers  # 20 ms to import: only once a phone number is typed or imported

    number = phonenumbers.parse(digits, "CN")
    if not phonenumbers.is_valid_number(number) or (
        phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise InputError(_("{text} is not a mainland mobile number").format(text=digits))
    return digits


def parse_birthday(text: str, today: date) -> date | None:
    """A birthday ``YYYY-MM-DD`` (not in the future), or None for an empty text."""
    text = text.strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(_("Birthday must be YYYY-MM-DD: {text}").format(text=text)) from None
    if len(text) != 10:
        raise InputError(_("Birthday must be YYYY-MM-DD: {text}").format(text=text))
    if day > today:
        raise InputError(_("Birthday {day} is in the future").format(day=text))
    if day.year < today.year - 130:
        raise InputError(_("Birthday {day} is too long ago").format(day=text))
    return day


def parse_gender(text: str) -> str | None:
    """``m``, ``f`` (also 男 / 女), or None for an empty text."""
    value = {"男": "m", "女": "f"}.get(text.strip(), text.strip().lower())
    if not value:
        return None
    if value not in GENDERS:
        raise InputError(_("Gender must be m, f or empty: {text}").format(text=text))
    return value


def clean_name(text: str) -> str:
    """A member's name: not empty, at most 64 characters, printable."""
    name = " ".join(text.split())
    if not name:
        raise InputError(_("The member's name is empty"))
    if len(name) > MAX_NAME or not name.isprintable():
        raise InputError(_("Name too long or not printable: {text}").format(text=name[:20]))
    return name


def _health_list(text: str) -> str:
    items = [item.strip() for item in _LIST_SEPARATORS.split(text) if item.strip()]
    result = ",".join(items)
    if len(result) > 200:
        raise InputError(_("Keep allergies and conditions under 200 characters"))
    return result


def check_form(form: MemberForm, today: date) -> CleanMember:
    """Check every field of ``form``; the first problem raises :class:`InputError`."""
    if not form.consent_terms:
        raise InputError(_("The member must accept the membership terms"))
    allergies = _health_list(form.allergies)
    conditions = _health_list(form.conditions)
    if (allergies or conditions) and not form.consent_health:
        raise InputError(_("Allergies and conditions are kept only with the health-data consent"))
    return CleanMember(
        phone=normalize_phone(form.phone),
        name=clean_name(form.name),
        birthday=parse_birthday(form.birthday, today),
        gender=parse_gender(form.gender),
        consent_terms=True,
        consent_marketing=form.consent_marketing,
        consent_health=form.consent_health,
        allergies=allergies,
        conditions=conditions,
    )


# -- masking ----------------------------------------------------------------------------


def mask_phone(phone: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else "****"


def mask_name(name: str | None) -> str:
    """Surname and ``*`` (receipts): ``张三丰`` → ``张*``; ``Li Lei`` → ``L*``."""
    return (name[0] + "*") if name else ""


# -- card numbers -----------------------------------------------------------------------


def is_card_no(code: str) -> bool:
    """True for a member card number: 13 digits, prefix 29, a valid check digit."""
    return (
        len(code) == 13 and code.startswith(CARD_PREFIX) and code.isdigit() and ean.is_valid(code)
    )


def new_card_no(session: Session) -> str:
    """A card number no member has yet (random, so registers of a chain never collide)."""
    while True:
        body = CARD_PREFIX + f"{secrets.randbelow(10**10):010d}"
        card = body + ean.calc_check_digit(body)
        if session.scalar(select(Member.id).where(Member.card_no == card)) is None:
            return card


# -- enrolment and edits ----------------------------------------------------------------


def member_by_phone(session: Session, phone: str) -> Member | None:
    """The member with this (normalised) phone."""
    return session.scalar(select(Member).where(Member.phone == phone))


def enrol(
    session: Session,
    form: MemberForm,
    now: datetime,
    today: date,
    store_code: str,
    cashier: str | None = None,
    card_no: str | None = None,
) -> Member:
    """Create a member from ``form``; :class:`DuplicatePhone` if the phone is taken."""
    clean = check_form(form, today)
    existing = member_by_phone(session, clean.phone)
    if existing is not None:
        raise DuplicatePhone(existing.id, clean.phone)
    member = Member(
        card_no=card_no or new_card_no(session),
        tier="normal",
        enrolled_at=now,
        enrolled_store=store_code,
        enrolled_by=cashier,
        consents_at=now,
        updated_at=now,
        consent_terms=True,
    )
    _apply(member, clean)
    session.add(member)
    session.flush()
    return member


def update(session: Session, member: Member, form: MemberForm, now: datetime, today: date) -> None:
    """Change a member's details (at the member's request); the phone stays unique."""
    if member.erased_at is not None:
        raise InputError(_("This member was erased"))
    clean = check_form(form, today)
    other = member_by_phone(session, clean.phone)
    if other is not None and other.id != member.id:
        raise DuplicatePhone(other.id, clean.phone)
    consents = (member.consent_marketing, member.consent_health)
    _apply(member, clean)
    if consents != (clean.consent_marketing, clean.consent_health):
        member.consents_at = now
    member.updated_at = now
    session.flush()


def _apply(member: Member, clean: CleanMember) -> None:
    member.phone = clean.phone
    member.phone_last4 = clean.phone[-4:]
    member.name = clean.name
    member.name_initials = pinyin.initials(clean.name)
    member.birthday = clean.birthday
    member.gender = clean.gender
    member.consent_marketing = clean.consent_marketing
    member.consent_health = clean.consent_health
    member.allergies = clean.allergies if clean.consent_health else ""
    member.conditions = clean.conditions if clean.consent_health else ""


# -- tiers ------------------------------------------------------------------------------


def tier_floor(member: Member | MemberRow) -> TierFloor | None:
    """The tier given to the member by import or head office (None: the tier follows spend)."""
    if not member.tier_floor:
        return None
    return TierFloor(member.tier_floor, member.tier_until, member.tier_floor_by or "import")


def set_tier_floor(member: Member, floor: TierFloor | None) -> None:
    """Give the member a floor (None: take it away); :func:`settle_tier` applies it."""
    member.tier_floor = floor.tier if floor else None
    member.tier_until = floor.until if floor else None
    member.tier_floor_by = floor.by if floor else None


def settle_tier(
    session: Session,
    member: Member,
    rules: LoyaltyRules,
    now: datetime,
    today: date,
    leave_out_fen: int = 0,
) -> None:
    """Recompute the member's tier from the spend over the last 365 days (less
    ``leave_out_fen``: a sale being rewarded), never below a floor still running; a
    floor that ran out is dropped (the tier follows spend)."""
    floor = tier_floor(member)
    if floor is not None and not floor.runs(today):
        set_tier_floor(member, None)
        floor = None
    session.flush()
    spend_fen = points_ledger.spend_last_year(session, member.id, now) - leave_out_fen
    member.tier = rules.settled_tier(spend_fen, floor, today)


# -- lookup -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    """A member as a lookup finds one: the columns the register shows (no ORM entity)."""

    id: int
    card_no: str
    phone: str | None
    name: str | None
    tier: str
    tier_floor: str | None
    tier_until: date | None
    tier_floor_by: str | None
    birthday: date | None
    last_visit_at: datetime | None
    allergies: str
    conditions: str
    consent_marketing: bool
    consent_health: bool


# Lookups run at the counter while the customer waits: their statements are built once,
# with bound parameters, and run as prepared lookups (see pos.store.prepared).
_member = Member.__table__
_ROW_COLUMNS = [_member.c[field.name] for field in fields(MemberRow)]
_ACTIVE = _member.c.erased_at.is_(None)
_LIMIT = bindparam("limit", type_=Integer)
_BY_COLUMN = {
    column: Prepared(
        select(*_ROW_COLUMNS)
        .where(_member.c[column] == bindparam("value"), _ACTIVE)
        .order_by(_member.c.last_visit_at.desc())
        .limit(_LIMIT)
    )
    for column in ("phone", "phone_last4", "card_no")
}
# Prefix ranges, not LIKE: they use the name and initials indexes, so a name search
# stays instant among a million members.
_BY_NAME = Prepared(
    select(*_ROW_COLUMNS)
    .where(
        _ACTIVE,
        ((_member.c.name >= bindparam("name")) & (_member.c.name < bindparam("name_end")))
        | (
            (_member.c.name_initials >= bindparam("key"))
            & (_member.c.name_initials < bindparam("key_end"))
        ),
    )
    .order_by(_member.c.name)
    .limit(_LIMIT)
)
_PREFIX_END = "\U0010ffff"


def lookup(session: Session, query: str, limit: int = 20) -> list[MemberRow]:
    """Members by full phone, last four digits, card number, name or pinyin initials."""
    text = query.strip()
    if not text:
        return []
    digits = phone_digits(text)
    if digits is not None:
        if len(digits) == 11:
            column = "phone"
        elif _FOUR_DIGITS.match(digits):
            column = "phone_last4"
        elif len(digits) == 13:
            column = "card_no"
        else:
            raise InputError(
                _("Type a full phone, its last 4 digits, a card number or a name: {text}").format(
                    text=text
                )
            )
        rows = _BY_COLUMN[column].rows(session, {"value": digits, "limit": limit})
    else:
        key = text.lower()
        rows = _BY_NAME.rows(
            session,
            {
                "name": text,
                "name_end": text + _PREFIX_END,
                "key": key,
                "key_end": key + _PREFIX_END,
                "limit": limit,
            },
        )
    return [MemberRow(*row) for row in rows]


def find(session: Session, query: str, limit: int = 20) -> list[Member]:
    """:func:`lookup`, as ORM entities (for commands that change or export a member)."""
    found = lookup(session, query, limit)
    if not found:
        return []
    by_id = {
        member.id: member
        for member in session.scalars(
            select(Member).where(Member.id.in_([row.id for row in found]))
        )
    }
    return [by_id[row.id] for row in found if row.id in by_id]


def by_card(session: Session, card_no: str) -> Member | None:
    """The (not erased) member with this card number."""
    return session.scalar(
        select(Member).where(Member.card_no == card_no, Member.erased_at.is_(None))
    )


def recent_purchases(session: Session, member_id: int, limit: int = 5) -> list[str]:
    """Names of the products the member bought most recently (newest first, no repeats)."""
    rows = session.execute(
        select(SaleLine.name, func.max(Sale.completed_at).label("last"))
        .join(Sale, SaleLine.sale_id == Sale.id)
        .where(Sale.member_id == member_id)
        .group_by(SaleLine.name)
        .order_by(func.max(Sale.completed_at).desc())
        .limit(limit)
    )
    return [row.name for row in rows]
