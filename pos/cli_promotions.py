"""``pos import promotions FILE.toml``: its parser (the import runs in ``pos.cli``)."""

from __future__ import annotations

import argparse
from pathlib import Path

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
