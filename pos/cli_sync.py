"""``pos sync`` and ``pos hq init|publish``: head office on PostgreSQL (docs/chain.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from pos.cli_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from pos.config import Settings
from pos.i18n import _, ngettext


def add_sync_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``pos sync`` and ``pos hq init|publish`` to the command's subparsers."""
    sync = commands.add_parser(
        "sync",
        parents=[common],
        help="send this register's outbox to head office, then fetch members, points, "
        "catalogue, prices and promotions",
    )
    sync.add_argument(
        "--hq", metavar="URL", help="head office: postgresql://USER:PASSWORD@HOST/DB "
        "(default: [sync] hq_url)"
    )  # fmt: skip
    hq = commands.add_parser("hq", help="head office's central PostgreSQL database")
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
    for sub in (init, publish):
        sub.add_argument("--url", metavar="URL", help="postgresql://USER:PASSWORD@HOST/DB")


def run_sync(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos sync``."""
    from pos.store.bootstrap import open_store
    from pos.sync import central, runner

    url = getattr(args, "hq", None) or settings.sync.hq_url
    if not url:
        print(_("No head office: give --hq URL or set [sync] hq_url"), file=sys.stderr)
        return EXIT_USAGE
    if not settings.database_path.exists():
        print(_("No database at {path}").format(path=settings.database_path), file=sys.stderr)
        return EXIT_FAILED
    try:
        engine = central.make_hq_engine(url)
    except central.HqUrlError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    _engine, sessions = open_store(settings)
    try:
        report = runner.sync(sessions, engine, settings.store.code, settings.register.id)
    except runner.SyncFailed as exc:
        waiting = runner.status(sessions).waiting
        print(
            ngettext(
                "Head office unreachable: {error}. {n} item waits; nothing was lost",
                "Head office unreachable: {error}. {n} items wait; nothing was lost",
                waiting,
            ).format(error=exc, n=waiting),
            file=sys.stderr,
        )
        return EXIT_FAILED
    finally:
        engine.dispose()
    print(
        _(
            "Sent {pushed} item(s) ({applied} new at head office); fetched {members} member(s), "
            "{products} product(s), {promotions} promotion(s); {waiting} waiting"
        ).format(
            pushed=report.pushed,
            applied=report.applied,
            members=report.members,
            products=report.products,
            promotions=report.promotions,
            waiting=report.waiting,
        )
    )
    return EXIT_OK


def run_hq(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos hq init|publish``."""
    from sqlalchemy.exc import SQLAlchemyError

    from pos.migrations import HEAD_REVISION
    from pos.sync import central

    url = getattr(args, "url", None) or settings.sync.hq_url
    if not url:
        print(_("No head office: give --url URL or set [sync] hq_url"), file=sys.stderr)
        return EXIT_USAGE
    try:
        engine = central.make_hq_engine(url)
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
        return _publish(settings, engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(_("Head office unreachable: {error}").format(error=reason), file=sys.stderr)
        return EXIT_FAILED
    finally:
        engine.dispose()


def _publish(settings: Settings, engine: object) -> int:
    from sqlalchemy import Engine

    from pos.store.bootstrap import open_store
    from pos.sync import catalogue, central

    assert isinstance(engine, Engine)
    if not settings.database_path.exists():
        print(_("No database at {path}").format(path=settings.database_path), file=sys.stderr)
        return EXIT_FAILED
    _engine, sessions = open_store(settings)
    with sessions() as session:
        products = catalogue.product_rows(session, None)
        promotions = catalogue.promotion_rows(session, None)
    now = datetime.now(UTC)
    with central.hq_sessions(engine).begin() as hq:
        changed = catalogue.apply_products(hq, products, now)
        offers = catalogue.apply_promotions(hq, promotions, now)
    print(
        _("Published {products} changed product(s) and {promotions} promotion(s)").format(
            products=changed, promotions=offers
        )
    )
    return EXIT_OK
