"""Add-on suggestions from the command line: ``pos import pairings|sales``,
``pos suggestions rebuild`` and ``pos report suggestions``.

The database modules are imported when a command runs, so ``pos --help`` stays quick.
Long runs draw a progress bar on standard error when it is a terminal.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from pos.cli_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from pos.config import Settings
from pos.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from pos.transfer.sales_import import SalesImportReport, SalesProgress


def add_import_parsers(
    what: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``pos import pairings`` and ``pos import sales`` to the import subcommands."""
    pairings_help = "add-on pairings CSV: trigger,suggest_sku,reason"
    sub = what.add_parser(
        "pairings", parents=[common], help=pairings_help, description=pairings_help
    )
    sub.add_argument("file", metavar="FILE.csv", type=Path)
    sub.add_argument("--skip-bad", action="store_true", help="import good rows, report bad")
    sales_help = "past sales, as JSON lines from 'pos export sales' (history: stock does not move)"
    sub = what.add_parser("sales", parents=[common], help=sales_help, description=sales_help)
    sub.add_argument("file", metavar="FILE.jsonl", type=Path)
    sub.add_argument("--skip-bad", action="store_true", help="import good lines, report bad")


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number above 0 and at most 1: {text!r}")
    return value


def add_suggestion_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``pos suggestions rebuild`` and ``pos report suggestions``."""
    suggestions = commands.add_parser("suggestions", help="learned add-on pairings")
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
    report = commands.add_parser("report", help="reports")
    what = report.add_subparsers(dest="what", metavar="WHAT", required=True)
    attach = what.add_parser(
        "suggestions", parents=[common], help="attach rate of add-on suggestions"
    )
    attach.add_argument("--since", metavar="YYYY-MM-DD", help="only suggestions shown from then")
    attach.add_argument("--format", choices=("text", "csv"), default="text")


class ProgressBar:
    """A one-line progress bar, drawn only when ``stream`` is a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._on = self._stream.isatty()
        self._drawn = False

    def show(self, label: str, done: int, total: int, count: str) -> None:
        """Draw ``label``, a bar of ``done``/``total`` and ``count``."""
        if not self._on:
            return
        share = min(1.0, done / total) if total else 1.0
        filled = int(share * 30)
        bar = "#" * filled + "." * (30 - filled)
        self._stream.write(f"\r{label} [{bar}] {share:4.0%} {count}\x1b[K")
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the bar's line."""
        if self._drawn:
            self._stream.write("\n")
            self._drawn = False


def _no_database(settings: Settings) -> bool:
    if settings.database_path.exists():
        return False
    print(_("No database at {path}").format(path=settings.database_path), file=sys.stderr)
    return True


def run_import_sales(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos import sales FILE.jsonl`` (streamed, with a progress bar)."""
    from pos.store.bootstrap import open_store

    if not args.file.is_file():
        print(
            _("Cannot read {file}: {error}").format(file=args.file, error="not a file"),
            file=sys.stderr,
        )
        return EXIT_FAILED
    _engine, sessions = open_store(settings)
    return _import_sales(args.file, args.skip_bad, sessions)


def _import_sales(path: Path, skip_bad: bool, sessions: sessionmaker[Session]) -> int:
    from pos.transfer.import_common import chunked
    from pos.transfer.sales_import import import_sales

    bar = ProgressBar()

    def progress(step: SalesProgress) -> None:
        count = _("{n} sales").format(n=f"{step.sales:,}")
        label = _("Checking") if step.checking else _("Importing")
        bar.show(label, step.done_bytes, step.total_bytes, count)

    started = time.monotonic()
    try:
        with chunked(sessions) as (session, chunks):
            report = import_sales(session, path, skip_bad, progress, chunks)
    finally:
        bar.close()
    for line in _describe_sales(report, time.monotonic() - started):
        print(line, file=sys.stderr if report.errors or report.warnings else sys.stdout)
    return EXIT_FAILED if report.errors else EXIT_OK


def _describe_sales(report: SalesImportReport, seconds: float) -> list[str]:
    lines = [*report.warnings, *(str(error) for error in report.errors)]
    if report.applied:
        lines.append(
            _(
                "{created} sales imported, {duplicates} already stored (skipped), in {s:.1f} s"
            ).format(created=report.created, duplicates=report.duplicates, s=seconds)
        )
    else:
        lines.append(
            _("Nothing imported: {n} bad line(s); fix them or use --skip-bad").format(
                n=len(report.errors)
            )
        )
    return lines


def run_suggestions(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos suggestions rebuild``."""
    from pos.domain.suggestions.mining import MIN_CONFIDENCE, MIN_SUPPORT, mine_store, replace_rules
    from pos.store.bootstrap import open_store

    if _no_database(settings):
        return EXIT_FAILED
    _engine, sessions = open_store(settings)
    bar = ProgressBar()
    read = [0]

    def progress(done: int, total: int) -> None:
        read[0] = done
        bar.show(_("Mining"), done, total, _("{n} sales").format(n=f"{done:,}"))

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


def run_report(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos report suggestions``."""
    from pos.domain.suggestions.suggestion_report import report_csv, report_text, suggestion_report
    from pos.store.bootstrap import open_store

    since = None
    if args.since:
        try:
            day = date.fromisoformat(args.since) if len(args.since) == 10 else None
        except ValueError:
            day = None
        if day is None:
            print(
                _("--since is not a date YYYY-MM-DD: {value}").format(value=args.since),
                file=sys.stderr,
            )
            return EXIT_USAGE
        since = datetime.combine(day, datetime.min.time(), ZoneInfo(settings.store.timezone))
    if _no_database(settings):
        return EXIT_FAILED
    _engine, sessions = open_store(settings)
    with sessions() as session:
        report = suggestion_report(session, since)
    if args.format == "csv":
        sys.stdout.write(report_csv(report))
    else:
        for line in report_text(report):
            print(line)
    return EXIT_OK
