"""``pos suggestions rebuild``: mine add-on pairings from the stored sales.

The database modules are imported when the command runs, so ``pos --help`` stays quick.
The run draws a progress bar on standard error when it is a terminal.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from pos.cli.common import EXIT_FAILED, EXIT_OK, Commands, open_existing_store
from pos.config import Settings
from pos.i18n import _

NAME = "suggestions"


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number above 0 and at most 1: {text!r}")
    return value


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos suggestions rebuild``."""
    suggestions = commands.add_parser(NAME, help="learned add-on pairings")
    what = suggestions.add_subparsers(dest="what", metavar="WHAT", required=True)
    rebuild = what.add_parser(
        "rebuild", parents=[common], help="mine association rules from the stored sales"
    )
    rebuild.add_argument(
        "--min-support", type=_share, metavar="S",
        help="least share of all sales holding both sides (default 0.0005)",
    )  # fmt: skip
    rebuild.add_argument(
        "--min-confidence", type=_share, metavar="C",
        help="least share of the trigger's sales holding the product (default 0.5)",
    )  # fmt: skip


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos suggestions rebuild``."""
    from pos.cli.progress import Progress
    from pos.domain.suggestions.mining import MIN_CONFIDENCE, MIN_SUPPORT, mine_store, replace_rules

    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    bar = Progress(unit=_("sales"))
    read = [0]

    def progress(done: int, total: int) -> None:
        read[0] = done
        bar.show(_("Mining"), done, total)

    started = time.monotonic()
    try:
        with sessions() as session:  # reading every sale takes no write lock
            rules = mine_store(
                session,
                MIN_SUPPORT if args.min_support is None else args.min_support,
                MIN_CONFIDENCE if args.min_confidence is None else args.min_confidence,
                progress,
            )
    finally:
        bar.close()
    with sessions.begin() as session:  # the old rules replaced in one short transaction
        replace_rules(session, rules, datetime.now(UTC))
    antecedents = len({rule.antecedent for rule in rules})
    print(
        _("{rules} rules for {antecedents} triggers from {sales} sales in {s:.1f} s").format(
            rules=len(rules), antecedents=antecedents, sales=read[0], s=time.monotonic() - started
        )
    )
    return EXIT_OK
