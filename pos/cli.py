"""The ``pos`` command: run the register, set up a store, import and export.

Exit codes: 0 done, 1 a reported failure, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from pos import __version__, i18n
from pos.cli_audit import add_audit_parser, run_audit
from pos.cli_bench import add_bench_parser, run_bench
from pos.cli_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from pos.cli_members import add_member_parser, run_member
from pos.cli_promotions import add_promotions_parser
from pos.cli_quarantine import add_quarantine_parser, run_quarantine
from pos.cli_reports import (
    DAILY_REPORT,
    RANGE_REPORT,
    RESTRICTED_REPORT,
    add_report_parsers,
    run_report_days,
    run_report_restricted,
)
from pos.cli_shifts import add_shift_parsers, run_backup, run_restore, run_shift
from pos.cli_suggestions import (
    add_import_parsers,
    add_suggestion_parsers,
    run_import_sales,
    run_report,
    run_suggestions,
)
from pos.cli_sync import add_sync_parsers, run_hq, run_sync
from pos.cli_users import add_user_parser, run_user
from pos.config import ConfigError, Settings, load_settings
from pos.i18n import _
from pos.store.store_key import StoreKeyError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    import printer


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pos`` and its subcommands."""
    # The same options are accepted before and after the subcommand; after it,
    # they default to "not given" so they never overwrite the ones given before.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--config", metavar="PATH", help="configuration file (TOML)")
    common.add_argument("--db", metavar="PATH", help="store database (SQLite file)")

    parser = argparse.ArgumentParser(
        prog="pos",
        description=(
            "Pharmacy register: sell at the counter, set up a store, import and export, "
            "print receipts."
        ),
        epilog="Without a command, 'pos' runs the register. Exit codes: 0 done, "
        "1 a reported failure, 2 usage or configuration error.",
    )
    parser.add_argument("--config", metavar="PATH", help="configuration file (TOML)")
    parser.add_argument("--db", metavar="PATH", help="store database (SQLite file)")
    parser.add_argument(
        "--printer",
        metavar="URI",
        help="receipt printer: tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyUSB0, "
        "file:///PATH or none",
    )
    parser.add_argument("--version", action="version", version=f"pos {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", parents=[common], help="start the register (the default)")
    run.add_argument(
        "--printer", metavar="URI", default=argparse.SUPPRESS, help="receipt printer URI"
    )

    init = commands.add_parser("init", parents=[common], help="create or upgrade a store database")
    init.add_argument("--demo", action="store_true", help="load the demo store into it")

    imports = commands.add_parser(
        "import",
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
    guidance_help = "medication guidance: [[guidance]] tables keyed sku:, ingredient: or category:"
    sub = what.add_parser(
        "guidance", parents=[common], help=guidance_help, description=guidance_help
    )
    sub.add_argument("file", metavar="FILE.toml", type=Path)
    sub.add_argument("--skip-bad", action="store_true", help="import good entries, report bad")
    add_promotions_parser(what, common)
    add_import_parsers(what, common)

    exports = commands.add_parser("export", help="export sales, stock, quarantine or members")
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
    add_member_parser(commands, common)
    add_user_parser(commands, common)
    add_audit_parser(commands, common)
    add_quarantine_parser(commands, common)
    add_suggestion_parsers(commands, common)
    add_shift_parsers(commands, common)
    add_report_parsers(commands, common)
    add_bench_parser(commands, common)
    add_sync_parsers(commands, common)

    with_printer = argparse.ArgumentParser(add_help=False, parents=[common])
    with_printer.add_argument(
        "--printer", metavar="URI", default=argparse.SUPPRESS, help="receipt printer URI"
    )
    printers = commands.add_parser("printer", help="the receipt printer")
    what = printers.add_subparsers(dest="what", metavar="WHAT", required=True)
    what.add_parser(
        "test",
        parents=[with_printer],
        help="print a test page (Chinese and English, a QR code, the URI and encoding)",
    )
    reprint = commands.add_parser(
        "reprint", parents=[with_printer], help="print a copy (COPY / 重印) of a stored sale"
    )
    reprint.add_argument("number", metavar="SALE_NUMBER", help="e.g. S001-01-20260310-0001")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pos`` console script."""
    args = build_parser().parse_args(argv)
    try:
        overrides: dict[str, dict[str, str]] = {}
        if args.db:
            overrides["register"] = {"database": args.db}
        if getattr(args, "printer", None):
            overrides["printer"] = {"uri": args.printer}
        settings = load_settings(args.config, **overrides)
    except ConfigError as exc:
        print(_("Configuration error: {error}").format(error=exc), file=sys.stderr)
        return EXIT_USAGE
    i18n.setup(settings.locale)
    handlers: dict[str | None, Callable[[argparse.Namespace, Settings], int]] = {
        None: _run,
        "run": _run,
        "init": _init,
        "import": _import,
        "export": _export,
        "printer": _printer_test,
        "reprint": _reprint,
        "member": run_member,
        "user": run_user,
        "suggestions": run_suggestions,
        "report": run_report,
        DAILY_REPORT: run_report_days,
        RANGE_REPORT: run_report_days,
        RESTRICTED_REPORT: run_report_restricted,
        "shift": run_shift,
        "backup": run_backup,
        "restore": run_restore,
        "bench": run_bench,
        "audit": run_audit,
        "quarantine": run_quarantine,
        "sync": run_sync,
        "hq": run_hq,
    }

    try:
        return handlers[args.command](args, settings)
    except StoreKeyError as exc:  # the audit log is signed with it: nothing runs without it
        print(_("Store key error: {error}").format(error=exc), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_FAILED
    except BrokenPipeError:
        return EXIT_OK


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from pos.startup import quiet_collector

    with quiet_collector():
        from pos.app import run_register

    return run_register(settings)


def _init(args: argparse.Namespace, settings: Settings) -> int:
    from pos.store.bootstrap import init_store

    message = init_store(settings, demo=args.demo)
    print(message)
    return EXIT_OK


def _import(args: argparse.Namespace, settings: Settings) -> int:
    if args.what == "sales":  # a streamed JSONL file, not read whole
        return run_import_sales(args, settings)
    from pos.domain.pharmacy.guidance import import_guidance
    from pos.domain.sales.codes import InputError
    from pos.domain.suggestions.pairings import import_pairings
    from pos.store.bootstrap import loyalty_rules, open_store
    from pos.transfer.import_common import Chunks, chunked
    from pos.transfer.imports import ImportReport, describe, import_products, import_stock
    from pos.transfer.member_import import import_members
    from pos.transfer.promotion_import import import_promotions

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(
            _("Cannot read {file}: {error}").format(file=args.file, error=exc.strerror),
            file=sys.stderr,
        )
        return EXIT_FAILED
    _engine, sessions = open_store(settings)
    tiers = [tier.name for tier in settings.loyalty.tiers]

    def importer(session: Session, data: bytes, skip_bad: bool, chunks: Chunks) -> ImportReport:
        if args.what == "members":
            store = settings.store
            now = datetime.now(UTC)
            return import_members(
                session, data, tiers, now, store.timezone, store.code, skip_bad, chunks,
                rules=loyalty_rules(settings),
            )  # fmt: skip
        if args.what == "guidance":
            return import_guidance(session, data, skip_bad, chunks)
        if args.what == "pairings":
            return import_pairings(session, data, skip_bad, chunks)
        if args.what == "promotions":  # a few dozen rules: one short transaction
            return import_promotions(session, data, skip_bad)
        if args.what == "products":
            return import_products(session, data, skip_bad, chunks)
        return import_stock(session, data, skip_bad, chunks=chunks)

    try:
        with chunked(sessions) as (session, chunks):
            report = importer(session, data, args.skip_bad, chunks)
    except InputError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for line in describe(report):
        print(line, file=sys.stderr if report.errors or report.warnings else sys.stdout)
    return EXIT_FAILED if report.errors else EXIT_OK


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from pos.store.bootstrap import open_store
    from pos.transfer.exports import (
        export_members_csv,
        export_members_jsonl,
        export_sales_csv,
        export_sales_jsonl,
        export_stock_csv,
    )
    from pos.transfer.return_exports import export_quarantine_csv

    since = None
    if args.what == "sales" and args.since:
        since = _parse_since(args.since, settings.store.timezone)
        if since is None:
            print(
                _("--since is not an ISO 8601 date or time: {value}").format(value=args.since),
                file=sys.stderr,
            )
            return EXIT_USAGE
    if not settings.database_path.exists():
        print(_("No database at {path}").format(path=settings.database_path), file=sys.stderr)
        return EXIT_FAILED
    _engine, sessions = open_store(settings)
    out = (args.output.open("w", encoding="utf-8", newline="") if args.output
           else sys.stdout)  # fmt: skip
    try:
        with sessions() as session:
            if args.what == "stock":
                chunks = export_stock_csv(session)
            elif args.what == "quarantine":
                chunks = export_quarantine_csv(session)
            elif args.what == "members":
                chunks = (export_members_csv if args.format == "csv" else export_members_jsonl)(
                    session
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
    csv_header = args.what in ("stock", "quarantine") or getattr(args, "format", "") == "csv"
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


def _printer_test(args: argparse.Namespace, settings: Settings) -> int:
    import printer

    page = printer.test_page(settings.printer.uri, settings.printer.encoding)
    return _print_now(page, settings)


def _reprint(args: argparse.Namespace, settings: Settings) -> int:
    from pos.domain.printing.printing import build_receipt, find_sale
    from pos.store.bootstrap import open_store, print_profile

    if not settings.database_path.exists():
        print(_("No database at {path}").format(path=settings.database_path), file=sys.stderr)
        return EXIT_FAILED
    _engine, sessions = open_store(settings)
    with sessions() as session:
        sale = find_sale(session, args.number)
        if sale is None:
            print(_("No sale numbered {number}").format(number=args.number), file=sys.stderr)
            return EXIT_FAILED
        receipt = build_receipt(session, sale, print_profile(settings), copy=True)
    return _print_now(receipt, settings)


def _print_now(receipt: printer.Receipt, settings: Settings) -> int:
    """Send ``receipt`` straight to the configured printer (``none``: show it).

    "Printed" only when the printer answered its status OK; otherwise the reason.
    """
    import printer

    config = settings.printer
    uri = printer.parse_printer_uri(config.uri)
    if isinstance(uri, printer.NoPrinter):
        print(printer.preview(receipt, printer.columns_for(config.paper_width)))
        return EXIT_OK
    data, substituted = printer.render(
        receipt, config.paper_width, config.encoding, config.chinese_commands
    )
    if substituted:
        print(
            _("The printer cannot print {chars}: a substitute is printed instead").format(
                chars=" ".join(substituted)
            ),
            file=sys.stderr,
        )
    try:
        printer.send(uri, data, config.timeout)  # returns once the printer confirmed it
    except printer.PrinterError as exc:
        print(_("Not printed: {error}").format(error=exc), file=sys.stderr)
        return EXIT_FAILED
    if isinstance(uri, printer.FileUri):
        print(_("Written to {uri} (a file cannot confirm printing)").format(uri=config.uri))
    else:
        print(_("Printed on {uri}").format(uri=config.uri))
    return EXIT_OK


def _parse_since(value: str, timezone: str) -> datetime | None:
    """A date means the start of that day in the store; a time without a zone is UTC."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time(), tzinfo=ZoneInfo(timezone))
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


if __name__ == "__main__":
    sys.exit(main())
