"""A scanner's burst: while keys are still queued only the cart table follows each scan;
the panels, the suggestions and the message (with the dangers of every line the burst
added) are shown once, when the burst settles. Nothing is lost, every scan in order."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.app.checkout.screen import CheckoutScreen
from pos.app.widgets.cart_table import CartTable
from pos.app.widgets.message_bar import MessageBar
from pos.app.widgets.suggestion_panel import SuggestionPanel
from pos.app.widgets.totals import TotalsPanel
from tests.helpers import barcode_of, burst

SIZE = (120, 40)
FISH_OIL, MASK = "6941792027797", "6952523006714"


async def settle(pilot: Any, table: CartTable, rows: int) -> None:
    """Wait until the table shows ``rows`` lines and the burst's timer has fired."""
    for _ in range(200):
        if table.row_count == rows and app_settled(pilot.app.screen):
            break
        await pilot.pause(0.02)
    await pilot.pause()


def app_settled(screen: Any) -> bool:
    return isinstance(screen, CheckoutScreen) and getattr(screen, "_deferred", None) is None


async def test_a_burst_refreshes_the_panels_once_and_says_an_earlier_lines_danger(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    first = barcode_of(demo_sessions, "P00001")
    again = barcode_of(demo_sessions, "P00008")  # acetaminophen again: a danger
    codes = [first, again, FISH_OIL, MASK, FISH_OIL]
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CheckoutScreen)
        refreshed: list[int] = []
        original = screen.refresh_cart

        def counted(cart: Any, outcome: Any = None) -> None:
            refreshed.append(len(cart.lines))
            original(cart, outcome)

        screen.refresh_cart = counted  # type: ignore[method-assign]
        table = screen.query_one(CartTable)
        burst(app, "".join(f"{code}\n" for code in codes))
        await settle(pilot, table, 4)
        cart = app.register.cart()
        assert table.row_count == 4
        assert [line.qty for line in cart.lines] == [1, 1, 2, 1]
        # the panels were not refreshed once per scan: the burst was shown at its end
        assert 1 <= len(refreshed) < len(codes)
        assert refreshed[-1] == 4
        totals = screen.query_one(TotalsPanel)
        assert totals.cart is not None and totals.cart.total_fen == cart.total_fen
        offered = screen.query_one(SuggestionPanel)
        assert list(offered.suggestions) == app.register.suggestions()
        bar = screen.query_one(MessageBar)
        dangers = [w.text for w in app.register.warnings() if w.line_index == 1]
        assert dangers and all(text in bar.text for text in dangers)
        assert table.selected_index == 2  # the last scanned line (fish oil, now 2)


async def test_scans_typed_one_by_one_are_shown_in_full_at_once(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CheckoutScreen)
        for code in (FISH_OIL, MASK):
            await pilot.press(*code, "enter")
            await pilot.pause()
            assert getattr(screen, "_deferred", None) is None
            assert getattr(screen, "_settle", None) is None
        cart = app.register.cart()
        assert screen.query_one(TotalsPanel).cart == cart
        assert cart.lines[-1].name in screen.query_one(MessageBar).text


async def test_an_unknown_code_at_the_end_of_a_burst_keeps_its_error_on_screen(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CheckoutScreen)
        table = screen.query_one(CartTable)
        burst(app, f"{FISH_OIL}\n{MASK}\n0000000000000\n")
        await settle(pilot, table, 2)
        await pilot.pause(0.1)  # past the burst's timer
        text = screen.query_one(MessageBar).text
        assert "0000000000000" in text, text
        assert screen.query_one(TotalsPanel).cart == app.register.cart()
