"""``pos import sales`` writes from its scratch file attached to the store's connection:
imports one after the other in one transaction, and nothing left attached after a
chunked import."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.models import Sale, SaleLine
from pos.transfer import sales_import
from pos.transfer.import_common import chunked
from pos.transfer.sales_import import Staging, import_sales
from tests.transfer.test_sales_import import sale, write_sales


def _attached(session: Session) -> list[str]:
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return [name for _seq, name, _file in raw.execute("PRAGMA database_list")]


def test_two_imports_in_one_transaction(
    demo_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    first = sale(1, [("P00063", 1, 350)], restricted_buyer=True)
    second = sale(2, [("P00039", 2, 1200), ("P00063", 1, 350)])
    third = sale(3, [("P00039", 1, 1200)], restricted_buyer=True)
    with demo_sessions.begin() as session:
        one = import_sales(session, write_sales(tmp_path / "a.jsonl", first, second))
        # the first scratch file is still in use by this transaction: a second one beside it
        two = import_sales(session, write_sales(tmp_path / "b.jsonl", first, second, third))
    assert (one.created, one.duplicates, one.restricted_buyers) == (2, 0, 1)
    assert (two.created, two.duplicates, two.restricted_buyers) == (1, 2, 1)
    assert two.warnings[:2] == [
        "line 1: sale S001-01-20250101-0001 is already stored: skipped",
        "line 2: sale S001-01-20250101-0002 is already stored: skipped",
    ]
    with demo_sessions() as session:
        numbers = session.scalars(select(Sale.number).order_by(Sale.id)).all()
        lines = session.scalar(select(func.count()).select_from(SaleLine))
    assert numbers == [f"S001-01-20250101-000{seq}" for seq in (1, 2, 3)]
    assert lines == 4


def test_a_chunked_import_leaves_no_scratch_file_attached(
    demo_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = write_sales(tmp_path / "s.jsonl", *(sale(seq, [("P00063", 1, 350)]) for seq in (1, 2)))
    with chunked(demo_sessions) as (session, chunks):
        report = import_sales(session, path, False, None, chunks)
        assert not any(name.startswith(Staging.ALIAS) for name in _attached(session))
    assert report.created == 2 and chunks.commits > 0


def test_the_page_cache_and_log_are_as_before_after_an_import(
    demo_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """The import writes with a big page cache and a long log, on the pool's connection:
    both are back to what they were, also after a failed import."""

    def pragmas(session: Session) -> tuple[int, int]:
        raw = session.connection().connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        during.append(raw.execute("PRAGMA cache_size").fetchone()[0])
        return (
            raw.execute("PRAGMA cache_size").fetchone()[0],
            raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0],
        )

    during: list[int] = []
    path = write_sales(tmp_path / "s.jsonl", sale(1, [("P00063", 1, 350)]))
    broken = write_sales(tmp_path / "b.jsonl", sale(2, [("P00063", 1, 350)]))
    with chunked(demo_sessions) as (session, chunks):
        before = pragmas(session)
        original = sales_import._write_all

        def write_all(*args: Any) -> None:
            pragmas(session)
            original(*args)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sales_import, "_write_all", write_all)
            assert import_sales(session, path, False, None, chunks).created == 1
        assert pragmas(session) == before
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sales_import.Staging, "copy", _fail)
            with pytest.raises(RuntimeError):
                import_sales(session, broken, False, None, chunks)
        session.rollback()
        assert pragmas(session) == before
    assert during[1] == -sales_import.WRITE_CACHE_KB != before[0]


def _fail(*_args: Any) -> int:
    raise RuntimeError("disk gone")
