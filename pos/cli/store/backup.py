"""``pos backup``: a verified copy of the live database, progress on standard error.

The database modules are imported when the command runs, so ``pos --help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pos.cli.common import EXIT_OK, EXIT_USAGE, Commands, fail, no_database_message
from pos.config import Settings
from pos.i18n import _

if TYPE_CHECKING:
    from pos.cli.progress import Progress

NAME = "backup"

BACKUP_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".bak")
"""``pos backup --to NAME`` with one of these endings is a file, not a folder."""


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos backup``."""
    backup = commands.add_parser(
        NAME, parents=[common], help="a verified copy of the live database (progress on stderr)"
    )
    backup.add_argument(
        "--to", metavar="FILE|DIR", type=Path,
        help="a new file (a name ending .db, .sqlite or .bak), or a folder for "
        "pos-YYYYMMDD-HHMMSS.db (default: backups/ beside the database)",
    )  # fmt: skip
    backup.add_argument("--keep", metavar="N", type=int, default=14, help="newest N kept (14)")


def _progress_printer(bar: Progress) -> Callable[[int, int], None]:
    """Progress of a copy, in pages, on the bar (drawn on a terminal only)."""

    def show(done: int, total: int) -> None:
        bar.show(_("Backing up"), done, total)

    return show


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos backup``: anchor the audit log, copy (progress on stderr), verify, write
    the manifest, rotate, print the copy's path."""
    from sqlalchemy.exc import SQLAlchemyError

    from pos.cli.progress import Progress
    from pos.domain.staff import audit
    from pos.store.backups import BackupError, backup_database, copy_verified
    from pos.store.bootstrap import open_store

    if args.keep < 1:
        return fail(_("--keep must be 1 or more"), EXIT_USAGE)
    target: Path | None = args.to
    removed: list[Path] = []
    database = settings.database_path
    if not database.is_file():
        return fail(no_database_message(database))
    engine, sessions = open_store(settings)

    def anchor() -> None:  # the audit log's head, in the database and then in the manifest
        try:
            audit.anchor_in(sessions, audit.BACKUP, datetime.now(UTC))
        except SQLAlchemyError as exc:
            raise BackupError(_("Backup failed: {error}").format(error=exc)) from exc

    bar = Progress(unit=_("pages"))
    try:
        if target is not None and not target.is_dir() and target.suffix in BACKUP_SUFFIXES:
            if target.exists():
                return fail(_("{path} exists already: give a new file name").format(path=target))
            path = copy_verified(database, target, _progress_printer(bar), anchor)
        else:
            path, removed = backup_database(
                database, target, datetime.now(), args.keep, _progress_printer(bar), anchor
            )
    except BackupError as exc:
        bar.close()
        return fail(str(exc))
    finally:
        bar.close()
        engine.dispose()
    for old in removed:
        print(_("Removed old backup {path}").format(path=old), file=sys.stderr)
    print(path)
    return EXIT_OK
