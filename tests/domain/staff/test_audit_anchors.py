"""The audit chain is signed with the store key and anchored: truncation, deleting every
row and a recomputed chain are all caught by ``pos audit verify`` (exit 1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.config import Settings
from pos.domain.staff import audit
from pos.models import AuditAnchor, AuditEvent, OutboxItem
from pos.store.bootstrap import open_store
from pos.store.db import alembic_config, make_engine, make_session_factory, upgrade
from tests.conftest import NOW
from tests.store_keys import store_key

OTHER_KEY = b"k" * 32


@pytest.fixture
def store(settings: Settings) -> Iterator[tuple[Engine, sessionmaker[Session]]]:
    """The store as the ``pos`` commands open it: sessions signing with the test run's key
    (which ``pos init`` or the register's first start creates)."""
    store_key()
    engine, sessions = open_store(settings)
    yield engine, sessions
    engine.dispose()


def add_events(sessions: sessionmaker[Session], n: int, start: int = 0) -> None:
    with sessions.begin() as session:
        for i in range(start, start + n):
            audit.record(
                session,
                "drawer.open",
                at=NOW + timedelta(seconds=i),
                actor="u1",
                detail={"n": i},
            )


def verify_cli(db_path: Path, *extra: str) -> int:
    return main(["audit", "verify", "--db", str(db_path), *extra])


def recompute(engine: Engine, key: bytes | None, version: int, edit_id: int) -> None:
    """What a forger with database access does: edit a row, then rehash the chain after it."""
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        prev = audit.GENESIS
        for row in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            if row.id == edit_id:
                row.detail = {"n": 999}
            if row.id >= edit_id:
                row.prev_hash = prev
                row.hash = audit.digest(
                    prev, row.id, row.at, row.action, row.actor, row.approved_by,
                    row.subject, row.detail, key,
                )  # fmt: skip
                row.hash_version = version
            prev = row.hash


def test_rows_are_signed_with_the_store_key(
    store: tuple[Engine, sessionmaker[Session]],
) -> None:
    _engine, sessions = store
    add_events(sessions, 3)
    with sessions() as session:
        rows = list(session.scalars(select(AuditEvent)))
        assert {row.hash_version for row in rows} == {audit.HMAC_SHA256}
        assert audit.verify(session, store_key()).ok
        broken = audit.verify(session, OTHER_KEY)
        assert broken.broken_id == 1 and "store key" in broken.reason


def test_truncation_is_caught_against_the_anchor(
    store: tuple[Engine, sessionmaker[Session]],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine, sessions = store
    add_events(sessions, 5)
    with sessions.begin() as session:
        assert audit.anchor(session, audit.Z_REPORT, NOW).events == 5
    add_events(sessions, 2, start=5)
    assert verify_cli(db_path) == 0
    assert "Audit log intact: 7 events checked" in capsys.readouterr().out
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id > 3"))
    with sessions() as session:
        result = audit.verify(session)  # the chain of 3 itself holds
    assert result.broken_id is None and not result.ok and result.anchor is not None
    assert result.anchor.events == 5 and result.checked == 3
    assert verify_cli(db_path) == 1
    err = capsys.readouterr().err
    assert "does not match the Z report anchor" in err
    assert "the log has 3 events but the anchor counted 5: the newest events were deleted" in err


def test_deleting_every_row_is_caught(
    store: tuple[Engine, sessionmaker[Session]],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine, sessions = store
    add_events(sessions, 4)
    with sessions.begin() as session:
        audit.anchor(session, audit.BACKUP, NOW)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event"))
    assert verify_cli(db_path) == 1
    err = capsys.readouterr().err
    assert "the log is empty but the anchor counted 4 events: all were deleted" in err
    assert "Audit log intact" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("key", "version", "message"),
    [
        (None, audit.HMAC_SHA256, "its hash was not made with the store key"),
        (OTHER_KEY, audit.HMAC_SHA256, "its hash was not made with the store key"),
        (None, audit.SHA256, "a plain SHA-256 hash after events signed with the store key"),
    ],
)
def test_an_edited_and_recomputed_chain_is_caught(
    store: tuple[Engine, sessionmaker[Session]],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    key: bytes | None,
    version: int,
    message: str,
) -> None:
    engine, sessions = store
    add_events(sessions, 5)
    recompute(engine, key, version, edit_id=3)
    assert verify_cli(db_path) == 1
    err = capsys.readouterr().err
    assert "Audit log broken at event 3" in err and message in err


def test_a_whole_chain_rewritten_without_the_key_is_caught_by_the_paper_anchor(
    store: tuple[Engine, sessionmaker[Session]],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every row rehashed as plain SHA-256 and the local anchors deleted: the Z report's
    line (``EVENTS:HASH``) still catches it."""
    engine, sessions = store
    add_events(sessions, 4)
    with sessions() as session:
        printed = audit.head(session)
    recompute(engine, None, audit.SHA256, edit_id=1)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_anchor"))
    assert verify_cli(db_path) == 0  # nothing local left to compare with
    capsys.readouterr()
    assert verify_cli(db_path, "--anchor", f"{printed.events}:{printed.short}") == 1
    assert "does not have the hash the anchor recorded" in capsys.readouterr().err
    assert verify_cli(db_path, "--anchor", "4:xyz") == 2
    assert "Not an anchor" in capsys.readouterr().err


def test_an_anchor_edited_to_hide_a_truncation_is_caught(
    store: tuple[Engine, sessionmaker[Session]],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine, sessions = store
    add_events(sessions, 5)
    with sessions.begin() as session:
        audit.anchor(session, audit.SYNC, NOW)
        third = session.get(AuditEvent, 3)
        assert third is not None
        third_hash = third.hash
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id > 3"))
        connection.execute(
            text("UPDATE audit_anchor SET events = 3, head_hash = :h"), {"h": third_hash}
        )
    assert verify_cli(db_path) == 1
    assert "forged or altered" in capsys.readouterr().err


def test_old_sha256_rows_still_verify_after_the_upgrade(tmp_path: Path) -> None:
    """Rows written by the register before the store key (revision 0011) keep verifying,
    and keyed rows follow them."""
    from alembic import command

    path = tmp_path / "old.db"
    engine = make_engine(path, foreign_keys=False)
    prev = audit.GENESIS
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0011")
        for n in (1, 2, 3):
            at = datetime(2026, 3, 1, 2, n, tzinfo=UTC)
            digest = audit.digest(prev, n, at, "login", "u1", None, "", {"n": n})
            connection.execute(
                text(
                    "INSERT INTO audit_event (id, at, action, actor, approved_by, subject,"
                    " detail, prev_hash, hash) VALUES (:id, :at, 'login', 'u1', NULL, '',"
                    " :detail, :prev, :hash)"
                ),
                {
                    "id": n,
                    "at": at.replace(tzinfo=None),
                    "detail": json.dumps({"n": n}),
                    "prev": prev,
                    "hash": digest,
                },
            )
            prev = digest
    engine.dispose()
    engine = make_engine(path)
    assert upgrade(engine) is True
    sessions = audit.keyed(make_session_factory(engine), store_key())
    add_events(sessions, 2)
    with sessions() as session:
        versions = [row.hash_version for row in session.scalars(select(AuditEvent))]
        assert versions == [1, 1, 1, 2, 2]
        result = audit.verify(session)
        assert result.ok and result.checked == 5
    engine.dispose()


def test_the_z_report_prints_the_head_and_anchors_it(
    store: tuple[Engine, sessionmaker[Session]],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _engine, sessions = store
    add_events(sessions, 2)
    db = ["--db", str(db_path)]
    assert main(["shift", "open", "--float", "500", "--by", "u1", *db]) == 0
    capsys.readouterr()
    with sessions() as session:
        before = audit.head(session)
    assert main(["shift", "close", "--counted", "100=5", *db]) == 0
    out = capsys.readouterr().out
    # The report prints in the receipt's language (Chinese by default).
    assert f"事件 {before.events} 条" in out and f"链头 {before.short}" in out
    with sessions() as session:
        (mark,) = session.scalars(select(AuditAnchor))
        assert (mark.source, mark.events, mark.head_hash) == ("z_report", 2, before.hash)
    assert verify_cli(db_path, "--anchor", f"{before.events}:{before.short}") == 0
    assert "Anchors checked: 2" in capsys.readouterr().out


def test_a_sync_sends_the_head_once_per_change(
    store: tuple[Engine, sessionmaker[Session]],
) -> None:
    _engine, sessions = store
    add_events(sessions, 2)
    with sessions.begin() as session:
        sent = audit.anchor_for_sync(session, NOW)
        assert sent is not None and sent.events == 2
        assert audit.anchor_for_sync(session, NOW) is None  # unchanged: nothing new
    add_events(sessions, 1, start=2)
    with sessions.begin() as session:
        assert audit.anchor_for_sync(session, NOW) is not None
    with sessions() as session:
        items = session.scalars(select(OutboxItem).where(OutboxItem.kind == "audit.anchor")).all()
        heads = [json.loads(item.payload) for item in items]
        assert [(h["events"], len(h["head"])) for h in heads] == [(2, 64), (3, 64)]
        assert audit.verify(session).anchors == 2


@settings(max_examples=25, deadline=None)
@given(
    events=st.integers(min_value=1, max_value=8),
    anchored=st.integers(min_value=1, max_value=8),
    cut=st.integers(min_value=0, max_value=8),
)
def test_any_cut_below_an_anchor_is_caught(
    tmp_path_factory: pytest.TempPathFactory, events: int, anchored: int, cut: int
) -> None:
    """Property: keep ``cut`` of the rows; the log verifies exactly when no anchor counted more."""
    anchored, cut = min(anchored, events), min(cut, events)
    path = tmp_path_factory.mktemp("cut") / "pos.db"
    engine = make_engine(path)
    upgrade(engine)
    sessions = audit.keyed(make_session_factory(engine), OTHER_KEY)
    add_events(sessions, anchored)
    with sessions.begin() as session:
        audit.anchor(session, audit.BACKUP, NOW)
    add_events(sessions, events - anchored, start=anchored)
    with sessions.begin() as session:
        session.execute(text("DELETE FROM audit_event WHERE id > :cut"), {"cut": cut})
    with sessions() as session:
        result = audit.verify(session)
    engine.dispose()
    assert result.broken_id is None
    assert result.ok == (cut >= anchored)


def test_a_damaged_key_file_stops_the_command_with_a_message(
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = tmp_path / "store.key"
    monkeypatch.setenv("POS_REGISTER__KEY_FILE", str(key))
    assert main(["init", "--db", str(db_path)]) == 0
    key.write_bytes(b"short")  # damaged after the store was made
    capsys.readouterr()
    assert verify_cli(db_path) == 2
    assert "Store key error" in capsys.readouterr().err
    assert key.read_bytes() == b"short"  # never replaced
    other = tmp_path / "other.db"
    assert main(["init", "--db", str(other)]) == 2  # nor is a store made without a good key
    assert "Store key error" in capsys.readouterr().err
    assert not other.exists()
