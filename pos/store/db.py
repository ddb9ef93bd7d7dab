"""Engine, sessions, SQLite pragmas and migrations applied at start."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, Index, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.migrations import HEAD_REVISION

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"
IMMEDIATE = "pos_begin_immediate"
"""Execution option: begin the transaction with ``BEGIN IMMEDIATE`` (see :func:`_begin`)."""
BUSY_TIMEOUT_MS = 2000
"""How long a writer waits for another's write lock before SQLite says "database is locked".

Bulk commands commit every ~100 ms (:mod:`pos.transfer.import_common`), so the register
waits far less than this; past it the register keeps the change and retries (DESIGN.md).
"""


class StoreBusy(InputError):
    """Another program held the database's write lock too long: nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            _("The store database is busy (another program is writing): nothing lost, try again")
        )


def is_locked(error: OperationalError) -> bool:
    """Whether ``error`` is SQLite's "database is locked" (busy), not a broken database."""
    return "locked" in str(error.orig) or "busy" in str(error.orig)


def _pragmas(foreign_keys: bool, autocheckpoint: bool) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite begins transactions itself, and not before DDL: hand that to
        # SQLAlchemy ("begin" below) so that a migration is all or nothing.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not autocheckpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    return on_connect


def _begin(connection: Connection) -> None:
    # A unit of work that writes takes the write lock at once. A deferred transaction
    # that has read cannot write once another connection (the receipt worker, a
    # second process) committed meanwhile: SQLite fails it at once with "database is
    # locked", without waiting for busy_timeout.
    immediate = connection.get_execution_options().get(IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


PRIVATE_MODE = 0o600
"""Database, WAL/SHM and backup files: the owner reads and writes, nobody else."""


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist; make it 0600 if it does.

    The mode is set explicitly, whatever the umask. SQLite gives the ``-wal``
    and ``-shm`` files it creates the mode of their database file.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        if path.stat().st_mode & 0o777 != PRIVATE_MODE:
            os.chmod(path, PRIVATE_MODE)
        return
    try:
        os.fchmod(fd, PRIVATE_MODE)  # the umask may have taken bits off
    finally:
        os.close(fd)


def make_engine(
    path: Path | str, *, foreign_keys: bool = True, autocheckpoint: bool = True
) -> Engine:
    """An engine on the SQLite file at ``path`` with the register's pragmas.

    ``foreign_keys=False`` is for migrations only: SQLite rebuilds a table to
    alter it, which foreign keys would forbid; :func:`upgrade` checks them after.

    ``autocheckpoint=False`` is for the running register: its commits never copy the
    write-ahead log into the database (SQLite's automatic checkpoint, every 1,000 pages,
    would land in one sale's commit in about 25 and double its time); a worker beside
    the register does it instead (:func:`checkpoint`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if str(path) != ":memory:":
        create_private(path)
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _pragmas(foreign_keys, autocheckpoint))
    event.listen(engine, "begin", _begin)
    return engine


class SessionFactory(sessionmaker[Session]):
    """Sessions for one user action each: ``factory()`` to read, ``factory.begin()`` to write."""

    @contextmanager
    def begin(self) -> Iterator[Session]:
        """A session in a transaction that commits; on SQLite it begins IMMEDIATE.

        The write lock is taken before the caller's first statement: when another
        program holds it past :data:`BUSY_TIMEOUT_MS`, :class:`StoreBusy` is raised and
        nothing of the unit of work has run.
        """
        with self.writer() as session, session.begin():
            try:
                session.connection()
            except OperationalError as exc:
                if not is_locked(exc):
                    raise
                raise StoreBusy() from None
            yield session

    def writer(self) -> Session:
        """A session whose every transaction begins IMMEDIATE; the caller commits (chunks)."""
        return self(execution_options={IMMEDIATE: True})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for one user action each; objects stay readable after commit.

    Sales, members, points and stock movements they store are also written to
    the outbox for head office (:mod:`pos.sync.outbox`).
    """
    from pos.sync.outbox import track

    return track(SessionFactory(engine, expire_on_commit=False))


def checkpoint(sessions: sessionmaker[Session]) -> None:
    """Copy what the write-ahead log holds into the database, as far as no reader needs it
    (SQLite's passive checkpoint: it waits for nobody and nobody waits for it; the log
    is then written again from its start, so it stays small). For the register, whose
    commits do not checkpoint (``autocheckpoint=False``): called in a worker thread. While
    another connection checkpoints, it does nothing (that one copies the log)."""
    engine = sessions.kw["bind"]
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()  # outside any transaction: SQLite checkpoints only there
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        # another connection is checkpointing: it copies the log
    finally:
        raw.close()


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision of the database, or None for an empty file."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> bool:
    """Bring the schema to the newest revision; return True if anything ran.

    A database already at head costs one query (no Alembic import), so the
    register starts fast.
    """
    if current_revision(engine) == HEAD_REVISION:
        return False
    from alembic import command

    migrator = make_engine(engine.url.database or "", foreign_keys=False)
    try:
        with migrator.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    finally:
        migrator.dispose()
    return True


def alembic_config() -> Any:
    """The Alembic configuration of the register's migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def open_database(
    path: Path | str, *, autocheckpoint: bool = True
) -> tuple[Engine, sessionmaker[Session]]:
    """Open (creating or upgrading) the database at ``path``; an index of the models that
    is missing (an import that dropped it was killed: :func:`indexes_away`) is built again.

    ``autocheckpoint=False``: the running register's store (see :func:`make_engine`)."""
    engine = make_engine(path, autocheckpoint=autocheckpoint)
    upgrade(engine)
    _restore_missing(engine, Path(path))
    return engine, make_session_factory(engine)


def restore_indexes(connection: Connection, names: Collection[str] | None = None) -> list[str]:
    """Create every index of the models that the database lacks (on the tables it has), or
    those of them ``names`` names, in the connection's transaction; their names."""
    missing = [
        index for index in _missing_indexes(connection) if names is None or index.name in names
    ]
    for index in missing:
        index.create(connection)
    return [str(index.name) for index in missing]


def _missing_indexes(connection: Connection) -> list[Index]:
    """The models' indexes that the database lacks, on the tables it has (one query)."""
    from pos.models import Base  # imported here: the models need not be loaded to migrate

    present = {name for (name,) in connection.exec_driver_sql("SELECT name FROM sqlite_master")}
    return [
        index
        for table in Base.metadata.sorted_tables
        if table.name in present
        for index in sorted(table.indexes, key=lambda index: str(index.name))
        if index.name not in present
    ]


def _restore_missing(engine: Engine, path: Path) -> None:
    """Build again the indexes an import dropped, unless one is still running (it builds them
    at its end) or another program holds the write lock (the next open will)."""
    if str(path) == ":memory:":
        return
    with engine.connect() as connection:
        if not _missing_indexes(connection):
            return
    with _index_lock(path, wait=False) as free:
        if not free:
            return
        try:
            with engine.connect() as connection, connection.begin():
                restore_indexes(connection)
        except OperationalError as exc:
            if not is_locked(exc):
                raise


@contextmanager
def indexes_away(path: Path) -> Iterator[None]:
    """While an import writes with some indexes dropped (it builds them again at its end):
    the store's open (:func:`open_database`) leaves them to it.

    A lock on a file beside the database is held meanwhile (filelock: the system's own
    file lock, on every platform); the system releases it when the process ends, however:
    a store left without its indexes by a killed import gets them back at its next open.
    """
    with _index_lock(path, wait=True) as held:
        assert held
        yield


@contextmanager
def _index_lock(path: Path, wait: bool) -> Iterator[bool]:
    """``path``'s import lock file held (waiting for it when ``wait``); False if not given."""
    lock_path = path.with_name(path.name + "-indexes")
    create_private(lock_path)
    lock = FileLock(lock_path, timeout=-1 if wait else 0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
