"""The counter at 80×24 and larger: what a cashier sees and types (issue #16)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot
from textual.widget import Widget

from pos.app import PosApp
from pos.app.boot import RegisterStart
from pos.app.modals.help import HelpModal
from pos.app.modals.returns import ReturnModal
from pos.app.modals.sale.payment import PaymentModal
from pos.app.modals.sale.receipt import ReceiptModal
from pos.app.widgets.cart_table import CartTable
from pos.app.widgets.guidance_panel import GuidancePanel
from pos.app.widgets.key_bar import KeyBar
from pos.app.widgets.message_bar import MessageBar
from pos.app.widgets.scan_input import ScanInput
from pos.app.widgets.totals import TotalsPanel
from pos.domain.returns.returns import ReturnRequest
from pos.register.startup import Started
from tests.domain.returns.test_returns import approve, lines_of, sell
from tests.helpers import barcode_of, screen_text, type_text

SMALL = (80, 24)
LARGE = (120, 40)
TWELVE = (
    "P00137", "P00142", "P00146", "P00150", "P00154", "P00040",
    "P00159", "P00163", "P00167", "P00066", "P00070", "P00175",
)  # fmt: skip
"""Twelve products a cashier sells without a pharmacist's review."""


async def scan(pilot: Pilot[Any], text: str) -> None:
    await type_text(pilot, text)
    await pilot.press("enter")
    await pilot.pause()


def on_screen(app: PosApp, widget: Widget) -> bool:
    """The widget is shown whole inside the terminal."""
    region = widget.region
    width, height = app.size
    return (
        bool(widget.display)
        and region.height > 0
        and region.bottom <= height
        and (region.right <= width)
    )


def message(app: PosApp) -> str:
    return app.screen.query_one(MessageBar).text


async def fill(pilot: Pilot[Any], sessions: sessionmaker[Session]) -> None:
    for sku in TWELVE:
        await scan(pilot, barcode_of(sessions, sku))


def visible_cart_rows(app: PosApp) -> int:
    """Cart rows a cashier can read (numbered lines inside the cart's frame)."""
    table = app.screen.query_one(CartTable).region
    lines = screen_text(app).splitlines()[table.y : table.bottom]
    return sum(1 for line in lines if re.match(r"│ \d+ ", line[table.x : table.right]))


@pytest.mark.parametrize("language", ["en", "zh_CN"])
async def test_at_80x24_a_full_cart_leaves_total_scan_field_message_and_keys_in_view(
    language: str, app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    from pos import i18n

    i18n.setup(language)
    app = PosApp(RegisterStart(built=Started(app.register, None, lambda: None)), app.settings)
    async with app.run_test(size=SMALL) as pilot:
        await fill(pilot, demo_sessions)
        assert len(app.register.cart().lines) == 12
        screen = app.screen
        for widget in (
            screen.query_one(TotalsPanel),
            screen.query_one(ScanInput),
            screen.query_one(MessageBar),
            screen.query_one(KeyBar),
        ):
            assert on_screen(app, widget), widget
        text = screen_text(app)
        total = app.register.cart().total_fen
        assert f"¥{total // 100}.{total % 100:02d}" in text
        assert visible_cart_rows(app) >= 5
        for number in range(1, 13):
            assert re.search(rf"\bF{number} \S", text), f"F{number}"
        assert message(app) and message(app).split()[0] in text
        # names keep 20 cells (ten Chinese characters, "…" included): spec and expiry give
        # way, and the drug class takes its short form, never cut off
        row = next(line for line in text.splitlines() if "培菲康" in line)
        assert "培菲康 双歧杆菌三联…" in row and re.search(r"… \[(OTC)?乙\]", row), row
        # the guidance is one line until Ctrl+N
        panel = screen.query_one(GuidancePanel)
        assert panel.region.height == 1
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert panel.region.height > 1 and on_screen(app, screen.query_one(TotalsPanel))
        assert visible_cart_rows(app) >= 5


async def test_at_120x40_the_room_is_used(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=LARGE) as pilot:
        await fill(pilot, demo_sessions)
        text = screen_text(app)
        assert "Spec" in text and "Expiry" in text  # every column
        assert not app.screen.query_one(KeyBar).display  # the footer holds F1…F12 Pay
        assert "F12 Pay" in text.splitlines()[-1]
        assert visible_cart_rows(app) == 12
        assert app.screen.query_one(GuidancePanel).region.height > 3  # in full


async def test_guidance_is_whole_and_scrolls_when_longer_than_its_panel(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=(80, 30)) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00001"))
        panel = app.screen.query_one(GuidancePanel)
        line = app.register.cart().lines[0]
        assert line.guidance is not None
        shown = re.sub(r"\s", "", panel.text)
        for part in (line.guidance.usage, line.guidance.dosage, line.guidance.precautions):
            assert re.sub(r"\s", "", part) in shown  # never cut mid-sentence
        if panel.max_scroll_y:
            await pilot.press("pagedown")
            await pilot.pause()
            assert panel.scroll_y > 0


async def test_a_500_digit_paste_is_refused_in_one_line(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SMALL) as pilot:
        await scan(pilot, "1" * 500)
        assert message(app) == "Too long for a code (500 characters): nothing added"
        assert "1111111111" not in screen_text(app)
        assert not app.register.cart().lines
        assert app.screen.query_one(MessageBar).region.height == 1


async def test_the_join_invitation_ends_with_its_sale(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=LARGE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00150"))
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, PaymentModal)
        assert any("Not a member yet" in n.message for n in app._notifications)
        await pilot.press("enter")  # cash, exact
        await pilot.pause()
        assert not isinstance(app.screen, PaymentModal)
        assert not any("Not a member yet" in n.message for n in app._notifications)


async def test_f7_shows_the_return_receipt_after_a_return(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    number = sell(app.register, f"2*{barcode_of(demo_sessions, 'P00063')}")
    async with app.run_test(size=LARGE) as pilot:
        await scan(pilot, number)
        assert isinstance(app.screen, ReturnModal)
        await pilot.press("f2", "f12")
        await type_text(pilot, "dianzhang")
        await pilot.press("enter", *"9999", "f12")
        await pilot.pause()
        assert not isinstance(app.screen, ReturnModal)
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptModal)
        assert app.screen.number.startswith("R") or app.screen.number != number
        await pilot.press("escape")
        # the next sale's receipt replaces it
        await scan(pilot, barcode_of(demo_sessions, "P00150"))
        await pilot.press("f12", "enter")
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptModal)
        assert app.screen.number == app.register.last_sale_number()


