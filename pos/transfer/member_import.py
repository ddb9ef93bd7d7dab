"""Importing members from CSV (contract in the README, "Members CSV").

The rules are those of the product import: every row is checked first, and any
bad row stops the whole import unless ``skip_bad`` is set. A row whose card
number is on file updates that member; its points are set through the ledger.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from pos.domain.members import members, points_ledger
from pos.domain.members.loyalty import FLOOR_BY_IMPORT, LoyaltyRules, TierFloor
from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import Member
from pos.transfer.import_common import UNCHUNKED, Chunks, ImportReport, RowError, read_rows

MEMBER_COLUMNS = (
    "card_no", "phone", "name", "gender", "birthday", "tier", "points", "enrolled_at",
)  # fmt: skip
MEMBER_OPTIONAL_COLUMNS = ("health_consent", "allergies", "conditions", "tier_until")
MAX_POINTS = 100_000_000
MAX_HEALTH_TEXT = 200
_CHUNK = 500


@dataclass(frozen=True)
class MemberRow:
    """A checked row of a members file (``card_no`` None: a new card is issued)."""

    line: int
    card_no: str | None
    phone: str
    name: str
    gender: str
    birthday: str
    tier: str
    points: int
    enrolled_at: datetime | None
    health: HealthData | None = None
    """None: the file says nothing about health data (a member's stays as it is)."""
    floor: TierFloor | None = None
    """The tier kept as a floor (until ``tier_until``); None for the first tier."""


@dataclass(frozen=True)
class HealthData:
    """The health-data consent and, with it, allergies and conditions (comma-separated)."""

    consent: bool
    allergies: str = ""
    conditions: str = ""


def _health_items(value: str, column: str) -> str:
    items = [item.strip() for item in value.split("|") if item.strip()]
    if any("," in item or "，" in item for item in items):
        raise InputError(_("{column}: separate the names with |").format(column=column))
    text = ",".join(dict.fromkeys(items))
    if len(text) > MAX_HEALTH_TEXT:
        raise InputError(_("Keep allergies and conditions under 200 characters"))
    return text


def check_health(row: dict[str, str]) -> HealthData | None:
    """The optional ``health_consent``, ``allergies`` and ``conditions`` columns of a row.

    ``yes`` gives the consent with the listed (``|``-separated) allergies and
    conditions; ``no`` withdraws it and empties them; empty (or no such column)
    leaves them as they are. Allergies or conditions need ``yes``.
    """
    consent = row.get("health_consent", "").strip().lower()
    allergies = _health_items(row.get("allergies", ""), "allergies")
    conditions = _health_items(row.get("conditions", ""), "conditions")
    if consent not in ("yes", "no", ""):
        raise InputError(
            _("health_consent must be yes, no or empty, not {value!r}").format(
                value=row["health_consent"]
            )
        )
    if (allergies or conditions) and consent != "yes":
        raise InputError(_("allergies and conditions are kept only with health_consent = yes"))
    if not consent:
        return None
    return HealthData(consent == "yes", allergies, conditions)


def parse_moment(text: str, timezone: str) -> datetime:
    """An ISO 8601 date (start of that day in the store) or date-time, in UTC.

    A date-time without a zone is read in the store's time zone too.
    """
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(), ZoneInfo(timezone))
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            _("enrolled_at is not an ISO 8601 date or time: {value!r}").format(value=text)
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC)


