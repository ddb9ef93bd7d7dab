"""``pos member show|export|erase QUERY``: a member's details and data requests.

The database modules are imported when a command runs, so ``pos --help`` stays quick.

QUERY is a phone (or its last 4 digits), a card number or a name. Phones are
masked everywhere but in ``export``, which is the member's own copy of their data.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pos.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Commands, open_existing_store
from pos.config import Settings
from pos.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from pos.models import Member


NAME = "member"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos member show|export|erase`` to the command's subparsers."""
    member = commands.add_parser(NAME, help="a member's details and data requests")
    what = member.add_subparsers(dest="what", metavar="WHAT", required=True)
    query_help = "phone (or its last 4 digits), card number or name"
    show = what.add_parser("show", parents=[common], help="the member's details (phone masked)")
    show.add_argument("query", metavar="QUERY", help=query_help)
    export = what.add_parser(
        "export", parents=[common], help="everything stored about the member, as JSON"
    )
    export.add_argument("query", metavar="QUERY", help=query_help)
    export.add_argument("--output", "-o", metavar="FILE", type=Path, help="write here, not stdout")
    erase = what.add_parser(
        "erase", parents=[common], help="erase the member's personal data (sales are kept)"
    )
    erase.add_argument("query", metavar="QUERY", help=query_help)
    erase.add_argument("--yes", action="store_true", help="really erase")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos member …``."""
    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    with sessions.begin() as session:
        member = _one_member(session, args.query)
        if member is None:
            return EXIT_FAILED
        if args.what == "show":
            _show(session, member, settings)
            return EXIT_OK
        if args.what == "export":
            return _export(session, member, args.output)
        return _erase(session, member, args.yes)


def _one_member(session: Session, query: str) -> Member | None:
    """The one member ``query`` names, or None after saying why not."""
    from pos.domain.members import members
    from pos.domain.sales.codes import InputError

    try:
        found = members.find(session, query)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return None
    if not found:
        print(_("No member matches {query}").format(query=query), file=sys.stderr)
        return None
    if len(found) > 1:
        print(
            _("{n} members match {query}; give the phone or the card number:").format(
                n=len(found), query=query
            ),
            file=sys.stderr,
        )
        for candidate in found:
            print(
                f"  {candidate.card_no}  {members.mask_phone(candidate.phone)}  {candidate.name}",
                file=sys.stderr,
            )
        return None
    return found[0]


def _counts(session: Session, member: Member) -> tuple[int, int]:
    from sqlalchemy import func, select

    from pos.models import PointsEntry, Sale

    sales = session.scalar(select(func.count()).where(Sale.member_id == member.id))
    entries = session.scalar(select(func.count()).where(PointsEntry.member_id == member.id))
    return sales or 0, entries or 0


def _points(balance: int) -> str:
    """The balance; below zero, what it means (a debt)."""
    from pos.domain.members.loyalty import owes

    return f"{balance} · {owes(balance)}" if balance < 0 else str(balance)


def _show(session: Session, member: Member, settings: Settings) -> None:
    from pos.domain.members import loyalty, members, points_ledger
    from pos.domain.members.segments import segment, segment_name
    from pos.models import Member as MemberRow
    from pos.register.setup import RegisterRules

    timezone = settings.store.timezone
    zone = ZoneInfo(timezone)
    today = datetime.now(UTC).astimezone(zone).date()
    last = member.last_visit_at.astimezone(zone).date() if member.last_visit_at else None
    enrolled = member.enrolled_at.astimezone(zone).date()
    kind = segment(
        enrolled, member.visits, last, today, RegisterRules.from_settings(settings).care.segments
    )
    referrer = session.get(MemberRow, member.referrer_id) if member.referrer_id else None

    def local(moment: datetime | None) -> str:
        return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M") if moment else ""

    consents = [
        label
        for label, given in (
            (_("terms"), member.consent_terms),
            (_("marketing"), member.consent_marketing),
            (_("health data"), member.consent_health),
        )
        if given
    ]
    sales, _entries = _counts(session, member)
    rows = [
        (_("Card no."), member.card_no),
        (_("Name"), member.name or ""),
        (_("Phone"), members.mask_phone(member.phone)),
        (_("Gender"), {"m": _("male"), "f": _("female")}.get(member.gender or "", "")),
        (_("Birthday"), member.birthday.isoformat() if member.birthday else ""),
        (_("Tier"), member.tier),
        (_("Tier from"), loyalty.tier_source(member.tier, members.tier_floor(member))),
        (_("Points"), _points(points_ledger.balance(session, member.id))),
        (_("Enrolled"), f"{local(member.enrolled_at)} {member.enrolled_store}".strip()),
        (_("Last visit"), local(member.last_visit_at)),
        (_("Sales"), str(sales)),
        (_("Segment"), segment_name(kind)),
        (_("Referral code"), member.referral_code or ""),
        (_("Referred by"), referrer.card_no if referrer else ""),
        (_("Next visit"), member.next_visit_on.isoformat() if member.next_visit_on else ""),
        (_("Follow-up calls"), "" if member.consent_follow_up else _("not to be called")),
        (_("Consents"), ", ".join(consents)),
        (_("Allergies"), member.allergies),
        (_("Conditions"), member.conditions),
    ]
    for label, value in rows:
        if value:
            print(f"{label}: {value}")


def _export(session: Session, member: Member, output: Path | None) -> int:
    from pos.domain.members.member_care import export_member
    from pos.domain.staff import audit

    text = json.dumps(export_member(session, member), ensure_ascii=False, indent=2) + "\n"
    detail = {"file": output.name if output else "-"}
    event = audit.record(session, "member.export", at=datetime.now(UTC),
                         subject=member.card_no, detail=detail)  # fmt: skip
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        session.delete(event)  # nothing was exported: the transaction adds no event
        print(
            _("Cannot write {file}: {error}").format(file=output, error=exc.strerror),
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(_("Member {card} exported to {file}").format(card=member.card_no, file=output))
    return EXIT_OK


def _erase(session: Session, member: Member, yes: bool) -> int:
    from pos.domain.members.member_care import anonymous_id, erase_member
    from pos.domain.members.members import mask_name, mask_phone
    from pos.domain.staff import audit

    sales, entries = _counts(session, member)
    who = f"{member.card_no} ({mask_name(member.name)}, {mask_phone(member.phone)})"
    kept = _("{sales} sale(s) and {entries} points entry(ies) are kept under {anonymous}").format(
        sales=sales, entries=entries, anonymous=anonymous_id(member.id)
    )
    if not yes:
        print(
            _(
                "Would erase member {who}: phone, name, gender, birthday, allergies, "
                "conditions and consents. {kept}. Run again with --yes to erase."
            ).format(who=who, kept=kept),
            file=sys.stderr,
        )
        return EXIT_USAGE
    now = datetime.now(UTC)
    erase_member(session, member, now)
    audit.record(session, "member.erase", at=now, subject=anonymous_id(member.id),
                 detail={"sales": sales, "points_entries": entries})  # fmt: skip
    print(_("Erased member {who}. {kept}.").format(who=who, kept=kept))
    return EXIT_OK
