"""The register's first screen is painted before its register is built (issue #18, part 3).

Each test starts the app as ``pos`` does, from a :class:`RegisterStart` that builds the
register in a worker, here held back by a ``threading.Event`` until the test lets it go:
what the cashier does meanwhile waits for it, in order, and nothing changes before it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot

from pos.app import PosApp
from pos.app.boot import RegisterStart
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.staff.login import LoginModal
from pos.app.widgets.cart_table import CartTable
from pos.config import Settings
from pos.register.startup import Started, boot_register, start_register
from tests.conftest import fixed_clock
from tests.helpers import barcode_of, burst, screen_text, type_text

SIZE = (120, 40)
SKUS = ("P00063", "P00068", "P00063", "P00136")


class HeldStart:
    """Builds the register on the demo store once :attr:`go` is set (in the app's worker)."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.go = threading.Event()

    def build(self) -> Started:
        assert self.go.wait(30), "the test never let the register start"
        return start_register(self.settings, self.sessions, fixed_clock)


async def worker_done(app: PosApp, pilot: Pilot[Any], shown: Callable[[], object]) -> None:
    """The start's worker finished, and the app has shown it (``shown()``), or 50 pauses."""
    await app.workers.wait_for_complete()
    for _ in range(50):
        await pilot.pause()
        if shown():
            return


async def test_scans_typed_before_the_register_is_ready_are_all_added_in_order(
    settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    held = HeldStart(settings, demo_sessions)
    app = PosApp(RegisterStart(build=held.build), settings)
    codes = [barcode_of(demo_sessions, sku) for sku in SKUS]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CheckoutScreen) and not app.started
        assert "Starting, one moment" in screen_text(app)
        burst(app, "".join(code + "\n" for code in codes[:2]))  # a scanner's burst
        await pilot.pause()
        await type_text(pilot, codes[2])  # a person typing a code
        await pilot.press("enter")
        burst(app, codes[3] + "\n")
        await pilot.pause()
        assert screen.query_one(CartTable).row_count == 0  # nothing shown before it is ready
        held.go.set()
        await app.workers.wait_for_complete()
        for _ in range(50):
            await pilot.pause()
            if screen.started:
                break
        assert screen.started
        lines = app.register.cart().lines
        assert [line.sku for line in lines] == ["P00063", "P00068", "P00136"]
        assert [line.qty for line in lines] == [2, 1, 1]
        assert screen.query_one(CartTable).row_count == 3


async def test_a_function_key_before_the_register_is_ready_says_so_and_changes_nothing(
    settings: Settings, demo_sessions: sessionmaker[Session]
) -> None:
    held = HeldStart(settings, demo_sessions)
    app = PosApp(RegisterStart(build=held.build), settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CheckoutScreen)
        checkout = screen
        for key in ("f12", "f10", "f3", "ctrl+t", "ctrl+b", "up"):
            await pilot.press(key)
            assert app.screen is screen  # no form opened
            assert "Starting, one moment" in screen_text(app)
        held.go.set()
        await app.workers.wait_for_complete()
        for _ in range(50):
            await pilot.pause()
            if checkout.started:
                break
        assert not app.register.cart().lines
        assert "Ready: scan a product" in screen_text(app)
        await pilot.press("f3")  # once ready, the keys work
        assert app.screen is not screen


async def test_the_login_typed_before_the_register_is_ready_is_checked_once_it_is(
    db_path: Path, demo_sessions: sessionmaker[Session]
) -> None:
    settings = Settings(register={"database": db_path, "require_login": True})
    held = HeldStart(settings, demo_sessions)
    app = PosApp(RegisterStart(build=held.build), settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginModal)
        await type_text(pilot, "dianzhang")
        await pilot.press("enter")
        await type_text(pilot, "9999")
        await pilot.press("enter")  # waits for the register
        assert isinstance(app.screen, LoginModal)
        held.go.set()
        await app.workers.wait_for_complete()
        for _ in range(50):
            await pilot.pause()
            if isinstance(app.screen, CheckoutScreen):
                break
        assert isinstance(app.screen, CheckoutScreen)
        user = app.register.user
        assert user is not None and user.name == "李店长"
        assert "李店长" in app.sub_title


async def test_a_store_that_fails_to_open_is_said_on_the_screen(tmp_path: Path) -> None:
    broken = tmp_path / "pos.db"
    broken.write_bytes(b"this is not a database" * 100)
    settings = Settings(register={"database": broken})
    app = PosApp(RegisterStart(build=lambda: boot_register(settings)), settings)
    async with app.run_test(size=SIZE) as pilot:
        await worker_done(app, pilot, lambda: app.start_failure)
        assert app.start_failure is not None
        assert app.start_failure.startswith("The store could not be opened: ")
        text = screen_text(app)
        assert "The store could not be opened" in text
        assert "Traceback" not in text
        assert "Background on this error" not in app.start_failure  # the cause, not links
        await pilot.press("f12")  # still not selling: the reason is said again
        assert isinstance(app.screen, CheckoutScreen) and not app.started
        assert "The store could not be opened" in screen_text(app)
        await pilot.press("ctrl+q")  # quitting still works
    assert app.return_code == 0


async def test_no_collection_walks_the_register_while_it_is_built_and_it_is_frozen_after(
    settings: Settings, demo_engine: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker builds the register (~300 ms of imports and long-lived objects at start)
    with the collector off, as ``pos``'s own imports are; frozen after, then on again."""
    import gc

    from pos.app import register_app
    from pos.register import startup

    seen: list[bool] = []

    def recording(*args: Any, **kwargs: Any) -> Started:
        seen.append(gc.isenabled())
        return start_register(*args, **kwargs)

    monkeypatch.setattr(startup, "start_register", recording)
    gc.unfreeze()
    app = register_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await worker_done(app, pilot, lambda: app.started)
        assert app.started and seen == [False]
        assert gc.isenabled() and gc.get_freeze_count() > 0
