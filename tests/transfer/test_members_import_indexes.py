"""A members import of more new members than there are on file writes without the
member indexes on name, initials and last 4 digits, and builds them again at its end;
a failing import builds them again at once, a killed one leaves them to the store's
next open; registers find members by those keys meanwhile."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.members import members
from pos.models import Member
from pos.store.db import indexes_away, open_database
from pos.transfer import member_import
from pos.transfer.import_common import Chunks, chunked
from pos.transfer.member_import import import_members
from tests.transfer.test_members_import_speed import NOW, TIERS, ZONE, members_file

DEFERRED = set(member_import._DEFERRED)


def indexes(path: Path) -> set[str]:
    """The named indexes of the database (read on a connection of its own)."""
    raw = sqlite3.connect(path)
    try:
        return {
            name
            for (name,) in raw.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        }
    finally:
        raw.close()


@pytest.fixture
def all_indexes(db_path: Path, sessions: sessionmaker[Session]) -> set[str]:
    """Every index a new store has (the models', as the migrations made them)."""
    found = indexes(db_path)
    assert found >= DEFERRED
    return found


def spy_batches(monkeypatch: pytest.MonkeyPatch, each: object) -> list[int]:
    """Call ``each(batch)`` after each batch of new members is written; the batches' numbers."""
    create = member_import._Writer.create
    seen: list[int] = []

    def spied(
        writer: member_import._Writer, first: int, last: int, ahead: member_import._Ahead
    ) -> int:
        created = create(writer, first, last, ahead)
        seen.append(len(seen) + 1)
        each(len(seen))  # type: ignore[operator]
        return created

    monkeypatch.setattr(member_import._Writer, "create", spied)
    return seen


def test_a_big_import_writes_without_the_name_indexes_and_ends_with_every_index(
    sessions: sessionmaker[Session],
    db_path: Path,
    tmp_path: Path,
    all_indexes: set[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = members_file(tmp_path / "members.csv", 2_500)
    during: list[set[str]] = []
    found: list[int] = []

    def look(batch: int) -> None:
        if batch == 1:
            return  # nothing committed yet: the others see the store as it was
        during.append(indexes(db_path))
        with sessions() as register:  # a register looking members up meanwhile
            first = register.scalars(select(Member).order_by(Member.id).limit(1)).one()
            assert first.name and first.phone
            found.append(len(members.lookup(register, first.name)))
            found.append(len(members.lookup(register, first.phone[-4:])))

    batches = spy_batches(monkeypatch, look)
    with chunked(sessions) as (session, _chunks):
        chunks = Chunks(session, seconds=0, pause=0)  # a commit after every batch
        report = import_members(session, path, TIERS, NOW, ZONE, "S001", chunks=chunks)
    assert report.created == 2_500 and len(batches) == 3
    assert len(during) == 2 and all(seen == all_indexes - DEFERRED for seen in during)
    assert all(found)
    assert indexes(db_path) == all_indexes
    raw = sqlite3.connect(db_path)
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()


def test_an_import_of_fewer_new_members_than_on_file_keeps_the_indexes(
    sessions: sessionmaker[Session],
    db_path: Path,
    tmp_path: Path,
    all_indexes: set[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with chunked(sessions) as (session, chunks):
        import_members(
            session, members_file(tmp_path / "a.csv", 1_500), TIERS, NOW, ZONE, chunks=chunks
        )
    during: list[set[str]] = []
    spy_batches(monkeypatch, lambda _batch: during.append(indexes(db_path)))
    bigger = members_file(tmp_path / "b.csv", 2_500)  # 1,500 on file, 1,000 new
    with chunked(sessions) as (session, chunks):
        report = import_members(session, bigger, TIERS, NOW, ZONE, chunks=chunks, skip_bad=True)
    # the rows without a card (one in seven) of members on file are new members with a
    # phone on file: bad
    assert (report.created, report.updated, len(report.errors)) == (1_000, 1_285, 215)
    assert during and all(seen == all_indexes for seen in during)


def test_a_failing_import_builds_the_indexes_again_at_once(
    sessions: sessionmaker[Session],
    db_path: Path,
    tmp_path: Path,
    all_indexes: set[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(batch: int) -> None:
        if batch == 2:
            assert indexes(db_path) == all_indexes - DEFERRED
            raise RuntimeError("disk on fire")

    spy_batches(monkeypatch, fail)
    path = members_file(tmp_path / "members.csv", 2_500)
    with pytest.raises(RuntimeError, match="disk on fire"), chunked(sessions) as (session, _c):
        chunks = Chunks(session, seconds=0, pause=0)
        import_members(session, path, TIERS, NOW, ZONE, chunks=chunks)
    assert indexes(db_path) == all_indexes
    with sessions() as session:  # the first batch's chunk is stored, the second's not
        assert session.scalar(select(func.count()).select_from(Member)) == 1_000


KILLED = """
import os, signal, sys
from pathlib import Path
from pos.store.db import open_database
from pos.transfer import member_import
from pos.transfer.import_common import Chunks, chunked
from tests.transfer.test_members_import_speed import NOW, TIERS, ZONE

create = member_import._Writer.create
def killing(writer, first, last, ahead):
    created = create(writer, first, last, ahead)
    if first > 1000:
        os.kill(os.getpid(), signal.SIGKILL)
    return created
member_import._Writer.create = killing
_engine, sessions = open_database(sys.argv[1])
with chunked(sessions) as (session, _chunks):
    chunks = Chunks(session, seconds=0, pause=0)
    member_import.import_members(session, Path(sys.argv[2]), TIERS, NOW, ZONE, chunks=chunks)
"""


@pytest.fixture
def killed_import(
    sessions: sessionmaker[Session], db_path: Path, tmp_path: Path, all_indexes: set[str]
) -> Iterator[Path]:
    """The store of an import killed (SIGKILL) after its first batch was committed."""
    path = members_file(tmp_path / "members.csv", 2_500)
    done = subprocess.run(
        [sys.executable, "-c", KILLED, str(db_path), str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == -9, done.stderr
    assert indexes(db_path) == all_indexes - DEFERRED
    yield db_path


def test_a_killed_import_leaves_the_indexes_to_the_next_open(
    killed_import: Path, all_indexes: set[str]
) -> None:
    engine, sessions = open_database(killed_import)
    assert indexes(killed_import) == all_indexes
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Member)) == 1_000  # the first chunk
    engine.dispose()
    raw = sqlite3.connect(killed_import)
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()


def test_an_open_beside_a_running_import_leaves_the_indexes_to_it(
    killed_import: Path, all_indexes: set[str]
) -> None:
    with indexes_away(killed_import):  # as an import holds it while it writes
        engine, _sessions = open_database(killed_import)
        engine.dispose()
        assert indexes(killed_import) == all_indexes - DEFERRED
    engine, _sessions = open_database(killed_import)
    engine.dispose()
    assert indexes(killed_import) == all_indexes