def check_member(
    line: int,
    row: dict[str, str],
    tiers: Sequence[str],
    now: datetime,
    timezone: str,
) -> MemberRow:
    """Validate one members row; raise :class:`InputError` with the first problem."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    card_no = row["card_no"] or None
    if card_no is not None and not members.is_card_no(card_no):
        raise InputError(
            _("card_no {value!r} is not a member card (13 digits, prefix 29, check digit)").format(
                value=card_no
            )
        )
    phone = members.normalize_phone(row["phone"])
    name = members.clean_name(row["name"])
    gender = members.parse_gender(row["gender"]) or ""
    birthday = members.parse_birthday(row["birthday"], today)
    tier = row["tier"] or tiers[0]
    if tier not in tiers:
        raise InputError(
            _("tier must be one of {tiers}, not {value!r}").format(
                tiers=", ".join(tiers), value=tier
            )
        )
    floor = check_floor(tier, row.get("tier_until", "").strip(), tiers)
    points_text = row["points"] or "0"
    if not points_text.isascii() or not points_text.isdigit() or int(points_text) > MAX_POINTS:
        raise InputError(
            _("points must be a whole number, 0 or more: {value!r}").format(value=row["points"])
        )
    enrolled_at = parse_moment(row["enrolled_at"], timezone) if row["enrolled_at"] else None
    if enrolled_at is not None and enrolled_at > now:
        raise InputError(_("enrolled_at {value} is in the future").format(value=row["enrolled_at"]))
    return MemberRow(
        line=line,
        card_no=card_no,
        phone=phone,
        name=name,
        gender=gender,
        birthday=birthday.isoformat() if birthday else "",
        tier=tier,
        points=int(points_text),
        enrolled_at=enrolled_at,
        health=check_health(row),
        floor=floor,
    )


def check_floor(tier: str, until_text: str, tiers: Sequence[str]) -> TierFloor | None:
    """The imported tier as a floor, kept until ``tier_until`` (empty: no end).

    The first tier needs no floor (every member has it), so it takes no date.
    """
    until: date | None = None
    if until_text:
        try:
            until = date.fromisoformat(until_text)
        except ValueError:
            raise InputError(
                _("tier_until is not a date (YYYY-MM-DD): {value!r}").format(value=until_text)
            ) from None
    if tier == tiers[0]:
        if until is not None:
            raise InputError(_("tier_until needs a tier above {tier}").format(tier=tiers[0]))
        return None
    return TierFloor(tier, until, FLOOR_BY_IMPORT)


def import_members(
    session: Session,
    data: bytes,
    tiers: Sequence[str],
    now: datetime,
    timezone: str,
    store_code: str = "",
    skip_bad: bool = False,
    chunks: Chunks = UNCHUNKED,
    rules: LoyaltyRules | None = None,
) -> ImportReport:
    """Create or update (by card number) members from a members CSV, committed in ``chunks``.

    A row's tier is kept as a floor (until ``tier_until``); with ``rules``, the
    tier is settled at once (raised to what the member's spend reaches).
    """
    report = ImportReport()
    rows: list[MemberRow] = []
    seen_cards: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    for line, raw in read_rows(data, MEMBER_COLUMNS, report, MEMBER_OPTIONAL_COLUMNS):
        try:
            row = check_member(line, raw, tiers, now, timezone)
            if row.card_no is not None and row.card_no in seen_cards:
                raise InputError(
                    _("card_no {card} already on line {line}").format(
                        card=row.card_no, line=seen_cards[row.card_no]
                    )
                )
            if row.phone in seen_phones:
                raise InputError(
                    _("phone {phone} already on line {line}").format(
                        phone=members.mask_phone(row.phone), line=seen_phones[row.phone]
                    )
                )
        except InputError as exc:
            report.errors.append(RowError(line, str(exc)))
            continue
        if row.card_no is not None:
            seen_cards[row.card_no] = line
        seen_phones[row.phone] = line
        rows.append(row)
    by_card = {m.card_no: m for m in _members(session, Member.card_no, list(seen_cards))}
    by_phone = {m.phone: m for m in _members(session, Member.phone, list(seen_phones))}
    good: list[MemberRow] = []
    for row in rows:
        owner = by_phone.get(row.phone)
        if owner is not None and owner.card_no != row.card_no:
            report.errors.append(
                RowError(
                    row.line,
                    _("phone {phone} belongs to another member ({card})").format(
                        phone=members.mask_phone(row.phone), card=owner.card_no
                    ),
                )
            )
            continue
        good.append(row)
    report.errors.sort(key=lambda error: error.line)
    if report.errors and not skip_bad:
        return report
    today = now.astimezone(ZoneInfo(timezone)).date()
    for row in good:
        member = by_card.get(row.card_no) if row.card_no else None
        if member is None:
            member = _create(session, row, now, today, store_code)
            report.created += 1
        else:
            _update(session, member, row, now, today)
            report.updated += 1
        if rules is not None:
            members.settle_tier(session, member, rules, now, today)
        delta = row.points - points_ledger.balance(session, member.id)
        if delta:
            points_ledger.post_points(session, member.id, delta, "import", now)
        chunks.checkpoint()
    report.applied = True
    session.flush()
    return report


def _form(row: MemberRow, member: Member | None = None) -> members.MemberForm:
    """The row as a form; an existing member keeps their marketing consent, and their
    health data unless the row gives it."""
    health = row.health
    if health is None and member is not None:
        health = HealthData(member.consent_health, member.allergies, member.conditions)
    return members.MemberForm(
        phone=row.phone,
        name=row.name,
        birthday=row.birthday,
        gender=row.gender,
        consent_terms=True,
        consent_marketing=member.consent_marketing if member else False,
        consent_health=health.consent if health else False,
        allergies=health.allergies if health else "",
        conditions=health.conditions if health else "",
    )


def _create(
    session: Session, row: MemberRow, now: datetime, today: date, store_code: str
) -> Member:
    enrolled_at = row.enrolled_at or now
    member = members.enrol(session, _form(row), enrolled_at, today, store_code, card_no=row.card_no)
    _set_tier(member, row)
    member.updated_at = now
    return member


def _update(session: Session, member: Member, row: MemberRow, now: datetime, today: date) -> None:
    members.update(session, member, _form(row, member), now, today)
    _set_tier(member, row)
    if row.enrolled_at is not None:
        member.enrolled_at = row.enrolled_at


def _set_tier(member: Member, row: MemberRow) -> None:
    """The row's tier, kept as a floor: recomputation after a sale only raises it."""
    member.tier = row.tier
    members.set_tier_floor(member, row.floor)


def _members(
    session: Session,
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    values: list[str],
) -> Iterator[Member]:
    """Members (erased ones included) whose ``column`` is one of ``values``."""
    for start in range(0, len(values), _CHUNK):
        yield from session.scalars(select(Member).where(column.in_(values[start : start + _CHUNK])))
