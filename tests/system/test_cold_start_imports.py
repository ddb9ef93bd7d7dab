"""The register's cold start imports only what its first screens need (issue #18, part 3).

A fresh interpreter starts the register as ``pos run`` does (open the store, build the
app) and reaches the checkout screen with the login over it; what it imported by then
is compared with what was made lazy, so that a later import at a module's top cannot
quietly put it back on the way to the first screen.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import asyncio, json, sys

from pos.config import Settings
from pos.register.startup import open_store


async def main(path: str, warm_up: bool) -> None:
    from pos.app import app as app_module
    from pos.app.checkout.screen import CheckoutScreen
    from pos.app.modals.staff.login import LoginModal

    if not warm_up:  # the warm-up after the first screen is timed: keep it out of the picture
        app_module.WARM_UP_SECONDS = 3600
    settings = Settings(
        register={"database": path, "require_login": True},  # as a register starts
        printer={"uri": "none"},
        backup={"daily": False},
    )
    sessions, notice = open_store(settings)
    app = app_module.build_app(settings, sessions, notice=notice)
    async with app.run_test() as pilot:
        for _ in range(1000):  # the checkout, the login over it (as a cashier first sees it)
            if isinstance(app.screen, LoginModal) and any(
                isinstance(screen, CheckoutScreen) for screen in app.screen_stack
            ):
                break
            await pilot.pause()
        await pilot.pause()
        shown = [type(screen).__name__ for screen in app.screen_stack]
        if warm_up:
            app._warm_up()
            await app.workers.wait_for_complete()
        print(json.dumps({"screens": shown, "modules": sorted(sys.modules)}))


asyncio.run(main(sys.argv[1], sys.argv[2] == "warm"))
"""

LAZY = (
    "alembic",  # only when the database is not at the head revision
    "escpos",  # python-escpos: the warm-up after the first screen, or the first receipt
    "PIL",
    "qrcode",
    "pypinyin",  # the catalogue's initials are stored; computed on import or edit only
    "phonenumbers",  # once a phone number is typed
    "pos.bench",
    "pos.cli",
    "pos.sync.background",  # a chain's register only
    "pos.sync.redemption",
    "pos.store.backups",  # the daily backup runs in a worker
    "pos.transfer.imports",  # pos import …
    "pos.transfer.member_import",
    "pos.transfer.stock_import",
    "pos.transfer.sales_import",
)
"""Modules (and their submodules) the start must not import."""

START_MODALS = {
    "pos.app.modals",
    "pos.app.modals.common",
    "pos.app.modals.confirm",
    "pos.app.modals.form",
    "pos.app.modals.help",  # F1, and the key labels of the footer
    "pos.app.modals.staff",
    "pos.app.modals.staff.login",  # the first screen
}
"""The modals imported at start; every other is imported by the key that opens it."""


