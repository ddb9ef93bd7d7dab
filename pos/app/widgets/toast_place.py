"""Where a screen's toasts appear: over one widget's lower right, not the screen's.

Textual puts toasts at the screen's bottom right, over whatever is there. On the checkout
screen that was the end of the message line ("… 找零 ¥40.10"), the scan field and the keys,
for the 8 s of the rating prompt after every sale. :class:`ToastPlace` keeps the screen's
toasts inside the region of a widget that can bear it (the cart: empty after a sale, its
newest lines at its top until it fills), at every layout, as the widget moves and resizes.
"""

from __future__ import annotations

from typing import Any

from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets._toast import ToastRack  # Textual exports no name for the rack


class ToastPlace:
    """Keeps ``screen``'s toasts over ``over``'s lower right (inside its border)."""

    def __init__(self, screen: Screen[Any], over: Widget) -> None:
        self.screen = screen
        self.over = over

    def start(self) -> None:
        """Follow the screen's layout from now on (call once the screen is mounted)."""
        self.screen.screen_layout_refresh_signal.subscribe(self.screen, self.place, immediate=True)

    def place(self, _screen: object = None) -> None:
        """Fit the toast rack to the widget's region as laid out now (nothing if unchanged)."""
        try:
            rack = self.screen.get_child_by_type(ToastRack)
        except NoMatches:  # notifications are off (tests): nothing to place
            return
        region, size = self.over.region, self.screen.size
        if region.area == 0:
            return
        inset = 1 if self.over.styles.border_top[0] else 0
        # The rack is docked at the bottom: its margins place it, its width is the widget's
        # (a docked "1fr" would take the screen's whole width, margins or not).
        margin = (0, 0, max(size.height - region.bottom + inset, 0), region.x + inset)
        width = max(region.width - 2 * inset, 1)
        height = max(region.height - 2 * inset, 1)
        styles = rack.styles
        if styles.margin != margin:
            styles.margin = margin
        if styles.width is None or styles.width.value != width:
            styles.width = width
        if styles.max_height is None or styles.max_height.value != height:
            styles.max_height = height
