"""Backups while the register sells, restore checks and the register's daily backup."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.app import build_app
from pos.cli import main
from pos.config import Settings
from pos.domain.staff import audit
from pos.enums import Tender
from pos.models import AuditAnchor, AuditEvent
from pos.register.service import RegisterIdentity, RegisterService
from pos.store.backups import (
    backup_database,
    backups_in,
    check_backup,
    integrity_problem,
    manifest_path,
    read_manifest,
)
from pos.store.db import open_database
from tests.conftest import fixed_clock
from tests.frontend.test_checkout_ui import SIZE
from tests.helpers import barcode_of, screen_text
from tests.store_keys import store_key


def sales_rows(path: Path) -> dict[str, tuple[object, ...]]:
    """Every stored sale with its lines and payments, by sale number."""
    rows: dict[str, tuple[object, ...]] = {}
    with sqlite3.connect(path) as db:
        for sale_id, number, *fields in db.execute("SELECT * FROM sale ORDER BY id"):
            lines = db.execute(
                "SELECT * FROM sale_line WHERE sale_id = ? ORDER BY line_no", (sale_id,)
            ).fetchall()
            payments = db.execute(
                "SELECT * FROM payment WHERE sale_id = ? ORDER BY seq", (sale_id,)
            ).fetchall()
            rows[number] = (sale_id, *fields, tuple(lines), tuple(payments))
    return rows


def test_backup_while_sales_are_written_restores_every_sale(
    demo_sessions: sessionmaker[Session], db_path: Path, tmp_path: Path
) -> None:
    register = RegisterService(demo_sessions, RegisterIdentity("001", "01"), fixed_clock)
    codes = [barcode_of(demo_sessions, sku) for sku in ("P00063", "P00065", "P00001")]
    done = threading.Event()
    sold: list[str] = []
    errors: list[BaseException] = []

    def sell() -> None:
        try:
            for n in range(30):
                register.scan(codes[n % 3])
                tendering = register.start_payment()
                tendering.add(Tender.CASH, None)
                sold.append(register.complete(tendering).number)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            done.set()

    seller = threading.Thread(target=sell)
    seller.start()
    copies: list[Path] = []
    while not done.is_set() or not copies:
        copies.append(backup_database(db_path, tmp_path / "live", fixed_clock(), keep=100)[0])
    seller.join()
    assert not errors and len(sold) == 30
    assert len(copies) >= 2
    for copy in (copies[len(copies) // 2], copies[-1]):
        assert integrity_problem(copy) is None
        in_backup = sales_rows(copy)
        restored = tmp_path / f"restored-{copy.stem}.db"
        assert main(["restore", str(copy), "--db", str(restored)]) == 0  # a new file: no --force
        assert integrity_problem(restored) is None
        assert sales_rows(restored) == in_backup
        now = sales_rows(db_path)
        assert all(now[number] == row for number, row in in_backup.items())
        engine, sessions = open_database(restored)
        with sessions() as session:
            assert audit.verify(session, store_key()).ok
            (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "restore"))
            assert event.detail == {"file": copy.name, "manifest": True}
        engine.dispose()


def test_backup_to_a_file_shows_progress_and_restore_needs_force(
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "copy" / "store.db"
    assert main(["backup", "--db", str(db_path), "--to", str(target)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == str(target) and "Backing up" not in err  # no bar off a terminal
    assert integrity_problem(target) is None
    assert main(["backup", "--db", str(db_path), "--to", str(target)]) == 1  # never overwritten
    assert "exists already" in capsys.readouterr().err
    assert main(["restore", str(target), "--db", str(db_path)]) == 2
    assert "--force" in capsys.readouterr().err
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    assert main(["restore", str(bad), "--db", str(db_path), "--force"]) == 1  # checked first
    assert "not a sound backup" in capsys.readouterr().err
    assert main(["restore", str(target), "--db", str(db_path), "--force"]) == 0
    with demo_sessions() as session:
        assert [e.action for e in audit.recent(session, 1)] == ["restore"]
        assert audit.verify(session, store_key()).ok


async def test_the_register_backs_up_once_a_day_in_a_worker(
    demo_sessions: sessionmaker[Session], db_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "daily"
    settings = Settings(register={"database": db_path}, backup={"daily": True, "folder": folder})
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.check_daily_backup()  # the same business day: nothing more
        await app.workers.wait_for_complete()
    (made,) = backups_in(folder)
    assert made.name.startswith("pos-20260310-100000")
    manifest = read_manifest(made)  # the daily backup writes its manifest too, 0600
    assert manifest is not None and check_backup(made) == manifest
    assert made.stat().st_mode & 0o777 == 0o600 == manifest_path(made).stat().st_mode & 0o777
    with demo_sessions() as session:
        (mark,) = session.scalars(select(AuditAnchor))
    assert (mark.source, mark.at) == ("backup", fixed_clock())
    assert (mark.events, mark.head_hash) == (manifest.audit_events, manifest.audit_head)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    settings = Settings(register={"database": db_path}, backup={"daily": True, "folder": blocked})
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "The daily backup failed" in screen_text(app)
