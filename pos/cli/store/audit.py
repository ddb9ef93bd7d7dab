"""``pos audit verify|list``: check the audit log's hash chain, show its newest events."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pos.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Commands, database_missing
from pos.config import Settings
from pos.i18n import _

if TYPE_CHECKING:
    from pos.domain.staff.audit import Verification


NAME = "audit"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos audit verify|list`` to the command's subparsers."""
    audit = commands.add_parser(NAME, help="the audit log: verify its chain, list events")
    what = audit.add_subparsers(dest="what", metavar="WHAT", required=True)
    check = what.add_parser(
        "verify",
        parents=[common],
        help="check every row's hash and the anchors; name the first broken row",
    )
    check.add_argument(
        "--anchor", metavar="EVENTS:HASH", action="append", default=[],
        help="also check against this head (from a Z report, a backup's manifest or head "
        "office; at least 16 hex digits of the hash)",
    )  # fmt: skip
    show = what.add_parser("list", parents=[common], help="the newest events, newest first")
    show.add_argument("--limit", type=int, default=50, metavar="N")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos audit …``."""
    from pos.domain.staff import audit
    from pos.store.bootstrap import open_store

    if database_missing(settings):
        return EXIT_FAILED
    if args.what == "verify":
        try:
            given = [audit.parse_anchor(text) for text in args.anchor]
        except ValueError as exc:
            print(
                _("Not an anchor (EVENTS:HASH, 16 or more hex digits): {text}").format(text=exc),
                file=sys.stderr,
            )
            return EXIT_USAGE
    _engine, sessions = open_store(settings)
    with sessions() as session:
        if args.what == "verify":
            return _report(audit.verify(session, audit.session_key(session), given), settings)
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


def _report(result: Verification, settings: Settings) -> int:
    """Print what :func:`pos.domain.staff.audit.verify` found; the exit code."""
    from pos.domain.staff import audit

    if result.broken_id is not None:
        print(
            _("Audit log broken at event {id}: {reason} ({n} events before it are intact)").format(
                id=result.broken_id, reason=_(result.reason), n=result.checked
            ),
            file=sys.stderr,
        )
        if result.reason == audit.KEY_MISSING:
            print(_("The store key file: {path}").format(path=settings.key_path), file=sys.stderr)
        return EXIT_FAILED
    mark = result.anchor
    if mark is not None:
        zone = ZoneInfo(settings.store.timezone)
        when = f"{mark.at.astimezone(zone):%Y-%m-%d %H:%M:%S}" if mark.at else "-"
        print(
            _("Audit log does not match the {source} anchor of {when}: {reason}").format(
                source=_(audit.SOURCES.get(mark.source, mark.source)),
                when=when,
                reason=_(result.anchor_reason).format(events=mark.events, n=result.checked),
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(_("Audit log intact: {n} events checked").format(n=result.checked))
    print(_("Anchors checked: {n}").format(n=result.anchors))
    return EXIT_OK
