"""``pos import promotions FILE.toml``: create or update promotions by id.

The database modules are imported when the command runs, so ``pos --help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pos.config import Settings
from pos.i18n import _

EXIT_OK, EXIT_FAILED = 0, 1
HELP = (
    "promotions: [[promotion]] tables (percent, fixed_price, buy_x_get_y, nth_discount, "
    "spend_threshold, member_day, gift)"
)


def add_promotions_parser(
    imports: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``promotions`` to the subparsers of ``pos import``."""
    sub = imports.add_parser("promotions", parents=[common], help=HELP, description=HELP)
    sub.add_argument("file", metavar="FILE.toml", type=Path)
    sub.add_argument("--skip-bad", action="store_true", help="import good entries, report bad")


def run_import_promotions(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos import promotions``: 0 done, 1 if the file is unreadable or any entry bad."""
    from pos.bootstrap import open_store
    from pos.services.codes import InputError
    from pos.services.import_common import describe
    from pos.services.promotion_import import import_promotions

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(
            _("Cannot read {file}: {error}").format(file=args.file, error=exc.strerror),
            file=sys.stderr,
        )
        return EXIT_FAILED
    _engine, sessions = open_store(settings)
    try:
        with sessions.begin() as session:
            report = import_promotions(session, data, args.skip_bad)
    except InputError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for line in describe(report):
        print(line, file=sys.stderr if report.errors or report.warnings else sys.stdout)
    return EXIT_FAILED if report.errors else EXIT_OK
