"""``pos complaint add|list|show|handle|close``: customer complaints (投诉), open → in hand →
closed.

The database modules are imported when the command runs, so ``pos --help`` stays quick.
A member is shown by card number only; the complaint's text is printed, never logged.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pos.cli.common import EXIT_FAILED, EXIT_OK, Commands, open_existing_store
from pos.config import Settings
from pos.i18n import _

if TYPE_CHECKING:
    from pos.domain.aftercare.complaints import ComplaintView

NAME = "complaint"

CATEGORY_KEYS = ("product", "service", "price", "waiting", "medicine", "other")
SEVERITY_KEYS = ("low", "medium", "high")
STATUS_KEYS = ("open", "in_hand", "closed")


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos complaint add|list|show|handle|close``."""
    complaint = commands.add_parser(
        NAME, help="customer complaints: add, list, show, take in hand, close"
    )
    what = complaint.add_subparsers(dest="what", metavar="WHAT", required=True)
    add = what.add_parser(
        "add", parents=[common], help="record a complaint (against a sale, a member or anonymous)"
    )
    add.add_argument("--sale", default="", metavar="NUMBER", help="the sale's receipt number")
    add.add_argument("--member", default="", metavar="CARD", help="the member's card number")
    add.add_argument("--category", required=True, choices=CATEGORY_KEYS)
    add.add_argument("--severity", default="medium", choices=SEVERITY_KEYS)
    add.add_argument("--description", required=True, metavar="TEXT", help="what happened")
    add.add_argument("--by", metavar="USER", help="who records it")
    listing = what.add_parser("list", parents=[common], help="complaints, newest first")
    listing.add_argument("--status", choices=STATUS_KEYS, help="only complaints in this status")
    listing.add_argument(
        "--overdue",
        action="store_true",
        help="only open complaints past store.complaint_response_hours with no response",
    )
    show = what.add_parser("show", parents=[common], help="one complaint in full")
    show.add_argument("complaint_id", metavar="ID", type=int)
    handle = what.add_parser(
        "handle", parents=[common], help="take a complaint in hand (its first response)"
    )
    handle.add_argument("complaint_id", metavar="ID", type=int)
    handle.add_argument("--by", required=True, metavar="USER", help="who handles it")
    handle.add_argument("--note", default="", metavar="TEXT", help="what was done so far")
    close = what.add_parser("close", parents=[common], help="close a complaint")
    close.add_argument("complaint_id", metavar="ID", type=int)
    close.add_argument("--by", required=True, metavar="USER", help="who closes it")
    close.add_argument("--resolution", required=True, metavar="TEXT", help="how it was resolved")
    close.add_argument(
        "--response", default="", metavar="TEXT", help="the customer's response to it"
    )


def _local(moment: datetime | None, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _line(item: ComplaintView, timezone: str) -> str:
    from pos.domain.aftercare.complaints import STATUSES, category_name

    return "\t".join(
        (
            f"#{item.id}",
            _local(item.opened_at, timezone),
            _(STATUSES[item.status]),
            category_name(item.category),
            item.severity,
            item.sale_number or "-",
            item.member_card or "-",
        )
    )


def _details(item: ComplaintView, timezone: str) -> list[str]:
    from pos.domain.aftercare.complaints import SEVERITIES, STATUSES, category_name

    return [
        _("Complaint #{id}").format(id=item.id),
        _("Status: {status}").format(status=_(STATUSES[item.status])),
        _("Category: {category}").format(category=category_name(item.category)),
        _("Severity: {severity}").format(severity=_(SEVERITIES[item.severity])),
        _("Opened: {when} by {who}").format(
            when=_local(item.opened_at, timezone), who=item.opened_by or "-"
        ),
        _("Sale: {number}").format(number=item.sale_number or "-"),
        _("Member: {card}").format(card=item.member_card or "-"),
        _("Description: {text}").format(text=item.description),
        _("Handler: {who}").format(who=item.handler or "-"),
        _("First response: {when}").format(when=_local(item.first_response_at, timezone)),
        _("Resolution: {text}").format(text=item.resolution or "-"),
        _("Customer's response: {text}").format(text=item.customer_response or "-"),
        _("Closed: {when}").format(when=_local(item.closed_at, timezone)),
    ]


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos complaint …``."""
    from pos.domain.aftercare import complaints
    from pos.domain.aftercare.complaints import ComplaintForm
    from pos.domain.sales.codes import InputError
    from pos.register.setup import RegisterRules

    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    zone = settings.store.timezone
    now = datetime.now(UTC)
    try:
        with sessions.begin() as session:
            if args.what == "add":
                form = ComplaintForm(
                    category=args.category,
                    description=args.description,
                    severity=args.severity,
                    sale_number=args.sale,
                    member_card=args.member,
                )
                item = complaints.open_complaint(session, form, at=now, by=args.by)
                print(_("Complaint #{id} recorded").format(id=item.id))
            elif args.what == "list":
                found = (
                    complaints.overdue(session, now, settings.store.complaint_response_hours)
                    if args.overdue
                    else complaints.listing(session, args.status)
                )
                for view in found:
                    print(_line(view, zone))
            elif args.what == "show":
                view = complaints.view(session, complaints.get(session, args.complaint_id))
                for line in _details(view, zone):
                    print(line)
            elif args.what == "handle":
                complaints.handle(
                    session, args.complaint_id, handler=args.by, at=now, note=args.note
                )
                print(_("Complaint #{id} is in hand").format(id=args.complaint_id))
            else:
                complaints.close(
                    session,
                    args.complaint_id,
                    by=args.by,
                    at=now,
                    resolution=args.resolution,
                    customer_response=args.response,
                    today=now.astimezone(ZoneInfo(zone)).date(),
                    follow_ups=RegisterRules.from_settings(settings).care.follow_ups,
                )
                print(_("Complaint #{id} closed").format(id=args.complaint_id))
    except InputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
