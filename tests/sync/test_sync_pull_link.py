"""A link to head office that stops forwarding: reported offline in time, never hangs anything."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot

from pos.app import PosApp
from pos.app.app import build_app
from pos.config import Settings
from pos.register.service import RegisterIdentity, RegisterService
from pos.store.db import make_engine, make_session_factory
from pos.sync import central, runner
from tests.conftest import NOW, fixed_clock
from tests.helpers import barcode_of, type_text
from tests.postgres import TcpProxy

STALL = 2
"""Seconds the tests give head office to answer (the default is 30)."""


class BlackHole(TcpProxy):
    """A relay that, once :attr:`hole` is set, swallows every byte: the connections stay
    open, nothing is forwarded, nothing is refused (a link that silently stalls)."""

    def __init__(self, port: int) -> None:
        self.hole = threading.Event()
        super().__init__(port)

    def _pump(self, source: socket.socket, target: socket.socket, upstream: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if not self.hole.is_set():
                    target.sendall(chunk)
        except OSError:
            pass


@pytest.fixture
def hole(hq_url: str) -> Iterator[tuple[BlackHole, str]]:
    """A black-holing relay to a new head office, and the URL through it."""
    port = int(hq_url.rsplit(":", 1)[1].split("/", 1)[0])
    proxy = BlackHole(port)
    yield proxy, proxy.url(hq_url.rsplit("/", 1)[1])
    proxy.close()


def sell(sessions: sessionmaker[Session], service: RegisterService) -> None:
    """One cash sale."""
    from pos.enums import Tender

    service.scan(barcode_of(sessions, "P00001"))
    tendering = service.start_payment()
    tendering.add(Tender.CASH, None)
    service.complete(tendering)


def test_a_stalled_link_fails_the_sync_within_the_stall_time(
    demo_template: Path, tmp_path: Path, hole: tuple[BlackHole, str]
) -> None:
    proxy, url = hole
    path = tmp_path / "store.db"
    shutil.copy(demo_template, path)
    engine = make_engine(path)
    sessions = make_session_factory(engine)
    service = RegisterService(sessions, RegisterIdentity("001", "01"), lambda: NOW)
    first = central.make_hq_engine(url)
    runner.sync(sessions, first, "001", "01")  # the demo store's outbox goes up
    first.dispose()
    hq = central.make_hq_engine(url, central.LinkSettings(stall=STALL))
    try:
        with hq.connect() as connection:  # the link works: a connection in the pool
            connection.execute(text("SELECT 1"))
        sell(sessions, service)
        proxy.hole.set()
        started = time.monotonic()
        with pytest.raises(runner.SyncFailed, match=f"no answer from head office within {STALL} s"):
            runner.sync(sessions, hq, "001", "01")
        took = time.monotonic() - started
        # the pooled connection is cut after STALL s, a new one gives up after STALL s more
        assert took < 3 * STALL + 2, took
        status = runner.status(sessions)
        assert status.error.startswith("no answer") and status.waiting >= 1  # nothing lost
    finally:
        hq.dispose()
        engine.dispose()


def test_the_register_shows_offline_in_time_and_quits_at_once(
    settings: Settings, demo_sessions: sessionmaker[Session], hole: tuple[BlackHole, str]
) -> None:
    proxy, url = hole
    chain = settings.model_copy(
        update={
            "sync": settings.sync.model_copy(
                update={"hq_url": url, "stall_seconds": STALL, "interval_seconds": 3600}
            )
        }
    )
    app = build_app(chain, demo_sessions, clock=fixed_clock)

    async def scenario() -> float:
        async with app.run_test(size=(120, 40)) as pilot:
            await _until(pilot, app, lambda: "HQ:" in sync_line(app), 20)
            await _until(pilot, app, lambda: "offline" not in sync_line(app), 20)
            proxy.hole.set()
            started = time.monotonic()
            await type_text(pilot, barcode_of(demo_sessions, "P00001"))
            await pilot.press("enter")
            app.kick_sync()
            await _until(pilot, app, lambda: "offline" in sync_line(app), 3 * STALL + 2)
            offline_after = time.monotonic() - started
            assert offline_after < 3 * STALL + 2
            app.kick_sync()  # a pass stuck on the link while the cashier quits
            await pilot.pause(0.2)
            quitting = time.monotonic()
            app.exit()
        return time.monotonic() - quitting

    import asyncio

    quit_took = asyncio.run(scenario())
    assert quit_took < 1.5, quit_took


def sync_line(app: PosApp) -> str:
    """The status bar's line about head office."""
    from pos.app.widgets.status.sync_status import SyncStatusBar

    return app.screen.query_one(SyncStatusBar).text


async def _until(
    pilot: Pilot[Any], app: PosApp, condition: Callable[[], bool], seconds: float
) -> None:
    """Let the app run until ``condition()`` holds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, sync_line(app)
        await pilot.pause(0.1)


def test_every_head_office_session_carries_the_time_limits(hq_url: str) -> None:
    link = central.LinkSettings(statement_timeout=7, lock_timeout=3, idle_in_transaction=11)
    engine = central.make_hq_engine(hq_url, link)
    try:
        with engine.connect() as connection:
            shown = {
                name: connection.scalar(text(f"SHOW {name}"))
                for name in (
                    "statement_timeout",
                    "lock_timeout",
                    "idle_in_transaction_session_timeout",
                )
            }
            keepalives = connection.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
        assert shown == {
            "statement_timeout": "7s",
            "lock_timeout": "3s",
            "idle_in_transaction_session_timeout": "11s",
        }
        assert keepalives["keepalives_idle"] == "10" and keepalives["keepalives"] == "1"
    finally:
        engine.dispose()
