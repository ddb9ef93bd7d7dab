"""A register selling beside a long writer: imports commit in short chunks, and while the
database is locked the register keeps every scanned line and the sale, and says "Saving…"."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot

from pos.app import PosApp
from pos.app.modals.pharmacy.acknowledge import AcknowledgeModal
from pos.app.modals.sale.payment import PaymentModal
from pos.config import DEFAULT_TIERS
from pos.domain.pharmacy.guidance import import_guidance
from pos.domain.suggestions.pairings import import_pairings
from pos.models import Base, ParkedCart, PointsEntry, Sale, SaleLine, StockMovement
from pos.store import db
from pos.store.demo import demo_file
from pos.transfer import member_import
from pos.transfer.import_common import Chunks, ImportReport, chunked
from pos.transfer.imports import BATCH_ROWS as PRODUCT_BATCH
from pos.transfer.imports import import_products, import_stock
from pos.transfer.member_import import import_members
from pos.transfer.sales_import import SalesProgress, import_sales
from pos.transfer.stock_import import BATCH_ROWS as STOCK_BATCH
from tests.conftest import TODAY
from tests.helpers import barcode_of, burst, screen_text, type_text
from tests.transfer.test_sales_import import sale

SIZE = (120, 40)
BESIDE_SALES = 600_000
"""Sales imported beside the register, four times as many as in the issue: their writing, in
SQL from the stage, must last longer than a cashier's whole sale on any machine the suite
runs on (since the import checks in two processes and copies with a big cache, 300,000 were
written in about 3 s here, and the sale was once finished only after the import)."""


def write_many_sales(path: Path, count: int) -> Path:
    """``count`` sales of register 02 in the export's JSON lines, 1,000 per business day."""
    start = date(2025, 1, 1)
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            day = start + timedelta(days=index // 1000)
            seq = index % 1000 + 1
            record = sale(seq, [("P00063", 1, 350), ("P00039", 2, 1200)])
            record["number"] = f"S001-02-{day:%Y%m%d}-{seq:04d}"
            record["register"] = "02"
            record["completed_at"] = f"{day.isoformat()}T02:00:00Z"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def sale_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Sale)) or 0


def saved_cart(sessions: sessionmaker[Session]) -> list[tuple[str, int]]:
    """(sku, qty) of the register's saved cart in progress, as stored."""
    with sessions() as session:
        row = session.scalar(select(ParkedCart).where(ParkedCart.kind == "current"))
        return [] if row is None else [(line["sku"], line["qty"]) for line in row.data["lines"]]


def shown_cart(app: PosApp) -> list[tuple[str, int]]:
    return [(line.sku, line.qty) for line in app.register.cart().lines]


async def scan(pilot: Pilot[Any], text: str) -> None:
    await type_text(pilot, text)
    await pilot.press("enter")


async def pay(pilot: Pilot[Any], app: PosApp) -> None:
    """F12, guidance given for each line that asks (F9), then the rest in cash."""
    await pilot.press("f12")
    while isinstance(app.screen, AcknowledgeModal):
        await pilot.press("f9")
    assert isinstance(app.screen, PaymentModal), screen_text(app)
    await pilot.press("enter")


async def until(pilot: Pilot[Any], done: Callable[[], bool], seconds: float = 10) -> None:
    """Let the app run (its timers fire) until ``done()``; fail after ``seconds``."""
    for _step in range(int(seconds / 0.1)):
        if done():
            return
        await pilot.pause(0.1)
    assert done()


