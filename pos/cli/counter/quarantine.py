"""``pos quarantine list|release|destroy``: decide what happens to returned units held apart."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pos.cli.common import EXIT_FAILED, EXIT_OK, Commands, open_existing_store
from pos.config import Settings
from pos.i18n import ngettext

NAME = "quarantine"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos quarantine list|release|destroy`` to the command's subparsers."""
    quarantine = commands.add_parser(
        NAME, help="returned units held apart: list, release to sale, destroy"
    )
    what = quarantine.add_subparsers(dest="what", metavar="WHAT", required=True)
    what.add_parser("list", parents=[common], help="items waiting for a decision")
    for name, help_text in (
        ("release", "back on sale, into its lot (intact package, lot not expired)"),
        ("destroy", "written off: destroyed or sent back to the supplier"),
    ):
        sub = what.add_parser(name, parents=[common], help=help_text)
        sub.add_argument("item_id", metavar="ID", type=int)
        sub.add_argument("--by", required=True, metavar="USER", help="who decides")
        sub.add_argument("--note", default="", help="why (kept with the item)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos quarantine …``."""
    from pos.domain.returns import quarantine
    from pos.domain.sales.codes import InputError
    from pos.models import Product

    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    zone = ZoneInfo(settings.store.timezone)
    now = datetime.now(UTC)
    try:
        with sessions.begin() as session:
            if args.what == "list":
                for item in quarantine.held(session):
                    product = session.get_one(Product, item.product_id)
                    when = item.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                    lot = item.lot_number or "-"
                    print(f"{item.id}\t{product.sku}\t{product.name}\t{lot}\t{item.qty}\t{when}")
                return EXIT_OK
            if args.what == "release":
                item = quarantine.release(
                    session, args.item_id, args.by, now, now.astimezone(zone).date(), args.note
                )
                back = ngettext(
                    "Item {id}: {n} unit back on sale",
                    "Item {id}: {n} units back on sale",
                    item.qty,
                )
                print(back.format(id=item.id, n=item.qty))
            else:
                item = quarantine.destroy(session, args.item_id, args.by, now, args.note)
                off = ngettext(
                    "Item {id}: {n} unit written off", "Item {id}: {n} units written off", item.qty
                )
                print(off.format(id=item.id, n=item.qty))
    except InputError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
