"""The checkout screen driven as a cashier would, asserting on the screen and the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from pos.app import PosApp
from pos.app.checkout.screen import CheckoutScreen
from pos.app.modals.sale.payment import PaymentModal
from pos.app.modals.sale.search import SearchModal
from pos.app.modals.staff.override import OverrideModal
from pos.app.widgets.cart_table import CartTable
from pos.app.widgets.message_bar import MessageBar
from pos.app.widgets.scan_input import ScanInput
from pos.enums import Tender
from pos.models import Lot, Payment, Product, Sale, SaleLine, SaleLineLot
from tests.conftest import TODAY
from tests.helpers import barcode_of, burst, keys, screen_text, type_text

SIZE = (120, 40)


def cart_rows(app: PosApp) -> list[tuple[str, str]]:
    """(name, qty) of each row shown in the cart table."""
    table = app.screen.query_one(CartTable)
    rows = []
    for index in range(table.row_count):
        row = table.get_row_at(index)
        rows.append((str(row[1]).split(" [")[0], str(row[4])))
    return rows


def message(app: PosApp) -> str:
    return app.screen.query_one(MessageBar).text


def sale_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Sale)) or 0


async def scan(pilot: Pilot[Any], text: str) -> None:
    await type_text(pilot, text)
    await pilot.press("enter")


async def test_scan_field_has_focus_and_scan_adds_lines(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00001")
    other = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.focused, ScanInput)
        await scan(pilot, code)
        await scan(pilot, code)
        await scan(pilot, f"3*{other}")
        assert cart_rows(app) == [("999感冒灵颗粒", "2"), ("维生素C片", "3")]
        table = app.screen.query_one(CartTable)
        assert table.cursor_row == 1  # the last added line is highlighted
        assert "¥42.10" in screen_text(app)  # 2×15.80 + 3×3.50
        assert isinstance(app.focused, ScanInput)
        footer = screen_text(app).splitlines()[-1]
        assert "F12 Pay" in footer  # the key that ends every sale fits at 120 columns


async def test_unknown_code_and_wrong_check_digit_change_nothing(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00001")
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, code)
        await scan(pilot, wrong)
        assert "check digit" in message(app)
        await scan(pilot, "6900000000007")  # valid check digit, not in the catalogue
        assert "Unknown barcode" in message(app)
        await scan(pilot, "0*" + code)
        assert "from 1 to 9999" in message(app)
        await scan(pilot, "a*" + code)
        assert "whole number" in message(app)
        await scan(pilot, "10000*" + code)
        assert "from 1 to 9999" in message(app)
        assert cart_rows(app) == [("999感冒灵颗粒", "1")]


async def test_expired_only_and_out_of_stock_products_are_refused(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00032"))
        assert "only expired stock" in message(app)
        await scan(pilot, barcode_of(demo_sessions, "P00020"))
        assert isinstance(app.screen, OverrideModal)  # selling anyway needs a manager
        assert "out of stock" in screen_text(app)
        await pilot.press("escape")
        await scan(pilot, "200*" + barcode_of(demo_sessions, "P00001"))
        assert "Only 130" in screen_text(app)
        await pilot.press("escape")
        assert cart_rows(app) == []
        assert "Not approved" in message(app)


async def test_search_by_pinyin_initials_adds_the_product(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        assert isinstance(app.screen, SearchModal)
        await type_text(pilot, "gmlkl")
        results = app.screen.query_one(DataTable)
        assert results.row_count == 1
        assert "999感冒灵颗粒" in str(results.get_row_at(0)[0])
        await pilot.press("enter")
        assert isinstance(app.screen, CheckoutScreen)
        assert cart_rows(app) == [("999感冒灵颗粒", "1")]
        assert isinstance(app.focused, ScanInput)


async def test_search_by_two_initials_lists_their_products_first(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_text(pilot, "gm")  # 感冒, as a cashier types it
        results = app.screen.query_one(DataTable)
        names = [str(results.get_row_at(row)[0]) for row in range(results.row_count)]
        assert "感冒" in names[0] and "感冒" in names[1]
        assert names.index("氨咖黄敏胶囊 [OTC乙]") > 1  # its full pinyin holds "gm" by chance
        await pilot.press("enter")
        assert cart_rows(app)[0][0] in names[0]


async def test_search_by_full_pinyin_english_name_and_text_in_scan_field(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, "2*ganmaoling")  # not a code: opens search with the text
        assert isinstance(app.screen, SearchModal)
        assert app.screen.query_one(Input).value == "ganmaoling"
        await pilot.press("enter")
        assert cart_rows(app) == [("999感冒灵颗粒", "2")]
        await pilot.press("f3")
        await type_text(pilot, "ibuprofen")
        table = app.screen.query_one(DataTable)
        names = [str(table.get_row_at(index)[0]) for index in range(table.row_count)]
        assert any(name.startswith("芬必得 布洛芬缓释胶囊") for name in names)
        await pilot.press("escape")
        assert isinstance(app.screen, CheckoutScreen)
        assert len(cart_rows(app)) == 1


async def test_change_quantity_remove_line_and_clear_cart(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    first = barcode_of(demo_sessions, "P00001")
    second = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, first)
        await scan(pilot, second)
        await pilot.press("up")  # highlight line 1
        await pilot.press("f4")  # the current quantity is selected: typing replaces it
        await type_text(pilot, "x")
        await pilot.press("enter")
        assert "whole number" in screen_text(app)
        await pilot.press("backspace", "4", "enter")
        assert cart_rows(app) == [("999感冒灵颗粒", "4"), ("维生素C片", "1")]
        await type_text(pilot, "6")  # a number in the scan field, then F4
        await pilot.press("f4")
        assert cart_rows(app) == [("999感冒灵颗粒", "6"), ("维生素C片", "1")]
        await pilot.press("down", "f8")
        assert cart_rows(app) == [("999感冒灵颗粒", "6")]
        await pilot.press("f10")
        await pilot.press("escape")  # changed my mind
        assert cart_rows(app) == [("999感冒灵颗粒", "6")]
        await pilot.press("f10", "f10")  # confirmed: voiding a sale needs a manager
        await pilot.pause()
        assert isinstance(app.screen, OverrideModal)
        await type_text(pilot, "dianzhang")
        await pilot.press("enter", *"9999", "f12")
        assert cart_rows(app) == []
        assert "Cart cleared" in message(app)


async def test_split_payment_completes_and_stores_the_sale(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00001")
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, f"35*{code}")  # 30 from the early lot, 5 from the later one
        await pilot.press("f9", "f12")  # guidance told, then pay
        assert isinstance(app.screen, PaymentModal)
        assert isinstance(app.focused, Input)
        assert "F5–F8:" in screen_text(app)  # the tender prompt wraps, not cut at 120 columns
        await type_text(pilot, "100")
        await pilot.press("f5")  # ¥100 by card
        await type_text(pilot, "200")
        await pilot.press("f6")  # ¥200 by WeChat Pay
        await type_text(pilot, "300")
        await pilot.press("enter")  # ¥300 cash for the ¥253 left
        assert isinstance(app.screen, CheckoutScreen)
        assert "S001-01-20260310-0001" in message(app)
        assert "Change ¥47.00" in message(app)
        assert cart_rows(app) == []
    with demo_sessions() as session:
        sale = session.scalars(select(Sale)).one()
        assert (sale.total_fen, sale.change_fen) == (35 * 1580, 4700)
        payments = session.scalars(select(Payment).order_by(Payment.seq)).all()
        assert [(p.tender, p.amount_fen, p.tendered_fen) for p in payments] == [
            (Tender.CARD, 10000, None),
            (Tender.WECHAT, 20000, None),
            (Tender.CASH, 25300, 30000),
        ]
        line = session.scalars(select(SaleLine)).one()
        lots = session.scalars(select(SaleLineLot).order_by(SaleLineLot.id)).all()
        assert [(lot.qty, (lot.expiry - TODAY).days) for lot in lots] == [(30, 120), (5, 600)]
        assert line.qty == 35
        product = session.scalars(select(Product).where(Product.sku == "P00001")).one()
        remaining = session.scalars(
            select(Lot.quantity).where(Lot.product_id == product.id).order_by(Lot.expiry)
        ).all()
        assert remaining == [0, 95]


async def test_exact_cash_with_empty_enter_and_next_customer(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00063")
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, code)
        await pilot.press("f9", "f12", "enter")
        assert "S001-01-20260310-0001" in message(app)
        await scan(pilot, code)  # the next customer
        assert cart_rows(app) == [("维生素C片", "1")]
        await pilot.press("f9", "f12", "enter")
        assert "S001-01-20260310-0002" in message(app)
    with demo_sessions() as session:
        payments = session.scalars(select(Payment)).all()
        assert [(p.tender, p.amount_fen, p.tendered_fen) for p in payments] == [
            (Tender.CASH, 350, 350),
            (Tender.CASH, 350, 350),
        ]


async def test_paying_less_than_the_total_does_not_complete(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00001")
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, code)
        await pilot.press("f9", "f12")
        await type_text(pilot, "5")
        await pilot.press("enter")
        assert isinstance(app.screen, PaymentModal)
        assert "¥10.80 to pay" in app.screen.query_one(MessageBar).text
        await type_text(pilot, "abc")
        await pilot.press("f7")
        assert "Not an amount" in app.screen.query_one(MessageBar).text
        await pilot.press("backspace", "backspace", "backspace")
        await type_text(pilot, "50")
        await pilot.press("f7")  # Alipay cannot exceed what is due
        assert "Only cash" in app.screen.query_one(MessageBar).text
        await pilot.press("escape")
        assert isinstance(app.screen, CheckoutScreen)
        assert "cancelled" in message(app)
        assert cart_rows(app) == [("999感冒灵颗粒", "1")]
    assert sale_count(demo_sessions) == 0


async def test_pay_and_cart_keys_disabled_on_empty_cart(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f12")
        assert isinstance(app.screen, CheckoutScreen)
        await pilot.press("f10")
        assert isinstance(app.screen, CheckoutScreen)


async def test_scanner_burst_registers_every_scan_in_order(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    with demo_sessions() as session:
        rows = session.execute(
            select(Product.sku, Product.name)
            .join(Lot)
            .where(Lot.expiry >= TODAY, Lot.quantity >= 10, Product.restricted == "")
            .group_by(Product.id)
            .order_by(Product.sku)
            .limit(25)
        ).all()
    codes = [(barcode_of(demo_sessions, sku), name) for sku, name in rows]
    assert len(codes) == 25
    # 50 scans: each of 25 products twice, the second pass as 2*CODE.
    text = "".join(f"{code}\n" for code, _name in codes)
    text += "".join(f"2*{code}\n" for code, _name in codes)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, text)
        await pilot.pause()
        for _ in range(50):
            if len(app.screen.query_one(CartTable).rows) == 25 and all(
                qty == "3" for _name, qty in cart_rows(app)
            ):
                break
            await pilot.pause(0.05)
        assert cart_rows(app) == [(name, "3") for _code, name in codes], message(app)
        assert app.screen.query_one(ScanInput).value == ""


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool]) -> None:
    """Let the app work until ``condition`` holds (bounded: about 5 s)."""
    for _ in range(100):
        if condition():
            return
        await pilot.pause(0.05)


async def test_keys_at_machine_speed_stay_in_order_across_modals(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    code = barcode_of(demo_sessions, "P00001")
    async with app.run_test(size=SIZE) as pilot:
        # Scan, F9 (guidance told), F12, Enter, all queued before the first is handled:
        # the sale is paid in cash.
        keys(app, *code, "enter", "f9", "f12", "enter")
        await wait_for(pilot, lambda: sale_count(demo_sessions) == 1)
        # Search, add, set quantity 5 from the scan field, pay ¥20 by card and the rest in cash.
        keys(app, "f3", *"gmlkl", "enter", "5", "f4", "f9", "f12", *"20", "f5", "enter")
        await wait_for(pilot, lambda: sale_count(demo_sessions) == 2)
        assert isinstance(app.screen, CheckoutScreen)
    with demo_sessions() as session:
        second = session.scalars(select(Sale).order_by(Sale.id.desc()).limit(1)).one()
        assert [(line.sku, line.qty) for line in second.lines] == [("P00001", 5)]
        assert [(p.tender, p.amount_fen) for p in second.payments] == [
            (Tender.CARD, 2000),
            (Tender.CASH, 5 * 1580 - 2000),
        ]


async def test_search_explains_a_refused_product_and_stays_open(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_text(pilot, "P00032")  # only expired stock: never sold
        await pilot.press("enter")
        assert isinstance(app.screen, SearchModal)
        assert "only expired stock" in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, CheckoutScreen)
        assert cart_rows(app) == []


async def test_search_for_a_product_out_of_stock_asks_a_manager(app: PosApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await type_text(pilot, "P00020")  # 达菲: out of stock
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OverrideModal)
        assert "out of stock" in screen_text(app)
        await type_text(pilot, "dianzhang")
        await pilot.press("enter", *"9999", "f12")
        assert isinstance(app.screen, CheckoutScreen)
        assert [name for name, _qty in cart_rows(app)] == ["达菲 磷酸奥司他韦胶囊"]


async def test_near_expiry_stock_is_pointed_out(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, barcode_of(demo_sessions, "P00039"))  # first lot: 41 days left
        assert "Expires 2026-04-20 (in 41 days): tell the customer" in message(app)
        assert "2026-04-20" in screen_text(app)  # the expiry column
        await scan(pilot, barcode_of(demo_sessions, "P00001"))  # 120 days: past the 90-day window
        assert "Expires" not in message(app)
        assert "2026-07-08" in screen_text(app)
