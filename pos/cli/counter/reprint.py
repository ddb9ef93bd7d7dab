"""``pos reprint SALE_NUMBER``: print a copy (COPY / 重印) of a stored sale."""

from __future__ import annotations

import argparse
import sys

from pos.cli.common import EXIT_FAILED, Commands, open_existing_store
from pos.cli.counter.printer import print_now, printer_options
from pos.config import Settings
from pos.i18n import _

NAME = "reprint"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos reprint``."""
    reprint = commands.add_parser(
        NAME, parents=[printer_options(common)], help="print a copy (COPY / 重印) of a stored sale"
    )
    reprint.add_argument("number", metavar="SALE_NUMBER", help="e.g. S001-01-20260310-0001")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos reprint``."""
    from pos.domain.printing.printing import build_receipt, find_sale
    from pos.register.setup import RegisterRules

    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    with sessions() as session:
        sale = find_sale(session, args.number)
        if sale is None:
            print(_("No sale numbered {number}").format(number=args.number), file=sys.stderr)
            return EXIT_FAILED
        receipt = build_receipt(
            session, sale, RegisterRules.from_settings(settings).printing, copy=True
        )
    return print_now(receipt, settings)
