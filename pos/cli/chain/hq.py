"""``pos hq init|publish|registers``: head office's central PostgreSQL database
(docs/chain.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pos.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Commands, open_existing_store
from pos.config import Settings
from pos.i18n import _

if TYPE_CHECKING:
    from sqlalchemy import Engine

NAME = "hq"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos hq init|publish|registers``."""
    hq = commands.add_parser(NAME, help="head office's central PostgreSQL database")
    what = hq.add_subparsers(dest="what", metavar="WHAT", required=True)
    init = what.add_parser(
        "init", parents=[common], help="create or upgrade the central database (migrations)"
    )
    publish = what.add_parser(
        "publish",
        parents=[common],
        help="send the catalogue, prices and promotions of a store database (--db) "
        "to head office, for every register to fetch",
    )
    registers = what.add_parser(
        "registers",
        parents=[common],
        help="every register of the chain: version, last push, last pull, items waiting, "
        "clock skew; a warning for any register silent too long",
    )
    registers.add_argument(
        "--silent-minutes",
        type=int,
        metavar="N",
        help="warn about registers not heard of for N minutes (default: [sync] "
        "silent_warning_minutes)",
    )
    for sub in (init, publish, registers):
        sub.add_argument("--url", metavar="URL", help="postgresql://USER:PASSWORD@HOST/DB")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos hq init|publish|registers``."""
    from sqlalchemy.exc import SQLAlchemyError

    from pos.migrations import HEAD_REVISION
    from pos.sync import central
    from pos.sync.background import link_of

    url = getattr(args, "url", None) or settings.sync.hq_url
    if not url:
        print(_("No head office: give --url URL or set [sync] hq_url"), file=sys.stderr)
        return EXIT_USAGE
    try:
        engine = central.make_hq_engine(
            url, central.ADMIN_LINK if args.what == "init" else link_of(settings.sync)
        )
    except central.HqUrlError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.what == "init":
            before = central.init_hq(engine)
            print(
                _("Head office database at revision {head} (was {before})").format(
                    head=HEAD_REVISION, before=before or _("empty")
                )
            )
            return EXIT_OK
        if args.what == "registers":
            minutes = args.silent_minutes or settings.sync.silent_warning_minutes
            return _registers(engine, minutes)
        return _publish(settings, engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(_("Head office unreachable: {error}").format(error=reason), file=sys.stderr)
        return EXIT_FAILED
    finally:
        engine.dispose()


def _publish(settings: Settings, engine: Engine) -> int:
    from pos.sync import catalogue, central

    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    with sessions() as session:
        products = catalogue.product_rows(session, None)
        promotions = catalogue.promotion_rows(session, None)
    with central.hq_sessions(engine).begin() as hq:
        now = central.hq_now(hq)  # head office's clock, never this PC's
        changed = catalogue.apply_products(hq, products, now)
        offers = catalogue.apply_promotions(hq, promotions, now)
    print(
        _("Published {products} changed product(s) and {promotions} promotion(s)").format(
            products=changed, promotions=offers
        )
    )
    return EXIT_OK


SKEW_WARNING_SECONDS = 120
"""A register whose clock is off by more than this is pointed out (NTP, docs/chain.md)."""


def _registers(engine: Engine, silent_minutes: int) -> int:
    from datetime import timedelta

    from pos.sync import central

    with central.hq_sessions(engine)() as hq:
        now = central.hq_now(hq)
        rows = central.registers(hq)
    if not rows:
        print(_("No register has reported to head office yet"))
        return EXIT_OK
    print(
        f"{_('Store'):<8} {_('Register'):<8} {_('Version'):<10} {_('Last push'):<17} "
        f"{_('Last pull'):<17} {_('Waiting'):>7} {_('Clock skew'):>10}"
    )
    silent = 0
    for row in rows:
        line = (
            f"{row.store_code:<8} {row.register_id:<8} {row.version:<10} "
            f"{_when(row.last_push_at):<17} {_when(row.last_pull_at):<17} "
            f"{row.waiting:>7} {row.clock_skew_seconds:>+9.0f}s"
        )
        notes = []
        if now - row.reported_at > timedelta(minutes=silent_minutes):
            silent += 1
            notes.append(
                _("silent for {minutes} min").format(
                    minutes=int((now - row.reported_at).total_seconds() // 60)
                )
            )
        if abs(row.clock_skew_seconds) > SKEW_WARNING_SECONDS:
            notes.append(_("clock off"))
        print(line + ("  " + _("WARNING: {notes}").format(notes=", ".join(notes)) if notes else ""))
    if silent:
        print(
            _("{n} register(s) silent for more than {minutes} min").format(
                n=silent, minutes=silent_minutes
            ),
            file=sys.stderr,
        )
    return EXIT_OK


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment is not None else "-"