@pytest.fixture
def quick_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writers give up on a held lock after 0.2 s (set before the test's first connection)."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)


@pytest.fixture
def lock(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another program's connection to the store, to hold its write lock."""
    connection = sqlite3.connect(db_path, isolation_level=None)
    yield connection
    connection.close()


@pytest.mark.usefixtures("quick_busy")
async def test_scans_while_locked_are_kept_then_saved(
    app: PosApp, demo_sessions: sessionmaker[Session], lock: sqlite3.Connection
) -> None:
    vitamin, other = barcode_of(demo_sessions, "P00063"), barcode_of(demo_sessions, "P00039")
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, vitamin)
        assert saved_cart(demo_sessions) == [("P00063", 1)]
        lock.execute("BEGIN IMMEDIATE")
        await scan(pilot, other)
        await scan(pilot, f"2*{vitamin}")
        assert shown_cart(app) == [("P00063", 3), ("P00039", 1)]
        assert "Saving…" in screen_text(app)
        assert "Traceback" not in screen_text(app) and app.is_running
        assert saved_cart(demo_sessions) == [("P00063", 1)]  # not stored yet
        lock.execute("COMMIT")
        await until(pilot, lambda: not app.register.unsaved)  # the screen's timer retried
        assert saved_cart(demo_sessions) == [("P00063", 3), ("P00039", 1)]
        assert "Saving…" not in screen_text(app)


@pytest.mark.usefixtures("quick_busy")
async def test_a_sale_completed_while_locked_stays_and_is_stored_on_retry(
    app: PosApp, demo_sessions: sessionmaker[Session], lock: sqlite3.Connection
) -> None:
    vitamin = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, f"2*{vitamin}")
        await pilot.press("f9")  # guidance given
        lock.execute("BEGIN IMMEDIATE")
        await pilot.press("f12", "enter")  # pay the rest in cash
        assert isinstance(app.screen, PaymentModal), screen_text(app)
        assert "database is busy" in screen_text(app)
        assert sale_count(demo_sessions) == 0
        assert shown_cart(app) == [("P00063", 2)]  # the cart stays
        lock.execute("COMMIT")
        await pilot.press("enter")  # try again
        assert not isinstance(app.screen, PaymentModal)
        assert sale_count(demo_sessions) == 1
        assert shown_cart(app) == [] and saved_cart(demo_sessions) == []


async def test_import_of_sales_beside_a_selling_register(
    app: PosApp, demo_sessions: sessionmaker[Session], db_path: Path, tmp_path: Path
) -> None:
    path = write_many_sales(tmp_path / "sales.jsonl", BESIDE_SALES)
    vitamin, other = barcode_of(demo_sessions, "P00063"), barcode_of(demo_sessions, "P00039")
    command = [sys.executable, "-m", "pos", "import", "sales", str(path), "--db", str(db_path)]
    async with app.run_test(size=SIZE) as pilot:
        importer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            await until(pilot, lambda: sale_count(demo_sessions) > 0, 120)  # it is writing
            for _round in range(3):  # as a barcode scanner types: a burst of keys each
                burst(app, vitamin + "\n")
                await pilot.pause()
                burst(app, other + "\n")
                await pilot.pause()
            await scan(pilot, f"3*{vitamin}")
            assert shown_cart(app) == [("P00063", 6), ("P00039", 3)]
            await until(pilot, lambda: not app.register.unsaved)
            assert saved_cart(demo_sessions) == [("P00063", 6), ("P00039", 3)]
            await pay(pilot, app)
            assert not isinstance(app.screen, PaymentModal), screen_text(app)
            running = importer.poll() is None
        finally:
            out, err = await asyncio.to_thread(importer.communicate, None, 300)
    assert running  # the whole sale was made while the import ran
    assert importer.returncode == 0, err
    assert f"{BESIDE_SALES} sales imported" in out.decode(), out
    with demo_sessions() as session:
        mine = session.scalar(select(Sale).where(Sale.register_id == "01"))
        assert mine is not None
        lines = session.execute(
            select(SaleLine.sku, SaleLine.qty).where(SaleLine.sale_id == mine.id)
        ).all()
    assert sorted(lines) == [("P00039", 3), ("P00063", 6)]
    assert sale_count(demo_sessions) == BESIDE_SALES + 1
    assert saved_cart(demo_sessions) == []


