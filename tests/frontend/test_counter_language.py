"""The screen language at the counter: Ctrl+S switches it per user; receipts keep the store's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot

from pos import i18n
from pos.app import PosApp, build_app
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.help import HelpModal
from pos.app.modals.staff.login import LoginModal
from pos.app.widgets.message_bar import MessageBar
from pos.config import Settings
from pos.models import PrintJob, User
from tests.conftest import fixed_clock
from tests.domain.printing.test_printing import decode
from tests.frontend.test_checkout_ui import cart_rows
from tests.helpers import barcode_of, screen_text, type_text

SIZE = (120, 40)


def login_app(db_path: Path, sessions: sessionmaker[Session]) -> PosApp:
    return build_app(
        Settings(register={"database": db_path, "require_login": True}),
        sessions,
        clock=fixed_clock,
    )


async def log_in(pilot: Pilot[Any], user_id: str, pin: str) -> None:
    assert isinstance(pilot.app.screen, LoginModal)
    for value in (user_id, pin):
        await type_text(pilot, value)
        await pilot.press("enter")
    await pilot.pause()
    await pilot.pause()
    assert isinstance(pilot.app.screen, CheckoutScreen)


def language_of(sessions: sessionmaker[Session], user_id: str) -> str | None:
    with sessions() as session:
        return session.scalars(select(User.language).where(User.id == user_id)).one()


async def test_the_switch_is_kept_per_user_across_logins(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    app = login_app(db_path, demo_sessions)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "shouyin01", "1111")
        await type_text(pilot, barcode_of(demo_sessions, "P00063"))
        await pilot.press("enter")
        assert "Scan / code:" in screen_text(app) and "Pay" in screen_text(app)
        palette = [command.title for command in app.get_system_commands(app.screen)]
        assert "Checkout: Screen language" in palette  # the command palette offers it too
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert i18n.current() == "zh_CN"
        shown = screen_text(app)
        assert "扫码" in shown and "结账" in shown  # the scan label and the F12 key
        assert "Scan / code:" not in shown
        assert "界面语言：中文" in app.screen.query_one(MessageBar).text
        assert cart_rows(app) == [("维生素C片", "1")]  # the sale goes on
        assert "收银台" in app.sub_title
        await pilot.press("f1")
        assert isinstance(app.screen, HelpModal)
        assert "界面语言" in screen_text(app) and "Keys" not in screen_text(app)
        await pilot.press("escape")
        assert language_of(demo_sessions, "shouyin01") == "zh_CN"

        await pilot.press("ctrl+l")  # lock; the same user again: still Chinese
        await log_in(pilot, "shouyin01", "1111")
        assert i18n.current() == "zh_CN" and "扫码" in screen_text(app)
        assert "欢迎，张收银" in [n.message for n in app._notifications]  # welcomed in it too

        await pilot.press("ctrl+l")  # another user, who never chose: the register's language
        await log_in(pilot, "yaoshi01", "1234")
        assert i18n.current() == "en" and "Scan / code:" in screen_text(app)
        assert "Welcome, 王药师" in [n.message for n in app._notifications]
        assert language_of(demo_sessions, "yaoshi01") is None
        await pilot.press("ctrl+s", "ctrl+s")  # 中文, then English again: kept as English
        await pilot.pause()
        assert i18n.current() == "en" and language_of(demo_sessions, "yaoshi01") == "en"

        await pilot.press("ctrl+l")
        await log_in(pilot, "shouyin01", "1111")
        assert i18n.current() == "zh_CN" and "扫码" in screen_text(app)


async def test_the_receipt_keeps_the_store_language_when_the_screen_is_english(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    i18n.setup("zh_CN")
    app = login_app(db_path, demo_sessions)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "shouyin01", "1111")
        assert "扫码" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert i18n.current() == "en" and "Scan / code:" in screen_text(app)
        await type_text(pilot, barcode_of(demo_sessions, "P00063"))
        await pilot.press("enter", "f9", "f12", "enter")
        await pilot.pause()
        assert "completed" in app.screen.query_one(MessageBar).text
    with demo_sessions() as session:
        job = session.scalars(select(PrintJob)).one()
    receipt = decode(job.data)
    assert "销售小票" in receipt and "谢谢惠顾" in receipt  # the store's printer.language
    assert "Thank" not in receipt and "TOTAL" not in receipt.upper()


async def test_a_line_scanned_before_the_switch_shows_its_guidance_in_the_new_language(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    """The guidance travels with the cart line (and the saved cart) in both languages: the
    cashier who takes over the cart, or switches, reads it in theirs."""
    app = login_app(db_path, demo_sessions)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "yaoshi01", "1234")
        await type_text(pilot, barcode_of(demo_sessions, "P00001"))  # 999感冒灵, guided
        await pilot.press("enter")
        await pilot.pause()
        assert "Dissolve in hot water" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert i18n.current() == "zh_CN"
        shown = screen_text(app)
        assert "Dissolve" not in shown and "开水冲服" in shown
    restarted = login_app(db_path, demo_sessions)  # the saved cart, read back
    async with restarted.run_test(size=SIZE) as pilot:
        await log_in(pilot, "yaoshi01", "1234")  # who chose Chinese
        await pilot.pause()
        shown = screen_text(restarted)
        assert i18n.current() == "zh_CN" and "开水冲服" in shown and "Dissolve" not in shown
