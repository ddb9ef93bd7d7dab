"""``pos sync``: send this register's outbox to head office, fetch what it publishes
(docs/chain.md)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from pos.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Commands, database_missing
from pos.config import Settings
from pos.i18n import _, ngettext

if TYPE_CHECKING:
    from pos.sync.runner import PullProgress

NAME = "sync"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos sync``."""
    sync = commands.add_parser(
        NAME,
        parents=[common],
        help="send this register's outbox to head office, then fetch members, points, "
        "catalogue, prices and promotions",
    )
    sync.add_argument(
        "--hq", metavar="URL", help="head office: postgresql://USER:PASSWORD@HOST/DB "
        "(default: [sync] hq_url)"
    )  # fmt: skip


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos sync``."""
    from datetime import timedelta

    from pos.cli.progress import Progress
    from pos.store.bootstrap import open_store
    from pos.sync import central, runner
    from pos.sync.background import link_of

    url = getattr(args, "hq", None) or settings.sync.hq_url
    if not url:
        print(_("No head office: give --hq URL or set [sync] hq_url"), file=sys.stderr)
        return EXIT_USAGE
    if database_missing(settings):
        return EXIT_FAILED
    try:
        engine = central.make_hq_engine(url, link_of(settings.sync))
    except central.HqUrlError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    _engine, sessions = open_store(settings)
    bar = Progress(unit=_("items"))
    names = {"member": _("members"), "product": _("products"), "promotion": _("promotions")}

    def show(progress: PullProgress) -> None:
        what = names.get(progress.feed, progress.feed)
        bar.show(_("Fetching {what}").format(what=what), progress.done, progress.total)

    try:
        report = runner.sync(
            sessions,
            engine,
            settings.store.code,
            settings.register.id,
            page_size=settings.sync.page_size,
            progress=show if bar.drawn else None,
            retention=timedelta(days=settings.sync.outbox_retention_days),
        )
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
        bar.close()
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
