"""The cart table is updated in place; it must show exactly what a table built afresh shows.

After any sequence of cart changes (a line added, its quantity changed, a line removed,
gift lines appearing and going, a member attached so that member prices apply, stock
near expiry) the table that followed every change renders the same rows, cells, styles
and cursor as a new table shown only the last cart.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Horizontal

from pos.app.widgets.cart_table import CartTable
from pos.enums import DrugClass
from pos.register.views import CartLineView, CartView

TODAY = date(2026, 3, 10)
PRODUCTS = [
    CartLineView(
        sku=f"SKU{number}",
        name=name,
        spec=spec,
        unit="盒",
        qty=1,
        unit_price_fen=price,
        discount_fen=0,
        total_fen=price,
        drug_class=drug_class,
        next_expiry=TODAY + timedelta(days=days),
        member_price_fen=member,
    )
    for number, (name, spec, price, drug_class, days, member) in enumerate(
        [
            ("999感冒灵颗粒", "10g×9袋", 1850, DrugClass.OTC_A, 400, 1700),
            ("阿莫西林胶囊", "0.25g×24粒", 1200, DrugClass.RX, 20, None),
            ("医用口罩 [独立包装]", "10只", 990, DrugClass.NONE, 700, 890),
            ("维生素C片", "100片", 1500, DrugClass.OTC_B, 60, None),
            ("Fish oil softgels", "100 caps", 12800, DrugClass.NONE, 5, 11800),
            ("布洛芬缓释胶囊", "0.3g×20粒", 2350, DrugClass.OTC_A, 300, 2100),
        ]
    )
]
NEAR_DAYS = 30


def near_expiry(expiry: date | None) -> int | None:
    """Days left when ``expiry`` is within NEAR_DAYS of TODAY (as the register says)."""
    if expiry is None:
        return None
    days = (expiry - TODAY).days
    return days if days <= NEAR_DAYS else None


ADD = st.tuples(st.just("add"), st.integers(0, len(PRODUCTS) - 1), st.integers(1, 3))
QTY = st.tuples(st.just("qty"), st.integers(0, 30), st.integers(1, 9999))
REMOVE = st.tuples(st.just("remove"), st.integers(0, 30), st.just(0))
GIFT = st.tuples(st.just("gift"), st.integers(0, len(PRODUCTS) - 1), st.just(0))
MEMBER = st.tuples(st.just("member"), st.integers(0, 1), st.just(0))
OPERATIONS = st.lists(st.one_of(ADD, QTY, REMOVE, GIFT, MEMBER), min_size=1, max_size=25)


def priced(line: CartLineView, member: bool) -> CartLineView:
    """``line`` priced for its quantity, at the member price when one is attached."""
    saving = 0
    label = line.promo_label if line.gift else ""
    if member and line.member_price_fen is not None and not line.gift:
        saving = (line.unit_price_fen - line.member_price_fen) * line.qty
        label = "会员价"
    total = 0 if line.gift else line.unit_price_fen * line.qty - saving
    return replace(line, discount_fen=saving, total_fen=total, promo_label=label)


def carts(operations: list[tuple[str, int, int]]) -> list[CartView]:
    """The cart after each operation (as the register would hand it to the screen)."""
    lines: list[CartLineView] = []
    member = False
    last: int | None = None
    shown = []
    for kind, which, amount in operations:
        if kind == "add":
            product = PRODUCTS[which]
            found = next(
                (i for i, line in enumerate(lines) if line.sku == product.sku and not line.gift),
                None,
            )
            if found is None:
                lines.append(replace(product, qty=amount))
                last = len(lines) - 1
            else:
                lines[found] = replace(lines[found], qty=lines[found].qty + amount)
                last = found
        elif kind == "qty" and lines:
            last = which % len(lines)
            lines[last] = replace(lines[last], qty=amount)
        elif kind == "remove" and lines:
            del lines[which % len(lines)]
            last = None
        elif kind == "gift":
            gifts = [i for i, line in enumerate(lines) if line.gift]
            if gifts:  # the promotion no longer holds: its gift goes
                del lines[gifts[0]]
                last = min(last, len(lines) - 1) if last is not None and lines else None
            else:
                gift = replace(PRODUCTS[which], gift=True, promo_label="买二赠一")
                lines.append(gift)
        elif kind == "member":
            member = bool(which)
        lines = [priced(line, member) for line in lines]
        total = sum(line.total_fen for line in lines)
        discount = sum(line.discount_fen for line in lines)
        shown.append(CartView(tuple(lines), total + discount, discount, total, last))
    return shown


class TwoTables(App[None]):
    """The incremental table and a fresh one, side by side, the same size."""

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield CartTable(id="followed")
            yield CartTable(id="fresh")


def rendered(table: CartTable) -> list[list[tuple[str, str]]]:
    """Every line of the table as rendered: (text, style) of each segment."""
    return [
        [(segment.text, str(segment.style)) for segment in table.render_line(y)]
        for y in range(table.size.height)
    ]


def cells(table: CartTable) -> list[list[tuple[object, ...]]]:
    """The cells of every row: text, style, spans and alignment."""
    looks: list[list[tuple[object, ...]]] = []
    for index in range(table.row_count):
        row: list[tuple[object, ...]] = []
        for cell in table.get_row_at(index):
            text = cell if isinstance(cell, Text) else Text(str(cell))
            row.append((text.plain, str(text.style), tuple(text.spans), text.justify))
        looks.append(row)
    return looks


async def compare(sequence: list[CartView]) -> None:
    app = TwoTables()
    async with app.run_test(size=(160, 30)) as pilot:
        followed = app.query_one("#followed", CartTable)
        fresh = app.query_one("#fresh", CartTable)
        await pilot.pause()
        for cart in sequence:
            followed.show(cart, near_expiry)
            await pilot.pause()
            rendered(followed)  # each state painted: a stale cached cell would show later
        fresh.show(sequence[-1], near_expiry)
        await pilot.pause()
        assert cells(followed) == cells(fresh)
        assert [str(key.value) for key in followed.rows] == [str(key.value) for key in fresh.rows]
        assert followed.selected_index == fresh.selected_index
        assert followed.scroll_offset == fresh.scroll_offset
        assert rendered(followed) == rendered(fresh)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations=OPERATIONS)
def test_incremental_table_shows_what_a_rebuilt_table_shows(
    operations: list[tuple[str, int, int]],
) -> None:
    asyncio.run(compare(carts(operations)))


def test_the_comparison_sees_a_stale_row() -> None:
    """The check can fail: a row the table was not told about differs from a fresh table."""
    sequence = carts([("add", 0, 1), ("add", 1, 1)])
    stale = CartView(
        (replace(sequence[-1].lines[0], qty=7), sequence[-1].lines[1]), 0, 0, 0, last_index=1
    )

    async def run() -> None:
        app = TwoTables()
        async with app.run_test(size=(160, 30)) as pilot:
            followed = app.query_one("#followed", CartTable)
            fresh = app.query_one("#fresh", CartTable)
            followed.show(sequence[-1], near_expiry)
            fresh.show(stale, near_expiry)
            await pilot.pause()
            assert cells(followed) != cells(fresh)
            assert rendered(followed) != rendered(fresh)

    asyncio.run(run())


def test_a_name_too_long_for_its_column_ends_in_an_ellipsis_not_mid_word() -> None:
    """At 80 columns a long name (or its member-price label) is cut visibly: the cashier
    sees "…" where it goes on, never a word cut short as if it were whole."""
    long = replace(PRODUCTS[4], name="Fish oil softgels omega-3 high strength 1000 mg")

    class OneTable(App[None]):
        def compose(self) -> ComposeResult:
            yield CartTable()

    async def run() -> None:
        app = OneTable()
        async with app.run_test(size=(80, 24)) as pilot:
            table = app.query_one(CartTable)
            table.show(CartView((long,), 0, 0, 0, last_index=0), near_expiry)
            await pilot.pause()
            row = "".join(segment.text for segment in table.render_line(1))
            assert "Fish oil softgels" in row and "…" in row
            assert "1000 mg" not in row

    asyncio.run(run())
