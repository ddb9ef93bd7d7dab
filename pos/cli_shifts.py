"""Shifts and backups from the command line.

``pos shift open|cash-in|cash-out|x|close``, ``pos backup`` and
``pos restore``. The database modules are imported when a command runs, so
``pos --help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pos.cli_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from pos.config import Settings
from pos.i18n import _


def add_shift_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``pos shift …``, ``pos report daily``, ``pos backup`` and ``pos restore``."""
    shift = commands.add_parser("shift", help="cash shifts: float, cash in/out, X and Z reports")
    what = shift.add_subparsers(dest="what", metavar="WHAT", required=True)
    opening = what.add_parser("open", parents=[common], help="open a shift with a cash float")
    opening.add_argument("--float", dest="float_yuan", metavar="YUAN", required=True)
    opening.add_argument("--by", metavar="USER", help="who opens the shift")
    for name, help_text in (
        ("cash-in", "put cash into the drawer"),
        ("cash-out", "take cash out of the drawer"),
    ):
        sub = what.add_parser(name, parents=[common], help=help_text)
        sub.add_argument("amount", metavar="YUAN")
        sub.add_argument("--reason", metavar="TEXT", required=True)
        sub.add_argument("--by", metavar="USER", help="who moves the cash")
    what.add_parser("x", parents=[common], help="print an X report of the open shift")
    close = what.add_parser("close", parents=[common], help="count the cash, close, Z report")
    close.add_argument(
        "--counted", metavar="COUNTS", required=True,
        help='cash counted per denomination in yuan, e.g. "100=3,50=2,10=5,1=7,0.5=2"',
    )  # fmt: skip
    close.add_argument("--by", metavar="USER", help="who closes the shift")

    backup = commands.add_parser(
        "backup", parents=[common], help="a verified copy of the live database (progress on stderr)"
    )
    backup.add_argument(
        "--to", metavar="FILE|DIR", type=Path,
        help="a new file (a name ending .db, .sqlite or .bak), or a folder for "
        "pos-YYYYMMDD-HHMMSS.db (default: backups/ beside the database)",
    )  # fmt: skip
    backup.add_argument("--keep", metavar="N", type=int, default=14, help="newest N kept (14)")
    restore = commands.add_parser(
        "restore", parents=[common], help="check a backup, then copy it over the database"
    )
    restore.add_argument("backup", metavar="BACKUP", type=Path)
    restore.add_argument(
        "--force", "--yes", dest="force", action="store_true",
        help="really replace the existing database",
    )  # fmt: skip
    restore.add_argument(
        "--without-manifest", dest="without_manifest", action="store_true",
        help="restore an old backup that has no manifest (its contents cannot be checked)",
    )  # fmt: skip


BACKUP_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".bak")
"""``pos backup --to NAME`` with one of these endings is a file, not a folder."""


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(message, file=sys.stderr)
    return code


