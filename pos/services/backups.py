"""Backups of the live database with SQLite's online backup API, verified and rotated.

A copy is consistent even while the register is selling: SQLite copies the pages
under its own locks. Every copy is checked with ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

from pos.db import create_private
from pos.i18n import _

KEEP = 14
"""Backups kept by default: the newest two weeks of daily copies."""
_NAME = re.compile(r"^pos-(\d{8}-\d{6})(?:-(\d+))?\.db$")
PAGES_PER_STEP = 1024
"""Pages copied between progress reports (4 MB with SQLite's default page size)."""

Progress = Callable[[int, int], None]
"""Called with (pages copied, total pages) as a copy goes."""


class BackupError(Exception):
    """A backup or restore that could not be made; ``str(error)`` says why."""


def default_folder(database: Path) -> Path:
    """Where backups go unless told: a ``backups`` folder beside the database."""
    return database.parent / "backups"


def integrity_problem(path: Path) -> str | None:
    """None if ``path`` is a sound SQLite database, else what is wrong with it."""
    if not path.is_file():
        return _("No file at {path}").format(path=path)
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    result = "; ".join(str(row[0]) for row in rows)
    return None if result == "ok" else result


def _copy(source: Path, target: Path, progress: Progress | None = None) -> None:
    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    create_private(target)  # 0600 whatever the umask
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst, pages=PAGES_PER_STEP, progress=step)


def copy_verified(database: Path, target: Path, progress: Progress | None = None) -> Path:
    """Copy ``database`` to ``target`` (through a ``.part`` file) and check the copy."""
    if not database.is_file():
        raise BackupError(_("No database at {path}").format(path=database))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.unlink(missing_ok=True)
        _copy(database, partial, progress)
        with closing(sqlite3.connect(partial)) as copy:  # one self-contained file, no -wal
            copy.execute("PRAGMA journal_mode=DELETE")
        problem = integrity_problem(partial)
        if problem is not None:
            partial.unlink()
            raise BackupError(
                _("The copy failed its integrity check: {problem}").format(problem=problem)
            )
        partial.replace(target)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(_("Backup failed: {error}").format(error=exc)) from exc
    return target


def backup_database(
    database: Path,
    folder: Path | None,
    now: datetime,
    keep: int = KEEP,
    progress: Progress | None = None,
) -> tuple[Path, list[Path]]:
    """Copy ``database`` to ``pos-YYYYMMDD-HHMMSS.db``, verify it, keep the newest ``keep``.

    Returns the copy and the old backups removed.
    """
    if keep < 1:
        raise BackupError(_("Keep at least 1 backup"))
    if not database.is_file():
        raise BackupError(_("No database at {path}").format(path=database))
    folder = folder or default_folder(database)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _free_name(folder, f"pos-{now:%Y%m%d-%H%M%S}")
    except OSError as exc:
        raise BackupError(_("Backup failed: {error}").format(error=exc)) from exc
    copy_verified(database, target, progress)
    try:
        removed = rotate(folder, keep)
    except OSError as exc:
        raise BackupError(_("Backup failed: {error}").format(error=exc)) from exc
    return target, removed


def has_backup_of(folder: Path, day: date) -> bool:
    """True if ``folder`` holds a backup made on ``day`` (by its name)."""
    if not folder.is_dir():
        return False
    stamp = f"pos-{day:%Y%m%d}-"
    return any(path.name.startswith(stamp) for path in backups_in(folder))


def daily_backup(
    database: Path, folder: Path, now: datetime, keep: int = KEEP
) -> tuple[Path, list[Path]] | None:
    """The day's automatic backup: None if ``folder`` has one of ``now``'s date already.

    ``now`` is the store's local time (the backup's name carries it).
    """
    if has_backup_of(folder, now.date()):
        return None
    return backup_database(database, folder, now, keep)


def _free_name(folder: Path, stem: str) -> Path:
    target, n = folder / f"{stem}.db", 1
    while target.exists():
        n += 1
        target = folder / f"{stem}-{n}.db"
    return target


def backups_in(folder: Path) -> list[Path]:
    """The backups in ``folder``, oldest first."""

    def key(path: Path) -> tuple[str, int]:
        match = _NAME.match(path.name)
        assert match is not None
        return match[1], int(match[2] or 1)

    return sorted((p for p in folder.iterdir() if _NAME.match(p.name)), key=key)


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``folder``; return the deleted."""
    old = backups_in(folder)[:-keep]
    for path in old:
        path.unlink()
    return old


def backup_problem(backup: Path) -> str | None:
    """None if ``backup`` is a sound store database, else what is wrong with it."""
    problem = integrity_problem(backup)
    if problem is None:
        try:
            uri = f"{backup.resolve().as_uri()}?mode=ro"
            with closing(sqlite3.connect(uri, uri=True)) as db:
                tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            return str(exc)
        if not {"alembic_version", "sale"} <= tables:
            problem = _("not a store database (no sales table)")
    return problem


def restore_database(backup: Path, database: Path) -> None:
    """Copy a verified ``backup`` over ``database`` (through SQLite, so WAL stays consistent)."""
    problem = backup_problem(backup)
    if problem is not None:
        raise BackupError(
            _("{path} is not a sound backup: {problem}").format(path=backup, problem=problem)
        )
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        _copy(backup, database)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(_("Restore failed: {error}").format(error=exc)) from exc
