"""A toast on the checkout screen never covers what the cashier works with.

After each sale the rating prompt stays 8 s; at its bottom-right corner it covered the
end of the message line ("… 找零 ¥40.10"), the scan field and the key bar. Toasts now sit
over the cart's lower right, clear of the scan field, the message line, the keys, the
member, totals and last-sale panels and the status lines, at every layout.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets._toast import Toast

from pos.app import PosApp
from pos.app.checkout.screen import CheckoutScreen
from pos.app.widgets.cart_table import CartTable
from tests.helpers import barcode_of, type_text

SIZES = [(80, 24), (120, 40), (100, 24), (80, 40), (160, 50)]
KEPT_CLEAR = (
    "#scan-bar",
    "#message",
    "#keys",
    "KeyFooter",
    "#member",
    "#totals",
    "#last-sale",
    "#printer-status",
    "#sync-status",
    "#save-status",
    "ShiftStatus",
)


def covered(screen: CheckoutScreen, toasts: list[Toast]) -> list[str]:
    """The essential widgets (by selector) that a toast overlaps on screen."""
    found = []
    for selector in KEPT_CLEAR:
        for widget in screen.query(selector):
            assert isinstance(widget, Widget)
            if not widget.display or widget.region.area == 0:
                continue
            if any(widget.region.overlaps(toast.region) for toast in toasts):
                found.append(selector)
    return found


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_rating_prompt_after_a_sale_covers_nothing_the_cashier_needs(
    app: PosApp, demo_sessions: sessionmaker[Session], size: tuple[int, int]
) -> None:
    code = barcode_of(demo_sessions, "P00136")  # masks: no guidance to tell
    async with app.run_test(size=size, notifications=True) as pilot:
        await type_text(pilot, code)
        await pilot.press("enter", "f12", "enter")  # the exact cash
        for _ in range(10):
            await pilot.pause()
            if app.screen.query(Toast):
                break
        screen = app.screen
        assert isinstance(screen, CheckoutScreen)
        toasts = list(screen.query(Toast))
        assert toasts, "the rating prompt is shown"
        assert "Change ¥0.00" in screen.message.text
        assert covered(screen, toasts) == []
        cart = screen.query_one(CartTable).region
        for toast in toasts:  # over the cart (empty after the sale), inside the screen
            assert cart.contains_region(toast.region), (toast.region, cart)
            assert Region(0, 0, *size).contains_region(toast.region)