def run_shift(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos shift open|cash-in|cash-out|x|close``."""
    from pos.domain.shifts import shifts
    from pos.money import MoneyError, format_fen, parse_yuan
    from pos.store.bootstrap import open_store, print_profile

    amount, counts = 0, dict[int, int]()
    try:
        if args.what in ("open", "cash-in", "cash-out"):
            text = args.float_yuan if args.what == "open" else args.amount
            try:
                amount = parse_yuan(text)
            except MoneyError:
                return _fail(_("Not an amount in yuan: {text}").format(text=text), EXIT_USAGE)
            shifts.check_amount(amount, allow_zero=args.what == "open")
        if args.what == "close":
            counts = shifts.parse_counts(args.counted)
    except shifts.ShiftError as exc:
        return _fail(str(exc), EXIT_USAGE)
    if not settings.database_path.exists():
        return _fail(_("No database at {path}").format(path=settings.database_path))
    _engine, sessions = open_store(settings)
    register, now, profile = settings.register.id, datetime.now(UTC), print_profile(settings)
    try:
        with sessions.begin() as session:
            if args.what == "open":
                shifts.open_shift(session, register, amount, now, args.by)
                message = _("Shift opened on register {register} with a float of ¥{amount}")
                message = message.format(register=register, amount=format_fen(amount))
            elif args.what in ("cash-in", "cash-out"):
                kind = shifts.CASH_IN if args.what == "cash-in" else shifts.CASH_OUT
                shifts.move_cash(session, register, kind, amount, args.reason, now, args.by)
                message = (
                    _("Cash in of ¥{amount} recorded")
                    if kind == shifts.CASH_IN
                    else _("Cash out of ¥{amount} recorded")
                ).format(amount=format_fen(amount))
            elif args.what == "x":
                report, _receipt = shifts.x_report(session, register, profile, now)
                message = report.text
            else:
                report, _receipt = shifts.close_shift(
                    session, register, counts, profile, now, args.by
                )
                message = report.text
    except shifts.ShiftError as exc:
        return _fail(str(exc))
    print(message)
    return EXIT_OK


def _progress_printer() -> Callable[[int, int], None]:
    """Progress of a copy on stderr: one updated line on a terminal, else every 25 %."""
    shown = [-1]
    tty = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if tty:
            end = "\n" if done >= total else ""
            text = _("Backing up: {percent}% ({done} of {total} pages)").format(
                percent=percent, done=done, total=total
            )
            print("\r" + text, end=end, file=sys.stderr, flush=True)
        elif percent // 25 > shown[0]:
            shown[0] = percent // 25
            print(_("Backing up: {percent}%").format(percent=percent), file=sys.stderr)

    return show


def run_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos backup``: anchor the audit log, copy (progress on stderr), verify, write
    the manifest, rotate, print the copy's path."""
    from sqlalchemy.exc import SQLAlchemyError

    from pos.domain.staff import audit
    from pos.store.backups import BackupError, backup_database, copy_verified
    from pos.store.bootstrap import open_store

    if args.keep < 1:
        return _fail(_("--keep must be 1 or more"), EXIT_USAGE)
    target: Path | None = args.to
    removed: list[Path] = []
    database = settings.database_path
    if not database.is_file():
        return _fail(_("No database at {path}").format(path=database))
    engine, sessions = open_store(settings)

    def anchor() -> None:  # the audit log's head, in the database and then in the manifest
        try:
            audit.anchor_in(sessions, audit.BACKUP, datetime.now(UTC))
        except SQLAlchemyError as exc:
            raise BackupError(_("Backup failed: {error}").format(error=exc)) from exc

    try:
        if target is not None and not target.is_dir() and target.suffix in BACKUP_SUFFIXES:
            if target.exists():
                return _fail(_("{path} exists already: give a new file name").format(path=target))
            path = copy_verified(database, target, _progress_printer(), anchor)
        else:
            path, removed = backup_database(
                database, target, datetime.now(), args.keep, _progress_printer(), anchor
            )
    except BackupError as exc:
        return _fail(str(exc))
    finally:
        engine.dispose()
    for old in removed:
        print(_("Removed old backup {path}").format(path=old), file=sys.stderr)
    print(path)
    return EXIT_OK


def run_restore(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos restore BACKUP [--force]``: check the backup and its manifest first,
    then copy it over."""
    from pos.domain.staff import audit
    from pos.store.backups import BackupError, check_backup, restore_database
    from pos.store.bootstrap import open_store

    database = settings.database_path
    try:
        manifest = check_backup(args.backup, args.without_manifest)
    except BackupError as exc:
        return _fail(str(exc))
    if database.exists() and not args.force:
        return _fail(
            _(
                "Restoring replaces every sale, member and setting in {db} with the "
                "contents of {backup}. Stop the register, then run again with --force (or --yes)."
            ).format(db=database, backup=args.backup),
            EXIT_USAGE,
        )
    if manifest is None:
        print(
            _(
                "Warning: {path} has no manifest; its contents cannot be checked "
                "(restored as it is, because of --without-manifest)"
            ).format(path=args.backup),
            file=sys.stderr,
        )
    try:
        restore_database(args.backup, database, args.without_manifest)
    except BackupError as exc:
        return _fail(str(exc))
    engine, sessions = open_store(settings)
    with sessions.begin() as session:
        audit.record(
            session,
            "restore",
            at=datetime.now(UTC),
            subject=args.backup.name[:64],
            detail={"file": args.backup.name, "manifest": manifest is not None},
        )
    engine.dispose()
    print(_("Restored {db} from {backup}").format(db=database, backup=args.backup))
    return EXIT_OK
