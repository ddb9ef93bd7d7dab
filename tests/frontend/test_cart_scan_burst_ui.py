"""A scanner's burst of 20 scans, every key queued before the first is handled: the cart
table shows every line in scan order, the cursor on the last, and the totals add up."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.widgets.cart_table import CartTable
from pos.app.widgets.scan_input import ScanInput
from pos.app.widgets.totals import TotalsPanel
from pos.enums import DrugClass
from pos.models import Lot, Product
from pos.money import format_fen
from tests.conftest import TODAY
from tests.helpers import barcode_of, burst, screen_text

SIZE = (120, 40)


def sellable(sessions: sessionmaker[Session], count: int) -> list[tuple[str, str, int]]:
    """(barcode, name, price in fen) of ``count`` products a cashier scans without a form."""
    with sessions() as session:
        rows = session.execute(
            select(Product.sku, Product.name, Product.price_fen)
            .join(Lot)
            .where(
                Lot.expiry >= TODAY,
                Lot.quantity >= 10,
                Product.restricted == "",
                Product.drug_class != DrugClass.RX,
            )
            .group_by(Product.id)
            .order_by(Product.sku)
            .limit(count)
        ).all()
    return [(barcode_of(sessions, sku), name, price) for sku, name, price in rows]


async def test_a_burst_of_20_scans_shows_every_line_in_order_with_right_totals(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    products = sellable(demo_sessions, 20)
    assert len(products) == 20
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(CartTable)
        burst(app, "".join(f"{code}\n" for code, _name, _price in products))
        for _ in range(200):
            if table.row_count == 20:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        cart = app.register.cart()
        names = [str(table.get_row_at(index)[1]) for index in range(table.row_count)]
        assert [name.split(" [")[0] for name in names] == [name for _c, name, _p in products]
        assert [line.name for line in cart.lines] == [name for _c, name, _p in products]
        assert [str(table.get_row_at(index)[0]) for index in range(20)] == [
            str(number) for number in range(1, 21)
        ]
        assert [str(table.get_row_at(index)[6]) for index in range(20)] == [
            format_fen(line.total_fen) for line in cart.lines
        ]
        assert table.selected_index == 19
        assert cart.total_fen == sum(line.total_fen for line in cart.lines)
        assert cart.subtotal_fen == sum(price for _c, _n, price in products)
        totals = app.screen.query_one(TotalsPanel)
        assert totals.cart is not None and totals.cart.total_fen == cart.total_fen
        assert totals.cart.items == 20
        text = screen_text(app)
        assert "¥" + format_fen(cart.total_fen) in text
        assert app.screen.query_one(ScanInput).value == ""