def test_a_chunked_import_with_a_bad_line_stores_nothing(
    demo_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = write_many_sales(tmp_path / "sales.jsonl", 3000)
    with path.open("a", encoding="utf-8") as out:
        out.write("{not json\n")  # the last line: found before anything is written
    with chunked(demo_sessions) as (session, chunks):
        report = import_sales(session, path, False, None, chunks)
    assert [error.line for error in report.errors] == [3001] and not report.applied
    assert sale_count(demo_sessions) == 0


def test_an_interrupted_import_runs_again_to_the_end(
    demo_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = write_many_sales(tmp_path / "sales.jsonl", 3000)

    def stop_midway(step: SalesProgress) -> None:
        if not step.checking and step.sales > 1000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), chunked(demo_sessions) as (session, chunks):
        import_sales(session, path, False, stop_midway, chunks)
    stored = sale_count(demo_sessions)
    assert 0 < stored < 3000  # the chunks before the stop are committed
    with chunked(demo_sessions) as (session, chunks):
        report = import_sales(session, path, False, None, chunks)
    assert (report.created, report.duplicates) == (3000 - stored, stored)
    assert chunks.commits > 1
    assert sale_count(demo_sessions) == 3000


def test_chunks_commit_after_their_time() -> None:
    now = [0.0]
    committed: list[float] = []

    class FakeSession:
        def commit(self) -> None:
            committed.append(now[0])

    chunks = Chunks(FakeSession(), seconds=0.1, pause=0, clock=lambda: now[0])  # type: ignore[arg-type]
    for _row in range(10):
        now[0] += 0.03
        chunks.checkpoint()
    assert committed == pytest.approx([0.12, 0.24])
    Chunks().checkpoint()  # without a session: nothing (the caller commits)


def test_every_file_import_commits_row_by_row_and_runs_again_unchanged(
    sessions: sessionmaker[Session],
) -> None:
    """Each chunk committed on its own (here after every row) stores what one transaction
    would; run again (as after a stop midway) every row is found and nothing moves."""

    def load_all(checked: int, rebuilt: int) -> list[tuple[int, int]]:
        now = datetime(2026, 3, 10, tzinfo=UTC)
        tiers = [tier.name for tier in DEFAULT_TIERS]
        done = []
        with chunked(sessions) as (session, _chunks):
            runs: list[Callable[[Chunks], ImportReport]] = [
                lambda c: import_products(session, demo_file("products.csv"), chunks=c),
                lambda c: import_stock(
                    session, demo_file("demo_stock.csv"), relative_to=TODAY, chunks=c
                ),
                lambda c: import_members(
                    session, demo_file("members.csv"), tiers, now, "Asia/Shanghai", chunks=c
                ),
                lambda c: import_guidance(session, demo_file("guidance.toml"), chunks=c),
                lambda c: import_pairings(session, demo_file("pairings.csv"), chunks=c),
            ]
            for index, run in enumerate(runs):
                every_row = Chunks(session, seconds=0, pause=0)
                report = run(every_row)
                assert report.applied and report.errors == []
                rows = report.created + report.updated
                # products and lots are written a batch at a time; members go in batches
                # too: a checkpoint per batch checked against the store (none into a store
                # without members: nothing on file to read), one writing the batch, and into
                # a store with fewer members, the last write and each index built again
                batches = {
                    0: -(-rows // PRODUCT_BATCH), 1: -(-rows // STOCK_BATCH),
                    2: checked + 1 + rebuilt,
                }  # fmt: skip
                assert every_row.commits == batches.get(index, rows)
                done.append((report.created, report.updated))
        return done

    first = load_all(0, 1 + len(member_import._DEFERRED))
    assert [created for created, _updated in first] == [195, 301, 41, 139, 28]
    history = count_rows(sessions, StockMovement), count_rows(sessions, PointsEntry)
    again = load_all(1, 0)
    assert again == [(0, created) for created, _updated in first]
    assert (count_rows(sessions, StockMovement), count_rows(sessions, PointsEntry)) == history


def count_rows(sessions: sessionmaker[Session], model: type[Base]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@given(st.lists(st.floats(min_value=0, max_value=0.05), max_size=200))
def test_no_chunk_holds_longer_than_its_time_plus_one_row(durations: list[float]) -> None:
    """Whatever the rows take, a chunk ends at the first row past ``seconds``."""
    now = [0.0]
    commits: list[float] = []

    class FakeSession:
        def commit(self) -> None:
            commits.append(now[0])

    chunks = Chunks(FakeSession(), seconds=0.1, pause=0, clock=lambda: now[0])  # type: ignore[arg-type]
    for took in durations:
        now[0] += took
        chunks.checkpoint()
    chunks.commit()  # what chunked() does at the end
    starts = [0.0, *commits[:-1]]
    assert all(end - start < 0.1 + 0.05 + 1e-9 for start, end in zip(starts, commits, strict=True))
    assert chunks.commits == len(commits) and commits[-1] == pytest.approx(sum(durations))
