"""Logins: id and PIN at start, the first manager of a new store, lock, throttled wrong PINs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot

from pos.app import build_app
from pos.config import Settings
from pos.models import Sale, User
from pos.screens.checkout import CheckoutScreen
from pos.screens.login import LoginModal
from pos.services.users import verify_pin
from tests.conftest import NOW, fixed_clock
from tests.helpers import barcode_of, type_text

SIZE = (120, 40)


def login_settings(db_path: Path) -> Settings:
    return Settings(register={"database": db_path, "require_login": True})


async def fill(pilot: Pilot[Any], *values: str) -> None:
    for value in values:
        await type_text(pilot, value)
        await pilot.press("enter")


async def test_login_then_sales_carry_the_cashier(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    app = build_app(login_settings(db_path), demo_sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LoginModal)
        await pilot.press("f12", "f3")  # nothing else works before a login
        assert isinstance(app.screen, LoginModal)
        await fill(pilot, "dianzhang", "0000")
        assert "Wrong user id or PIN" in str(app.screen.query_one("#form-status").render())
        assert app.screen.query_one("#login-pin").value == ""  # type: ignore[attr-defined]
        await fill(pilot, "9999")  # the PIN field, cleared, still has the focus
        assert isinstance(app.screen, CheckoutScreen)
        assert "李店长" in app.sub_title
        await type_text(pilot, barcode_of(demo_sessions, "P00063"))
        await pilot.press("enter", "f9", "f12", "enter")
        await pilot.press("ctrl+l")  # lock: the next user logs in
        assert isinstance(app.screen, LoginModal)
        await fill(pilot, "yaoshi01", "1234")
        assert "王药师" in app.sub_title
    with demo_sessions() as session:
        assert session.scalars(select(Sale.cashier)).all() == ["dianzhang"]


async def test_a_new_store_asks_for_its_first_manager(
    sessions: sessionmaker[Session], db_path: Path
) -> None:
    app = build_app(login_settings(db_path), sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LoginModal) and app.screen.first
        await fill(pilot, "boss", "张经理", "4321", "9999")
        assert "PINs differ" in str(app.screen.query_one("#form-status").render())
        app.screen.query_one("#login-pin").value = "4321"  # type: ignore[attr-defined]
        app.screen.query_one("#login-again").value = "4321"  # type: ignore[attr-defined]
        await pilot.press("f12")
        assert isinstance(app.screen, CheckoutScreen)
    with sessions() as session:
        user = session.get_one(User, "boss")
        assert user.role == "manager" and verify_pin(user.pin_hash, "4321")
        assert "4321" not in user.pin_hash


def test_wrong_pins_are_throttled(demo_sessions: sessionmaker[Session], db_path: Path) -> None:
    now = [NOW]
    app = build_app(login_settings(db_path), demo_sessions, clock=lambda: now[0])
    register = app.register
    for _attempt in range(3):
        try:
            register.login("dianzhang", "0000")
        except ValueError as exc:
            assert "Wrong" in str(exc)
    try:
        register.login("dianzhang", "9999")  # right, but too soon
    except ValueError as exc:
        assert "wait" in str(exc)
    else:
        raise AssertionError("a login went through while throttled")
    now[0] = NOW + timedelta(seconds=31)
    assert register.login("dianzhang", "9999").name == "李店长"
