"""The status bar shows the chain sync: items waiting, offline, in sync."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.app import build_app
from pos.app.widgets.status.sync_status import SyncStatusBar
from pos.config import Settings
from pos.models import Sale
from tests.conftest import fixed_clock
from tests.helpers import barcode_of, closed_port, type_text

SIZE = (120, 40)


async def test_status_bar_shows_waiting_items_while_head_office_is_offline(
    db_path: Path, demo_sessions: sessionmaker[Session]
) -> None:
    offline = f"postgresql://pos@127.0.0.1:{closed_port()}/hq"
    settings = Settings(register={"database": db_path}, sync={"hq_url": offline})
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        bar = app.screen.query_one(SyncStatusBar)
        assert bar.display
        before = int(bar.text.split("offline, ")[1].split(" ")[0])
        assert before > 0 and "HQ: offline" in bar.text
        await type_text(pilot, barcode_of(demo_sessions, "P00001"))
        await pilot.press("enter", "f9", "f12", "enter")  # guidance told, paid in cash
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        with demo_sessions() as session:
            assert session.scalar(select(func.count()).select_from(Sale)) == 1
        after = int(bar.text.split("offline, ")[1].split(" ")[0])
        assert after > before  # the sale and its stock movement wait for head office


async def test_status_bar_shows_in_sync_after_a_pass(
    db_path: Path, demo_sessions: sessionmaker[Session], hq_url: str
) -> None:
    settings = Settings(register={"database": db_path}, sync={"hq_url": hq_url})
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one(SyncStatusBar).text.startswith("HQ: in sync")


async def test_status_bar_hidden_without_head_office(
    db_path: Path, demo_sessions: sessionmaker[Session]
) -> None:
    app = build_app(Settings(register={"database": db_path}), demo_sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE):
        assert not app.screen.query_one(SyncStatusBar).display