async def test_a_line_returned_in_full_is_shown_so_and_never_chosen(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    number = sell(
        app.register,
        barcode_of(demo_sessions, "P00063"),
        f"2*{barcode_of(demo_sessions, 'P00150')}",
    )
    ids = lines_of(app.register, number)
    app.register.complete_return(number, ReturnRequest({ids["P00063"]: 1}), approve())
    async with app.run_test(size=LARGE) as pilot:
        await scan(pilot, number)
        modal = app.screen
        assert isinstance(modal, ReturnModal)
        assert "none left" in screen_text(app)
        assert modal.sale.lines[modal.current()].qty_left  # the cursor starts past it
        await pilot.press("up")
        assert modal.sale.lines[modal.current()].qty_left
        await type_text(pilot, "1")
        await pilot.press("enter")
        await pilot.pause()
        assert "from 0 to 0" not in screen_text(app)


async def test_f1_lists_the_keys_of_the_open_modal_grouped(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=LARGE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00150"))
        await pilot.press("f12")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpModal)
        text = screen_text(app)
        assert "WeChat" in text and "Undo tender" in text  # the payment's keys
        assert "Function keys" in text and "Anywhere" in text
        assert "Remove" not in text  # not the checkout's
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, PaymentModal)


async def test_the_palette_offers_the_registers_actions_only(app: PosApp) -> None:
    async with app.run_test(size=LARGE):
        titles = [command.title for command in app.get_system_commands(app.screen)]
    assert "Checkout: Pay" in titles and "Checkout: Promotions" in titles
    assert "Quit" in titles
    for textual in ("Theme", "Screenshot", "Maximize", "Keys"):
        assert not any(title.startswith(textual) for title in titles), textual
    assert not any("Focus" in title or "Copy" in title for title in titles)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
async def test_at_100x30_guidance_and_suggestions_in_full_leave_five_rows(
    language: str, app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    from pos import i18n

    i18n.setup(language)
    app = PosApp(RegisterStart(built=Started(app.register, None, lambda: None)), app.settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await fill(pilot, demo_sessions)
        await scan(pilot, barcode_of(demo_sessions, "P00001"))  # guidance and suggestions
        screen = app.screen
        assert screen.query_one(GuidancePanel).region.height > 3
        assert visible_cart_rows(app) >= 5
        assert on_screen(app, screen.query_one(TotalsPanel))
        text = screen_text(app)
        for number in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12):
            assert re.search(rf"\b[fF]{number} \S", text), f"F{number}"


def test_a_quantity_of_10000_digits_is_refused_in_one_line() -> None:
    from pos.domain.sales.codes import InputError, parse_quantity

    with pytest.raises(InputError) as refused:
        parse_quantity("9" * 10_000)
    assert len(str(refused.value)) < 80
    assert parse_quantity("0003") == 3