def start(path: Path, mode: str, child: str = CHILD) -> dict[str, Any]:
    """What the ``child`` program printed last (one JSON object), run on the store ``path``."""
    run = subprocess.run(
        [sys.executable, "-c", child, str(path), mode],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    found: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return found


def imported(modules: list[str], name: str) -> bool:
    return any(module == name or module.startswith(name + ".") for module in modules)


@pytest.fixture
def store(demo_engine: Engine, db_path: Path) -> Path:
    """The demo store at the head revision, as a register finds it at its next start."""
    return db_path


def test_the_first_screens_import_nothing_they_do_not_show(store: Path) -> None:
    found = start(store, "cold")
    assert found["screens"][-2:] == ["CheckoutScreen", "LoginModal"]
    modules = found["modules"]
    assert [name for name in LAZY if imported(modules, name)] == []
    modals = {module for module in modules if module.startswith("pos.app.modals")}
    assert modals - START_MODALS == set()
    assert "sqlalchemy" in modules and "textual" in modules  # the check sees the imports


def test_the_warm_up_after_the_first_screen_readies_the_receipt_renderer(store: Path) -> None:
    modules = start(store, "warm")["modules"]
    assert imported(modules, "escpos")
    assert not imported(modules, "alembic")


FIRST_PAINT = """
import asyncio, json, sys

from pos.config import Settings


async def main(path: str, login: bool) -> None:
    from pos.app import register_app
    from pos.app.checkout.screen import CheckoutScreen

    settings = Settings(
        register={"database": path, "require_login": login},
        printer={"uri": "none"},
        backup={"daily": False},
    )
    app = register_app(settings)  # as ``pos`` starts it
    painted: list[str] = []
    build = app.start.build
    assert build is not None

    def after_the_first_paint():  # the worker starts the register once the screen is painted
        painted.extend(sys.modules)
        shown.extend(type(screen).__name__ for screen in app.screen_stack)
        return build()

    shown: list[str] = []
    app.start.build = after_the_first_paint
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        for _ in range(1000):
            await pilot.pause()
            if app.started and isinstance(app.screen_stack[1], CheckoutScreen):
                break
        ready = app.started
    print(json.dumps({"screens": shown, "modules": sorted(painted), "ready": ready}))


asyncio.run(main(sys.argv[1], sys.argv[2] == "login"))
"""

NOT_PAINTED = (
    "sqlalchemy",
    "alembic",
    "pos.models",
    "pos.store",
    "pos.sync",
    "pos.register.service",
    "pos.register.setup",
    "pos.register.startup",
    "pos.register.sale",
    "pos.register.staff",
    "pos.domain.catalogue",
    "pos.domain.printing",
    "pos.app.checkout.members",  # the keys' handlers come with the register
    "pos.app.checkout.overrides",
    "pos.register.views",  # the read models: the empty panels name them as types only
    "pos.domain.views",
)
"""What the first screen is painted without: the database, the models and the register (built
in a worker right after), and the register's read models. Only the register's light
vocabulary (pos.register.api's money formatting, enums and input parsers) is there to draw
the panels."""


@pytest.mark.parametrize("login", ["login", "checkout"])
def test_the_first_paint_imports_neither_the_database_nor_the_register(
    store: Path, login: str
) -> None:
    found = start(store, login, FIRST_PAINT)
    expected = ["CheckoutScreen", "LoginModal"] if login == "login" else ["CheckoutScreen"]
    assert found["screens"][1:] == expected  # Textual's default screen first
    assert found["ready"]  # and the register was built behind it
    modules = found["modules"]
    assert [name for name in NOT_PAINTED if imported(modules, name)] == []
    assert "textual" in modules and "pos.app.checkout.screen" in modules  # the check sees


HELP = """
import json, sys
from pos.cli import main

try:
    main(["--help"])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def test_pos_help_imports_neither_textual_nor_the_database() -> None:
    """Nor rich's progress bar: the commands that draw it import it when they run."""
    run = subprocess.run(
        [sys.executable, "-c", HELP], capture_output=True, text=True, cwd=ROOT, check=True
    )
    modules = json.loads(run.stdout.strip().splitlines()[-1])
    assert "pos.cli" in modules
    heavy = ("textual", "sqlalchemy", "alembic", "pos.models", "pos.app", "rich.progress")
    assert [name for name in heavy if imported(modules, name)] == []


COLLECTIONS = """
import gc, json

before = [stats["collections"] for stats in gc.get_stats()]
import pos.cli  # as the pos command starts

after = [stats["collections"] for stats in gc.get_stats()]
print(json.dumps([before, after, gc.isenabled(), gc.get_freeze_count()]))
"""


def test_pos_imports_what_it_starts_with_no_collection_and_freezes_it() -> None:
    """pydantic, the settings' models and the commands live as long as the process: no
    collection walks them while they are built (~25 ms of a register's cold start)."""
    run = subprocess.run(
        [sys.executable, "-c", COLLECTIONS], capture_output=True, text=True, cwd=ROOT, check=True
    )
    before, after, enabled, frozen = json.loads(run.stdout.strip().splitlines()[-1])
    young, middle, full = (done - was for done, was in zip(after, before, strict=True))
    assert (middle, full) == (0, 0)
    assert young <= 3  # the few after the freeze, of the module's own definitions (was 64)
    assert enabled and frozen > 10_000
