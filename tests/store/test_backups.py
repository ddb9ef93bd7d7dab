"""Backups with SQLite's online backup API: verified, rotated, restored."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.models import Product
from pos.store.backups import (
    BackupError,
    backup_database,
    backups_in,
    integrity_problem,
    restore_database,
)

WHEN = datetime(2026, 3, 10, 22, 30, 0)


def products(path: Path) -> int:
    with sqlite3.connect(path) as db:
        count: int = db.execute("SELECT count(*) FROM product").fetchone()[0]
    return count


def test_backup_while_a_connection_is_open_is_verified(
    demo_sessions: sessionmaker[Session], db_path: Path, tmp_path: Path
) -> None:
    with demo_sessions() as session:
        expected = session.scalar(select(func.count(Product.id)))
        copy, removed = backup_database(db_path, None, WHEN)
    assert copy == tmp_path / "backups" / "pos-20260310-223000.db" and removed == []
    assert integrity_problem(copy) is None
    assert products(copy) == expected


def test_rotation_keeps_the_newest(demo_sessions: sessionmaker[Session], db_path: Path) -> None:
    folder = db_path.parent / "kept"
    made = [backup_database(db_path, folder, WHEN + timedelta(days=n), keep=3)[0] for n in range(5)]
    again, removed = backup_database(db_path, folder, WHEN + timedelta(days=4), keep=3)
    assert again.name == "pos-20260314-223000-2.db"
    assert backups_in(folder) == [made[3], made[4], again]
    assert removed == [made[2]]


def test_a_missing_database_is_not_backed_up(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="No database"):
        backup_database(tmp_path / "none.db", None, WHEN)


def test_restore_refuses_a_damaged_backup(
    demo_sessions: sessionmaker[Session], db_path: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a sound backup"):
        restore_database(bad, db_path)
    assert products(db_path) > 0


def test_backup_and_restore_commands(
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = products(db_path)
    folder = tmp_path / "out"
    assert main(["backup", "--db", str(db_path), "--to", str(folder), "--keep", "2"]) == 0
    copy = Path(capsys.readouterr().out.strip())
    assert copy.parent == folder and integrity_problem(copy) is None
    with demo_sessions.begin() as session:
        session.add(Product(sku="X1", name="test", spec="", price_fen=100))
    assert products(db_path) == before + 1
    assert main(["restore", str(copy), "--db", str(db_path)]) == 2
    assert "--yes" in capsys.readouterr().err
    assert products(db_path) == before + 1
    assert main(["restore", str(copy), "--db", str(db_path), "--yes"]) == 0
    assert products(db_path) == before
    assert main(["restore", str(tmp_path / "none.db"), "--db", str(db_path), "--yes"]) == 1
    assert main(["backup", "--db", str(db_path), "--keep", "0"]) == 2
