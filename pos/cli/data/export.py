"""``pos export sales|stock|quarantine|members|adr``: CSV or JSON lines, recorded in the audit
log."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pos.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    Commands,
    open_existing_store,
    parse_since,
)
from pos.config import Settings
from pos.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from pos.transfer.exports import Segmenter

NAME = "export"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos export sales|stock|quarantine|members|adr``."""
    exports = commands.add_parser(
        NAME, help="export sales, stock, quarantine, members or adverse reactions"
    )
    what = exports.add_subparsers(dest="what", metavar="WHAT", required=True)
    sales = what.add_parser("sales", parents=[common], help="completed sales (JSON lines or CSV)")
    sales.add_argument("--since", metavar="ISO-8601", help="only sales completed at or after")
    sales.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    sales.add_argument("--output", "-o", metavar="FILE", type=Path, help="write here, not stdout")
    stock = what.add_parser("stock", parents=[common], help="lots on hand: sku,lot,expiry,quantity")
    stock.add_argument("--output", "-o", metavar="FILE", type=Path, help="write here, not stdout")
    held = what.add_parser(
        "quarantine", parents=[common], help="returned units held apart, not for sale (CSV)"
    )
    held.add_argument("--output", "-o", metavar="FILE", type=Path, help="write here, not stdout")
    roll = what.add_parser("members", parents=[common], help="members (JSON lines or CSV)")
    roll.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    roll.add_argument("--output", "-o", metavar="FILE", type=Path, help="write here, not stdout")
    adr = what.add_parser(
        "adr",
        parents=[common],
        help="suspected adverse drug reactions, as the national report form asks (CSV)",
    )
    adr.add_argument("--since", metavar="ISO-8601", help="only reactions recorded at or after")
    adr.add_argument("--output", "-o", metavar="FILE", type=Path, help="write here, not stdout")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos export …``."""
    from pos.domain.aftercare.adverse import export_csv as export_adr_csv
    from pos.transfer.exports import (
        export_members_csv,
        export_members_jsonl,
        export_sales_csv,
        export_sales_jsonl,
        export_stock_csv,
    )
    from pos.transfer.return_exports import export_quarantine_csv

    since = None
    if args.what in ("sales", "adr") and args.since:
        since = parse_since(args.since, settings.store.timezone)
        if since is None:
            print(
                _("--since is not an ISO 8601 date or time: {value}").format(value=args.since),
                file=sys.stderr,
            )
            return EXIT_USAGE
    sessions = open_existing_store(settings)
    if sessions is None:
        return EXIT_FAILED
    out = (args.output.open("w", encoding="utf-8", newline="") if args.output
           else sys.stdout)  # fmt: skip
    try:
        with sessions() as session:
            if args.what == "stock":
                chunks = export_stock_csv(session)
            elif args.what == "quarantine":
                chunks = export_quarantine_csv(session)
            elif args.what == "adr":
                chunks = export_adr_csv(session, since, timezone=settings.store.timezone)
            elif args.what == "members":
                chunks = (export_members_csv if args.format == "csv" else export_members_jsonl)(
                    session, _segmenter(settings)
                )
            elif args.format == "csv":
                chunks = export_sales_csv(session, since)
            else:
                chunks = export_sales_jsonl(session, since)
            lines = 0
            for chunk in chunks:
                out.write(chunk)
                lines += chunk.count("\n")
    finally:
        if args.output:
            out.close()
    csv_header = args.what in ("stock", "quarantine", "adr") or getattr(args, "format", "") == "csv"
    _audit_export(sessions, args.what, lines - 1 if csv_header and lines else lines, args.output)
    return EXIT_OK


def _audit_export(
    sessions: sessionmaker[Session], what: str, rows: int, output: Path | None
) -> None:
    """Record the export in the audit log: what, how many rows, the file's name only."""
    from pos.domain.staff import audit

    with sessions.begin() as session:
        audit.record(
            session,
            "export",
            at=datetime.now(UTC),
            subject=what,
            detail={"what": what, "rows": rows, "file": output.name if output else "-"},
        )


def _segmenter(settings: Settings) -> Segmenter:
    """Members' segments as of today in the store."""
    from pos.register.setup import RegisterRules
    from pos.transfer.exports import Segmenter

    zone = settings.store.timezone
    today = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
    return Segmenter(today, zone, RegisterRules.from_settings(settings).care.segments)
