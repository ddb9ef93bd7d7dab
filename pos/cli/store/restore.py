"""``pos restore BACKUP``: check a backup and its manifest, then copy it over the database.

The database modules are imported when the command runs, so ``pos --help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from pos.cli.common import EXIT_OK, EXIT_USAGE, Commands, fail
from pos.config import Settings
from pos.i18n import _

NAME = "restore"


def add_parser(commands: Commands, common: argparse.ArgumentParser) -> None:
    """Add ``pos restore``."""
    restore = commands.add_parser(
        NAME, parents=[common], help="check a backup, then copy it over the database"
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


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``pos restore BACKUP [--force]``: check the backup and its manifest first,
    then copy it over."""
    from pos.domain.staff import audit
    from pos.store.backups import BackupError, check_backup, restore_database
    from pos.store.bootstrap import open_store

    database = settings.database_path
    try:
        manifest = check_backup(args.backup, args.without_manifest)
    except BackupError as exc:
        return fail(str(exc))
    if database.exists() and not args.force:
        return fail(
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
        return fail(str(exc))
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
