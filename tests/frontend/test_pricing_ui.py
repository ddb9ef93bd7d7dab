"""Right money at the counter (issue #13): gift lines, one line-building path, promotions
imported while the register runs, and a receipt whose printed figures add up."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from textual.pilot import Pilot

from pos.app import PosApp, build_app
from pos.app.modals.pharmacy.restricted_buyer import RestrictedBuyerModal
from pos.app.modals.sale.payment import PaymentModal
from pos.app.modals.sale.receipt import ReceiptModal
from pos.app.widgets.message_bar import MessageBar
from pos.config import Settings
from pos.domain.returns.returns import ReturnRequest
from pos.domain.sales import cart_store
from pos.enums import Tender
from pos.models import (
    JobKind,
    Lot,
    ParkedCart,
    PrintJob,
    Product,
    RestrictedSale,
    Sale,
    SaleLine,
    StockMovement,
)
from pos.register.service import RegisterIdentity, RegisterService
from pos.register.staff.overrides import Approval
from pos.transfer.promotion_import import import_promotions
from tests.conftest import NOW, fixed_clock
from tests.domain.printing.test_printing import decode
from tests.frontend.test_promotions_ui import demo_promotions
from tests.helpers import barcode_of, screen_text, type_text

SIZE = (120, 40)
FISH_OIL = "6941792027797"  # 汤臣倍健 鱼油 ¥128, ¥99 under FISH-OIL-99
MASK = "6952523006714"  # 稳健 口罩 ¥9.90, the gift of GIFT-88-MASK (spend ¥88)
VALID_ID = "11010519491231002X"


async def scan(pilot: Pilot[Any], code: str) -> None:
    await type_text(pilot, code)
    await pilot.press("enter")


async def fill(pilot: Pilot[Any], *values: str) -> None:
    for value in values:
        await type_text(pilot, value)
        await pilot.press("enter")


async def pay(pilot: Pilot[Any], app: PosApp, before: type[Any] = PaymentModal) -> None:
    """F12, acknowledge the guidance asked for (F9) until ``before`` shows; pay exact cash."""
    await pilot.press("f12")
    for _attempt in range(10):
        if isinstance(app.screen, before):
            break
        await pilot.press("f9")
    assert isinstance(app.screen, before)
    if before is PaymentModal:
        await pilot.press("enter")


def message(app: PosApp) -> str:
    return app.screen.query_one(MessageBar).text


def stored_lines(sessions: sessionmaker[Session]) -> list[tuple[str, int, int, int, str | None]]:
    with sessions() as session:
        return [
            (line.sku, line.qty, line.discount_fen, line.total_fen, line.promotion_id)
            for line in session.scalars(select(SaleLine).order_by(SaleLine.line_no))
        ]


async def test_units_bought_of_the_gift_product_are_a_paid_line_and_reach_the_threshold(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    demo_promotions(demo_sessions)
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, FISH_OIL)
        await scan(pilot, "3*" + MASK)
        cart = app.register.cart()
        assert [(line.sku, line.qty, line.gift) for line in cart.lines] == [
            ("P00068", 1, False),
            ("P00136", 1, True),
            ("P00136", 3, False),
        ]
        # 99.00 + 3 × 9.90 (口罩 买二送一: 19.80) = 118.80 paid: 满100减10 applies, and
        # the gift stays one free unit of its own.
        assert cart.total_fen == 9900 + 1980 - 1000
        assert cart.lines[1].total_fen == 0 and cart.lines[2].total_fen > 0
        text = screen_text(app)
        assert "108.80" in text and "Spend" not in text
        await pay(pilot, app)
    lines = stored_lines(demo_sessions)
    assert [(sku, qty) for sku, qty, *_rest in lines] == [
        ("P00068", 1),
        ("P00136", 1),
        ("P00136", 3),
    ]
    assert lines[1] == ("P00136", 1, 990, 0, "GIFT-88-MASK")
    assert lines[2][3] > 0
    with demo_sessions() as session:
        sale = session.scalars(select(Sale)).one()
        assert sale.total_fen == 10880 == sum(line[3] for line in lines)
        masks = session.scalar(
            select(func.sum(StockMovement.delta))
            .join(Lot, Lot.id == StockMovement.lot_id)
            .join(Product, Product.id == Lot.product_id)
            .where(Product.sku == "P00136", StockMovement.reason == "sale")
        )
        assert masks == -4  # the gift and the three bought leave the stock


async def test_a_gift_line_follows_the_restricted_sale_rules(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    demo_promotions(demo_sessions)
    with demo_sessions.begin() as session:  # the gift becomes an ephedrine-class product
        session.execute(
            update(Product)
            .where(Product.sku == "P00136")
            .values(restricted="ephedrine", trace_required=True)
        )
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, FISH_OIL)
        gift = app.register.cart().lines[1]
        assert gift.gift and gift.restricted == "ephedrine" and gift.trace_required
        await scan(pilot, "2*" + barcode_of(demo_sessions, "P00004"))  # 2 more: 3 > 2
        assert "At most 2 packs" in message(app)
        assert [line.sku for line in app.register.cart().lines] == ["P00068", "P00136"]
        await pay(pilot, app, RestrictedBuyerModal)  # the gift needs the buyer register
        await fill(pilot, "李四")
        app.screen.query_one("#buyer-id").value = VALID_ID  # type: ignore[attr-defined]
        await pilot.press("f12")
        assert isinstance(app.screen, PaymentModal)
        await pilot.press("enter")
    with demo_sessions() as session:
        entry = session.scalars(select(RestrictedSale)).one()
        assert (entry.qty, entry.rule, entry.buyer_id_number) == (1, "ephedrine", VALID_ID)
    assert stored_lines(demo_sessions)[1] == ("P00136", 1, 990, 0, "GIFT-88-MASK")


async def test_a_gift_over_the_restricted_limit_is_not_given(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    demo_promotions(demo_sessions)
    with demo_sessions.begin() as session:
        session.execute(
            update(Product).where(Product.sku == "P00136").values(restricted="ephedrine")
        )
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, "2*" + barcode_of(demo_sessions, "P00004"))  # the 2 packs allowed
        await scan(pilot, FISH_OIL)
        cart = app.register.cart()
        assert [line.sku for line in cart.lines] == ["P00004", "P00068"]
        assert not any(line.gift for line in cart.lines)
        assert cart.total_fen == 2 * 1680 + 9900 - 1000


async def test_promotions_imported_while_the_register_runs_price_the_next_change(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await scan(pilot, FISH_OIL)
        assert app.register.cart().total_fen == 12800  # no promotions yet
        demo_promotions(demo_sessions)  # `pos import promotions` from another terminal
        await scan(pilot, MASK)
        cart = app.register.cart()
        assert cart.lines[0].promo_label == "鱼油软胶囊 特价99元"
        assert [line.gift for line in cart.lines] == [False, False, True]
        assert cart.total_fen == 9900 + 990 - 1000
        with demo_sessions.begin() as session:  # the special price changes: ¥89
            report = import_promotions(
                session,
                b'[[promotion]]\nid = "FISH-OIL-99"\nname = "\xe9\xb1\xbc\xe6\xb2\xb9 89"\n'
                b'kind = "fixed_price"\ntarget = "sku:P00068"\n'
                b"starts = 2026-03-01\nends = 2026-03-31\nprice = 89\n",
                now=NOW + timedelta(minutes=5),
            )
            assert not report.errors
        await scan(pilot, MASK)
        cart = app.register.cart()
        assert cart.total_fen == 8900 + 2 * 990 - 1000
        assert "98.80" in screen_text(app)
        await pay(pilot, app)
    lines = stored_lines(demo_sessions)
    assert lines[0][:2] == ("P00068", 1) and lines[0][4] == "FISH-OIL-99"
    assert lines[1][:2] == ("P00136", 2)
    assert lines[2] == ("P00136", 1, 990, 0, "GIFT-88-MASK")


def amount(row: str) -> int:
    """The amount a receipt row ends with, in fen."""
    found = re.search(r"(-?)￥?(\d+)\.(\d\d)$", row.rstrip())
    assert found is not None, row
    sign = -1 if found.group(1) else 1
    return sign * (int(found.group(2)) * 100 + int(found.group(3)))


def figures(text: str, total_label: str = "应收") -> tuple[list[int], list[int], int, int, int]:
    """(line amounts, line discounts, 小计, 优惠, total) as printed on a receipt."""
    rows = text.splitlines()
    items = [amount(row) for row in rows if " × " in row]
    discounts = [amount(row) for row in rows if row.startswith("  优惠")]
    subtotal = next(amount(row) for row in rows if row.startswith("小计"))
    off = next(amount(row) for row in rows if row.startswith("优惠"))
    total = next(amount(row) for row in rows if row.startswith(total_label))
    return items, discounts, subtotal, off, total


async def test_the_receipt_adds_up_as_printed_and_names_the_cashier(
    demo_sessions: sessionmaker[Session], db_path: Path
) -> None:
    demo_promotions(demo_sessions)
    settings = Settings(register={"database": db_path, "require_login": True})
    app = build_app(settings, demo_sessions, clock=fixed_clock)
    async with app.run_test(size=SIZE) as pilot:
        await fill(pilot, "shouyin01", "1111")
        await scan(pilot, "2*" + barcode_of(demo_sessions, "P00063"))  # 第二件半价
        await scan(pilot, FISH_OIL)  # 特价99 and the gift mask; 满100减10 spread
        await pay(pilot, app)
        await pilot.press("f7")
        modal = app.screen
        assert isinstance(modal, ReceiptModal)
        shown = modal.text
        assert "收银员: 张收银" in shown and "shouyin01" not in shown
        assert "收银员: 张收银" in screen_text(app)
    with demo_sessions() as session:
        sale = session.scalars(select(Sale)).one()
        printed = decode(session.scalars(select(PrintJob)).one().data)
    assert "张收银" in printed and "shouyin01" not in printed
    items, discounts, subtotal, off, total = figures(printed)
    assert len(items) == 3 and len(discounts) == 3  # 2nd half price, 99 special, the gift
    assert sum(items) == subtotal == sale.subtotal_fen
    assert -sum(discounts) == -off == sale.discount_fen
    assert subtotal + off == total == sale.total_fen
    assert figures(shown) == figures(printed)  # F7 shows the printed figures


def test_a_return_receipt_adds_up_and_names_the_manager(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    demo_promotions(demo_sessions)
    register.scan("3*" + barcode_of(demo_sessions, "P00063"))  # 第二件半价 on one of three
    register.scan(FISH_OIL)  # 特价99, 满100减10 spread over both lines
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    number = register.complete(tendering).number
    sold = {line.sku: line for line in register.find_return(number).lines}
    request = ReturnRequest({sold["P00063"].sale_line_id: 2, sold["P00068"].sale_line_id: 1})
    record = register.complete_return(number, request, Approval("refund", "dianzhang"))
    with demo_sessions() as session:
        job = session.scalars(select(PrintJob).where(PrintJob.kind == JobKind.RETURN)).one()
        printed = decode(job.data)
    assert "批准人：李店长" in printed and "dianzhang" not in printed
    items, discounts, subtotal, off, total = figures(printed, "退款")
    assert len(items) == 2 and len(discounts) == 2
    assert sum(items) == subtotal and sum(discounts) == off
    assert subtotal + off == total == record.total_fen


def test_a_saved_cart_with_units_in_its_gift_line_comes_back_as_a_gift_and_a_paid_line(
    demo_sessions: sessionmaker[Session],
) -> None:
    demo_promotions(demo_sessions)
    register = RegisterService(demo_sessions, RegisterIdentity("001", "01"), fixed_clock)
    register.scan(FISH_OIL)
    saved = cart_store.dump(register._state.cart, None, False)
    assert saved["lines"][1]["gift_of"] == "GIFT-88-MASK"
    saved["lines"][1]["qty"] = 4  # as an older register stored 3 masks scanned after the gift
    with demo_sessions.begin() as session:
        session.execute(update(ParkedCart).values(data=saved))
    restarted = RegisterService(demo_sessions, RegisterIdentity("001", "01"), fixed_clock)
    cart = restarted.cart()
    assert [(line.sku, line.qty, line.gift) for line in cart.lines] == [
        ("P00068", 1, False),
        ("P00136", 1, True),
        ("P00136", 3, False),
    ]
    assert cart.total_fen == 9900 + 1980 - 1000  # 口罩 买二送一 on the paid ones, 满100减10
