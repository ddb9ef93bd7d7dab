"""``pos audit verify|list``: check the audit log's hash chain, show its newest events."""

from __future__ import annotations

import argparse
import json
import sys
from zoneinfo import ZoneInfo

from pos.cli_codes import EXIT_FAILED, EXIT_OK
from pos.config import Settings
from pos.i18n import _


def add_audit_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``pos audit verify|list`` to the command's subparsers."""
    audit = commands.add_parser("audit", help="the audit log: verify its chain, list events")
    what = audit.add_subparsers(dest="what", metavar="WHAT", required=True)
    what.add_parser(
        "verify", parents=[common], help="check every row's hash; name the first broken row"
    )
    show = what.add_parser("list", parents=[common], help="the newest events, newest first")
    show.add_argument("--limit", type=int, default=50, metavar="N")


def run_audit(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos audit …``."""
    from pos.bootstrap import open_store
    from pos.services import audit

    if not settings.database_path.exists():
        print(_("No database at {path}").format(path=settings.database_path), file=sys.stderr)
        return EXIT_FAILED
    _engine, sessions = open_store(settings)
    with sessions() as session:
        if args.what == "verify":
            result = audit.verify(session)
            if result.ok:
                print(_("Audit log intact: {n} events checked").format(n=result.checked))
                return EXIT_OK
            print(
                _(
                    "Audit log broken at event {id}: {reason} ({n} events before it are intact)"
                ).format(id=result.broken_id, reason=_(result.reason), n=result.checked),
                file=sys.stderr,
            )
            return EXIT_FAILED
        zone = ZoneInfo(settings.store.timezone)
        for event in audit.recent(session, max(1, args.limit)):
            when = event.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
            detail = json.dumps(event.detail, ensure_ascii=False, sort_keys=True)
            approved = event.approved_by or "-"
            actor = event.actor or "-"
            print(
                f"{event.id}\t{when}\t{event.action}\t{actor}\t{approved}\t{event.subject}\t{detail}"
            )
    return EXIT_OK
