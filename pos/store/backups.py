"""Backups of the live database with SQLite's online backup API, verified and rotated.

A copy is consistent even while the register is selling: SQLite copies the pages
under its own locks. Every copy is checked with ``PRAGMA integrity_check``.

``PRAGMA integrity_check`` does not read row contents, so every copy also gets a
manifest, a JSON file beside it (``FILE.manifest.json``): the copy's SHA-256 and
size, each table's row count, the audit chain's head, when it was made, the app
version and the schema revision. A restore refuses a copy that does not match
its manifest, and one without a manifest unless told (``allow_unverified``).
Copies and manifests are created 0600: they hold the store's personal data.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pos import __version__
from pos.i18n import _
from pos.store.db import create_private

KEEP = 14
"""Backups kept by default: the newest two weeks of daily copies."""
_NAME = re.compile(r"^pos-(\d{8}-\d{6})(?:-(\d+))?\.db$")
PAGES_PER_STEP = 1024
"""Pages copied between progress reports (4 MB with SQLite's default page size)."""

Progress = Callable[[int, int], None]
"""Called with (pages copied, total pages) as a copy goes."""
Anchor = Callable[[], object]
"""Called just before a copy is made (it stores the audit chain's head as an anchor)."""
MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_FORMAT = 1
_CHUNK = 1 << 20


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


def _create_private(path: Path) -> None:
    """An empty file only the owner may read (0600), whatever the umask."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(path, 0o600)


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, written beside it when it is made, checked before a restore."""

    file: str
    sha256: str
    size: int
    tables: dict[str, int]
    """Rows per table."""
    audit_events: int
    audit_head: str
    created_at: str
    """ISO 8601, UTC."""
    app_version: str
    schema_revision: str | None
    format: int = MANIFEST_FORMAT

    def to_json(self) -> str:
        data = asdict(self)
        data["audit"] = {"events": data.pop("audit_events"), "head": data.pop("audit_head")}
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Raises ValueError (or KeyError, TypeError) when ``text`` is not a manifest."""
        data = json.loads(text)
        audit = data["audit"]
        tables = {str(name): int(count) for name, count in dict(data["tables"]).items()}
        return cls(
            file=str(data["file"]),
            sha256=str(data["sha256"]),
            size=int(data["size"]),
            tables=tables,
            audit_events=int(audit["events"]),
            audit_head=str(audit["head"]),
            created_at=str(data["created_at"]),
            app_version=str(data["app_version"]),
            schema_revision=data["schema_revision"],
            format=int(data["format"]),
        )


def manifest_path(backup: Path) -> Path:
    """The manifest beside ``backup``: ``FILE.manifest.json``."""
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _contents(path: Path) -> tuple[dict[str, int], int, str, str | None]:
    """Rows per table, the audit chain's head (count, hash) and the schema revision."""
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        tables = {
            name: int(db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) for name in names
        }
        events, head = 0, "0" * 64
        if "audit_event" in tables:
            events = tables["audit_event"]
            last = db.execute("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
            head = str(last[0]) if last else head
        revision = None
        if "alembic_version" in tables:
            row = db.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(row[0]) if row else None
    return tables, events, head, revision


def make_manifest(backup: Path, name: str, now: datetime) -> Manifest:
    """The manifest of the finished copy ``backup`` (to be named ``name``)."""
    tables, events, head, revision = _contents(backup)
    return Manifest(
        file=name,
        sha256=file_sha256(backup),
        size=backup.stat().st_size,
        tables=tables,
        audit_events=events,
        audit_head=head,
        created_at=now.astimezone(UTC).isoformat(timespec="seconds"),
        app_version=__version__,
        schema_revision=revision,
    )


def _write_manifest(manifest: Manifest, path: Path) -> None:
    partial = path.with_name(path.name + ".part")
    partial.unlink(missing_ok=True)
    _create_private(partial)
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(manifest.to_json())
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def read_manifest(backup: Path) -> Manifest | None:
    """The manifest beside ``backup``; None when it has none (an old backup).

    Raises :class:`BackupError` when there is one but it cannot be read.
    """
    path = manifest_path(backup)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise BackupError(
            _("Cannot read the manifest {path}: {error}").format(path=path, error=exc)
        ) from exc
    try:
        return Manifest.from_json(text)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(_("{path} is not a backup manifest").format(path=path)) from exc


def manifest_problem(backup: Path, manifest: Manifest) -> str | None:
    """None if ``backup`` is what its manifest says, else the first difference."""
    if backup.stat().st_size != manifest.size or file_sha256(backup) != manifest.sha256:
        return _("its SHA-256 does not match its manifest: the file was changed or damaged")
    try:
        tables, events, head, revision = _contents(backup)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    for name in sorted(set(tables) | set(manifest.tables)):
        if tables.get(name) != manifest.tables.get(name):
            return _("table {table} has {found} rows, its manifest says {expected}").format(
                table=name, found=tables.get(name, 0), expected=manifest.tables.get(name, 0)
            )
    if (events, head) != (manifest.audit_events, manifest.audit_head):
        return _("its audit log head differs from its manifest")
    if revision != manifest.schema_revision:
        return _("its schema revision {found} differs from its manifest ({expected})").format(
            found=revision, expected=manifest.schema_revision
        )
    return None


def copy_verified(
    database: Path,
    target: Path,
    progress: Progress | None = None,
    anchor: Anchor | None = None,
    now: datetime | None = None,
) -> Path:
    """Copy ``database`` to ``target`` (through a ``.part`` file), check it, write its manifest.

    ``anchor`` is called first (it anchors the audit chain's head in the database).
    """
    if not database.is_file():
        raise BackupError(_("No database at {path}").format(path=database))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.unlink(missing_ok=True)
        if anchor is not None:
            anchor()
        _create_private(partial)
        _copy(database, partial, progress)
        with closing(sqlite3.connect(partial)) as copy:  # one self-contained file, no -wal
            copy.execute("PRAGMA journal_mode=DELETE")
        problem = integrity_problem(partial)
        if problem is not None:
            partial.unlink()
            raise BackupError(
                _("The copy failed its integrity check: {problem}").format(problem=problem)
            )
        manifest = make_manifest(partial, target.name, now or datetime.now(UTC))
        _write_manifest(manifest, manifest_path(target))
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
    anchor: Anchor | None = None,
) -> tuple[Path, list[Path]]:
    """Copy ``database`` to ``pos-YYYYMMDD-HHMMSS.db`` with its manifest, verify it,
    keep the newest ``keep``.

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
    copy_verified(database, target, progress, anchor, now)
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
    database: Path, folder: Path, now: datetime, keep: int = KEEP, anchor: Anchor | None = None
) -> tuple[Path, list[Path]] | None:
    """The day's automatic backup: None if ``folder`` has one of ``now``'s date already.

    ``now`` is the store's local time (the backup's name carries it).
    """
    if has_backup_of(folder, now.date()):
        return None
    return backup_database(database, folder, now, keep, anchor=anchor)


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
    """Delete all but the newest ``keep`` backups (and their manifests); return the deleted."""
    old = backups_in(folder)[:-keep]
    for path in old:
        path.unlink()
        manifest_path(path).unlink(missing_ok=True)
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


def check_backup(backup: Path, allow_unverified: bool = False) -> Manifest | None:
    """Check ``backup`` before a restore: sound, a store database, and what its manifest says.

    Returns its manifest; None for a backup without one, accepted only with
    ``allow_unverified``. Raises :class:`BackupError` with the reason otherwise.
    """
    problem = backup_problem(backup)
    manifest = None
    if problem is None:
        manifest = read_manifest(backup)
        if manifest is None and not allow_unverified:
            problem = _(
                "it has no manifest ({name}), so its contents cannot be checked "
                "(an old backup: restore it with --without-manifest)"
            ).format(name=manifest_path(backup).name)
        elif manifest is not None:
            problem = manifest_problem(backup, manifest)
    if problem is not None:
        raise BackupError(
            _("{path} is not a sound backup: {problem}").format(path=backup, problem=problem)
        )
    return manifest


def restore_database(backup: Path, database: Path, allow_unverified: bool = False) -> None:
    """Copy a checked ``backup`` over ``database`` (through SQLite, so WAL stays consistent).

    A backup without a manifest is restored only with ``allow_unverified``.
    """
    check_backup(backup, allow_unverified)
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        _copy(backup, database)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(_("Restore failed: {error}").format(error=exc)) from exc
