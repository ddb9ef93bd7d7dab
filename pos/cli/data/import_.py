"""``pos import KIND FILE``: products, stock, members, guidance, promotions, pairings and
past sales.

The importers are imported when the command runs, so ``pos --help`` stays quick. Past
sales are a streamed JSONL file with a progress bar on standard error (a terminal only).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pos.cli.common import EXIT_FAILED, EXIT_OK, Commands
from pos.config import Settings
from pos.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from pos.cli.progress import Progress
    from pos.transfer.import_common import Chunks
    from pos.transfer.imports import ImportReport
    from pos.transfer.sales_import import SalesImportReport, SalesProgress

NAME = "import"

PROMOTIONS_HELP = (
    "promotions: [[promotion]] tables (percent, fixed_price, buy_x_get_y, nth_discount, "
    "spend_threshold, member_day, gift)"
)


ERRORS_HELP = "write every bad row to FILE (CSV: line,field,value,message)"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos import products|stock|members|guidance|promotions|pairings|sales``."""
    imports = commands.add_parser(
        NAME,
        help="import products, stock, members, pairings (CSV), guidance, promotions (TOML) "
        "or past sales (JSONL)",
    )
    what = imports.add_subparsers(dest="what", metavar="WHAT", required=True)
    for name, help_text in (
        ("products", "products CSV: sku,barcodes,name,name_en,spec,manufacturer,unit,"
         "category,price,member_price,drug_class,ingredients"),
        ("stock", "stock CSV: sku,lot,expiry,quantity"),
        ("members", "members CSV: card_no,phone,name,gender,birthday,tier,points,enrolled_at"),
    ):  # fmt: skip
        sub = what.add_parser(name, parents=[common], help=help_text, description=help_text)
        sub.add_argument("file", metavar="FILE.csv", type=Path)
        sub.add_argument("--skip-bad", action="store_true", help="import good rows, report bad")
        sub.add_argument("--errors", metavar="FILE", type=Path, help=ERRORS_HELP)
    for name, help_text in (
        ("guidance", "medication guidance: [[guidance]] tables keyed sku:, ingredient: or "
         "category:"),
        ("promotions", PROMOTIONS_HELP),
    ):  # fmt: skip
        sub = what.add_parser(name, parents=[common], help=help_text, description=help_text)
        sub.add_argument("file", metavar="FILE.toml", type=Path)
        sub.add_argument("--skip-bad", action="store_true", help="import good entries, report bad")
        sub.add_argument("--errors", metavar="FILE", type=Path, help=ERRORS_HELP)
    pairings_help = "add-on pairings CSV: trigger,suggest_sku,reason"
    sub = what.add_parser(
        "pairings", parents=[common], help=pairings_help, description=pairings_help
    )
    sub.add_argument("file", metavar="FILE.csv", type=Path)
    sub.add_argument("--skip-bad", action="store_true", help="import good rows, report bad")
    sub.add_argument("--errors", metavar="FILE", type=Path, help=ERRORS_HELP)
    sales_help = "past sales, as JSON lines from 'pos export sales' (history: stock does not move)"
    sub = what.add_parser("sales", parents=[common], help=sales_help, description=sales_help)
    sub.add_argument("file", metavar="FILE.jsonl", type=Path)
    sub.add_argument("--skip-bad", action="store_true", help="import good lines, report bad")
    sub.add_argument("--errors", metavar="FILE", type=Path, help=ERRORS_HELP)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos import KIND FILE``; Ctrl+C stops it, saying what stays stored."""
    try:
        if args.what == "sales":  # a streamed JSONL file, not read whole
            return _run_sales(args, settings)
        return _run_kind(args, settings)
    except KeyboardInterrupt:
        print(
            _(
                "Import interrupted: what it had committed stays stored. Run the same import "
                "again to complete it (imports are keyed: no row is stored twice)."
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED


def _run_kind(args: argparse.Namespace, settings: Settings) -> int:
    """Import anything but sales."""
    from pos.cli.progress import Progress
    from pos.domain.sales.codes import InputError
    from pos.store.bootstrap import open_store
    from pos.transfer.import_common import chunked
    from pos.transfer.imports import describe

    try:  # members are streamed from the file, never read whole
        data = (
            args.file if args.what == "members" and args.file.is_file() else args.file.read_bytes()
        )
    except OSError as exc:
        print(
            _("Cannot read {file}: {error}").format(file=args.file, error=exc.strerror),
            file=sys.stderr,
        )
        return EXIT_FAILED
    _engine, sessions = open_store(settings)
    try:
        with Progress() as progress, chunked(sessions) as (session, chunks):
            report = _import(args.what, settings, session, data, args.skip_bad, chunks, progress)
    except InputError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return _finish(report, describe(report), args.errors)


def _finish(report: ImportReport, lines: Iterable[str], errors: Path | None) -> int:
    """Print what the import did (bad rows on standard error), write ``--errors FILE``."""
    from pos.transfer.import_common import write_errors

    for line in lines:
        print(line, file=sys.stderr if report.errors or report.warnings else sys.stdout)
    if errors is not None:
        try:
            write_errors(report.errors, errors)
        except OSError as exc:
            print(
                _("Cannot write {file}: {error}").format(file=errors, error=exc.strerror),
                file=sys.stderr,
            )
            return EXIT_FAILED
    return EXIT_FAILED if report.errors else EXIT_OK


def _import(
    what: str,
    settings: Settings,
    session: Session,
    data: bytes | Path,
    skip_bad: bool,
    chunks: Chunks,
    progress: Progress,
) -> ImportReport:
    """Import ``data`` of the kind ``what`` (anything but sales) in ``session``."""
    if what == "members":
        assert isinstance(data, Path)
        from pos.register.setup import RegisterRules
        from pos.transfer.member_import import import_members

        store = settings.store
        tiers = [tier.name for tier in settings.loyalty.tiers]
        now = datetime.now(UTC)
        return import_members(
            session, data, tiers, now, store.timezone, store.code, skip_bad, chunks,
            rules=RegisterRules.from_settings(settings).loyalty, progress=progress,
        )  # fmt: skip
    assert isinstance(data, bytes)
    if what == "guidance":
        from pos.domain.pharmacy.guidance import import_guidance

        return import_guidance(session, data, skip_bad, chunks)
    if what == "pairings":
        from pos.domain.suggestions.pairings import import_pairings

        return import_pairings(session, data, skip_bad, chunks)
    if what == "promotions":  # a few dozen rules: one short transaction
        from pos.transfer.promotion_import import import_promotions

        return import_promotions(session, data, skip_bad)
    from pos.transfer.imports import import_products, import_stock

    if what == "products":
        return import_products(session, data, skip_bad, chunks)
    return import_stock(session, data, skip_bad, chunks=chunks)


def _run_sales(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos import sales FILE.jsonl`` (streamed, with a progress bar)."""
    from pos.store.bootstrap import open_store

    if not args.file.is_file():
        print(
            _("Cannot read {file}: {error}").format(file=args.file, error="not a file"),
            file=sys.stderr,
        )
        return EXIT_FAILED
    _engine, sessions = open_store(settings)
    return _import_sales(args.file, args.skip_bad, sessions, args.errors)


def _import_sales(
    path: Path, skip_bad: bool, sessions: sessionmaker[Session], errors: Path | None = None
) -> int:
    from pos.cli.progress import Progress
    from pos.transfer.import_common import chunked
    from pos.transfer.sales_import import import_sales

    bar = Progress(unit="KB")

    def progress(step: SalesProgress) -> None:
        label = _("Checking") if step.checking else _("Importing")
        bar.show(label, step.done_bytes // 1024, step.total_bytes // 1024)

    started = time.monotonic()
    with bar, chunked(sessions) as (session, chunks):
        report = import_sales(session, path, skip_bad, progress, chunks)
    return _finish(report, _describe_sales(report, time.monotonic() - started), errors)


def _describe_sales(report: SalesImportReport, seconds: float) -> list[str]:
    from pos.transfer.import_common import printed_errors

    lines = [*report.warnings, *printed_errors(report.errors)]
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
