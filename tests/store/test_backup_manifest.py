"""Backups carry a manifest (checksum, row counts, audit head, …); restore checks it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos import __version__
from pos.cli import main
from pos.domain.staff import audit
from pos.migrations import HEAD_REVISION
from pos.models import AuditAnchor, Product
from pos.store.backups import (
    BackupError,
    Manifest,
    backup_database,
    backups_in,
    integrity_problem,
    manifest_path,
    read_manifest,
    restore_database,
)

WHEN = datetime(2026, 3, 10, 22, 30, 0)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def table_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def test_a_backup_has_a_private_manifest_that_round_trips(
    demo_sessions: sessionmaker[Session], db_path: Path, tmp_path: Path
) -> None:
    with demo_sessions.begin() as session:
        audit.record(session, "drawer.open", at=datetime.now().astimezone(), actor="u1")
    copy, _removed = backup_database(db_path, None, WHEN)
    side = manifest_path(copy)
    assert side.name == "pos-20260310-223000.db.manifest.json"
    assert mode(copy) == 0o600 and mode(side) == 0o600
    manifest = read_manifest(copy)
    assert manifest is not None
    assert Manifest.from_json(manifest.to_json()) == manifest
    data = json.loads(side.read_text(encoding="utf-8"))
    assert set(data) == {
        "format", "file", "sha256", "size", "tables", "audit", "created_at",
        "app_version", "schema_revision",
    }  # fmt: skip
    assert manifest.file == copy.name and manifest.size == copy.stat().st_size
    assert manifest.sha256 == hashlib.sha256(copy.read_bytes()).hexdigest()
    assert manifest.tables == table_counts(copy) and manifest.tables["product"] > 0
    assert manifest.app_version == __version__ and manifest.schema_revision == HEAD_REVISION
    with demo_sessions() as session:
        head = audit.head(session)
    assert (manifest.audit_events, manifest.audit_head) == (1, head.hash)
    assert manifest.created_at.endswith("+00:00")


def test_the_backup_command_anchors_the_audit_head_in_the_manifest(
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "usb" / "store-0310.db"
    assert main(["backup", "--db", str(db_path), "--to", str(target)]) == 0
    manifest = read_manifest(target)
    assert manifest is not None and mode(target) == 0o600
    with demo_sessions() as session:
        (mark,) = session.scalars(select(AuditAnchor))
    assert mark.source == "backup"
    assert (mark.events, mark.head_hash) == (manifest.audit_events, manifest.audit_head)
    assert manifest.tables["audit_anchor"] == 1  # the anchor is in the copy too


def flip_a_byte_of(copy: Path, needle: bytes) -> None:
    """Change one byte inside ``needle`` (a value in a row), keeping it valid UTF-8."""
    data = bytearray(copy.read_bytes())
    at = data.find(needle)
    assert at > 0 and data.find(needle, at + 1) == -1
    data[at + len(needle) - 1] ^= 0x01
    copy.write_bytes(bytes(data))


def test_a_bit_flipped_backup_is_refused_and_the_database_is_unchanged(
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with demo_sessions.begin() as session:
        session.add(
            Product(
                sku="FLIP1", name="x", spec="", manufacturer="flip-me-0123456789", price_fen=1234
            )
        )
    copy, _removed = backup_database(db_path, tmp_path / "b", WHEN)
    flip_a_byte_of(copy, b"flip-me-0123456789")
    assert integrity_problem(copy) is None  # SQLite's own check does not see it
    before = db_path.read_bytes()
    assert main(["restore", str(copy), "--db", str(db_path), "--force"]) == 1
    err = capsys.readouterr().err
    assert "not a sound backup" in err and "SHA-256 does not match its manifest" in err
    assert db_path.read_bytes() == before
    with demo_sessions() as session:
        maker = select(Product.manufacturer).where(Product.sku == "FLIP1")
        assert session.scalar(maker) == "flip-me-0123456789"
    with pytest.raises(BackupError, match="SHA-256"):
        restore_database(copy, db_path)


def test_a_manifest_that_disagrees_with_the_rows_is_refused(
    demo_sessions: sessionmaker[Session], db_path: Path, tmp_path: Path
) -> None:
    copy, _removed = backup_database(db_path, tmp_path / "b", WHEN)
    side = manifest_path(copy)
    data = json.loads(side.read_text(encoding="utf-8"))
    data["tables"]["product"] += 1
    side.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BackupError, match=r"table product has .* rows, its manifest says"):
        restore_database(copy, db_path)
    side.write_text("{not json", encoding="utf-8")
    with pytest.raises(BackupError, match="is not a backup manifest"):
        restore_database(copy, db_path)


def test_an_old_backup_without_a_manifest_needs_the_flag_and_warns(
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy, _removed = backup_database(db_path, tmp_path / "b", WHEN)
    manifest_path(copy).unlink()
    with demo_sessions.begin() as session:
        session.add(Product(sku="AFTER", name="after the backup", spec="", price_fen=100))
    db = ["--db", str(db_path), "--force"]
    assert main(["restore", str(copy), *db]) == 1
    assert "--without-manifest" in capsys.readouterr().err
    with demo_sessions() as session:
        assert session.scalar(select(Product.id).where(Product.sku == "AFTER")) is not None
    assert main(["restore", str(copy), *db, "--without-manifest"]) == 0
    assert "Warning" in capsys.readouterr().err
    with demo_sessions() as session:
        assert session.scalar(select(Product.id).where(Product.sku == "AFTER")) is None


def test_rotation_removes_the_manifests_too(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    folder = db_path.parent / "kept"
    for n in range(3):
        backup_database(db_path, folder, WHEN + timedelta(days=n), keep=2)
    kept = backups_in(folder)
    assert len(kept) == 2
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [p.name for p in kept] + [manifest_path(p).name for p in kept]
    )
