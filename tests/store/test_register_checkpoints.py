"""The register's commits leave the write-ahead log's checkpoints to a worker (issue #18).

SQLite copies its log into the database file (a checkpoint) in the commit that takes the
log past 1,000 pages: one sale in about 25 took twice as long. The running register's
connections do not checkpoint; the app copies the log in a worker thread after each sale
and every :data:`pos.app.app.CHECKPOINT_SECONDS`. Other commands checkpoint as before.

What a checkpoint did is seen in the database file alone: a copy of it without its log
holds only what was copied into it.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.boot import RegisterStart
from pos.app.checkout.screen import CheckoutScreen
from pos.config import Settings
from pos.register.startup import open_store, start_register
from pos.store.db import checkpoint, open_database
from tests.conftest import fixed_clock
from tests.frontend.test_checkout_ui import SIZE, scan
from tests.helpers import barcode_of

MASKS = "P00136"  # 医用口罩, not a drug: sold without guidance
ROWS = 300
ROW_BYTES = 16_000  # four pages each: 1,200 pages of log, past SQLite's 1,000


def in_file_alone(path: Path, sql: str) -> int:
    """``sql``'s count on a copy of the database file without its log."""
    copy = path.with_name("file-alone.db")
    shutil.copyfile(path, copy)
    raw = sqlite3.connect(copy)
    try:
        return int(raw.execute(sql).fetchone()[0])
    finally:
        raw.close()
        copy.unlink()


def with_table(path: Path) -> Path:
    """``path``, a store with an empty table ``filler`` in its file (its log copied)."""
    engine, sessions = open_database(path)
    with sessions.begin() as session:
        session.execute(text("CREATE TABLE filler (body BLOB)"))
    engine.dispose()  # the last connection's close copies the log
    return path


def write_rows(sessions: sessionmaker[Session]) -> None:
    """:data:`ROWS` commits of one big row each (the register's pace: one unit per sale)."""
    for _ in range(ROWS):
        with sessions.begin() as session:
            session.execute(text("INSERT INTO filler VALUES (randomblob(:n))"), {"n": ROW_BYTES})


def test_the_registers_commits_leave_the_log_to_its_checkpoint(tmp_path: Path) -> None:
    path = with_table(tmp_path / "register.db")
    engine, sessions = open_database(path, autocheckpoint=False)
    try:
        write_rows(sessions)
        assert in_file_alone(path, "SELECT count(*) FROM filler") == 0  # all still in the log
        checkpoint(sessions)
        assert in_file_alone(path, "SELECT count(*) FROM filler") == ROWS
        checkpoint(sessions)  # nothing left to copy: harmless
    finally:
        engine.dispose()


def test_other_commands_commits_checkpoint_as_sqlite_does(tmp_path: Path) -> None:
    path = with_table(tmp_path / "command.db")
    engine, sessions = open_database(path)
    try:
        write_rows(sessions)
        assert in_file_alone(path, "SELECT count(*) FROM filler") > 0  # copied at 1,000 pages
    finally:
        engine.dispose()


async def test_a_sale_at_the_register_reaches_the_database_file(
    demo_template: Path, db_path: Path
) -> None:
    """``pos run``'s store (its connections do not checkpoint); the app copies the log after
    the sale, while the cashier goes on."""
    shutil.copy(demo_template, db_path)
    settings = Settings(register={"database": db_path})
    sessions, _notice = open_store(settings)
    app = PosApp(
        RegisterStart(build=lambda: start_register(settings, sessions, fixed_clock)), settings
    )
    with sessions() as session:
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    sold = "SELECT count(*) FROM sale"
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        while not app.started:
            await pilot.pause()
        before = in_file_alone(db_path, sold)
        await scan(pilot, barcode_of(sessions, MASKS))
        await pilot.press("f12", "enter")  # the exact cash
        assert isinstance(app.screen, CheckoutScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert in_file_alone(db_path, sold) == before + 1
    sessions.kw["bind"].dispose()
