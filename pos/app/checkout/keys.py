"""The checkout screen's keys, in one table (F1 and the README list the same)."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding, BindingType
from textual.screen import Screen

from pos.i18n import N_

CHECKOUT_BINDINGS: list[BindingType] = [
    Binding("f1", "help", N_("Keys"), id="help", priority=True),
    Binding("f2", "find_member", N_("Member"), id="find-member", priority=True),
    Binding("f3", "search", N_("Search"), id="search", priority=True),
    Binding("f4", "quantity", N_("Qty"), id="quantity", priority=True),
    Binding("f5", "enrol", N_("Enrol"), id="enrol", priority=True),
    Binding("f6", "reprint", N_("Reprint"), id="reprint", priority=True),
    Binding("f7", "preview_receipt", N_("Receipt"), id="preview-receipt", priority=True),
    Binding("f8", "remove_line", N_("Remove"), id="remove-line", priority=True),
    Binding("f9", "acknowledge_guidance", N_("Guided"), id="guidance-said", priority=True),
    Binding("f10", "clear_cart", N_("Clear"), id="clear-cart", priority=True),
    # F11 is named by the printer status line when receipts wait (and listed under F1):
    # the footer keeps room for F12 Pay at 120 columns.
    Binding("f11", "retry_print", N_("Retry"), id="retry-print", show=False, priority=True),
    Binding("f12", "pay", N_("Pay"), id="pay", priority=True),
    # Before the suggestion keys: Alt+1..5 rate the sale just paid while it is on screen
    # (ServiceKeys.allows); otherwise Alt+1..3 go on to the suggestions. Without the kitty
    # keyboard protocol Textual reads Alt+1..5 (ESC 1..5) as ¡ ™ £ ¢ ∞, as macOS's
    # Option+1..5 type them: those characters rate (and add suggestions) too.
    Binding(
        "alt+1,inverted_exclamation_mark",
        "rate(1)",
        N_("Rate 1: very poor"),
        id="rate-1",
        show=False,
        priority=True,
    ),
    Binding(
        "alt+2,trade_mark_sign",
        "rate(2)",
        N_("Rate 2: poor"),
        id="rate-2",
        show=False,
        priority=True,
    ),
    Binding(
        "alt+3,pound_sign", "rate(3)", N_("Rate 3: fair"), id="rate-3", show=False, priority=True
    ),
    Binding(
        "alt+4,cent_sign", "rate(4)", N_("Rate 4: good"), id="rate-4", show=False, priority=True
    ),
    Binding(
        "alt+5,infinity", "rate(5)", N_("Rate 5: very good"), id="rate-5", show=False, priority=True
    ),
    Binding(
        "shift+f1,alt+1,f13,inverted_exclamation_mark",
        "suggestion(1)",
        N_("Add suggestion 1"),
        id="suggest-1",
        show=False,
        priority=True,
    ),
    Binding(
        "shift+f2,alt+2,f14,trade_mark_sign",
        "suggestion(2)",
        N_("Add suggestion 2"),
        id="suggest-2",
        show=False,
        priority=True,
    ),
    Binding(
        "shift+f3,alt+3,f15,pound_sign",
        "suggestion(3)",
        N_("Add suggestion 3"),
        id="suggest-3",
        show=False,
        priority=True,
    ),
    Binding("ctrl+o", "promotions", N_("Promotions"), id="promotions", show=False, priority=True),
    Binding("ctrl+g", "hold", N_("Hold"), id="hold-sale", show=False, priority=True),
    Binding("ctrl+r", "recall", N_("Recall"), id="recall-sale", show=False, priority=True),
    Binding(
        "ctrl+e", "change_price", N_("Change price"), id="change-price", show=False, priority=True
    ),
    Binding("ctrl+d", "discount", N_("Line discount"), id="discount", show=False, priority=True),
    Binding("ctrl+t", "return", N_("Return"), id="return-sale", show=False, priority=True),
    Binding("ctrl+k", "open_drawer", N_("Drawer"), id="open-drawer", show=False, priority=True),
    Binding(
        "ctrl+y", "reports", N_("Store reports (manager)"), id="reports", show=False, priority=True
    ),
    Binding("ctrl+w", "complaint", N_("Complaint"), id="complaint", show=False, priority=True),
    Binding(
        "ctrl+a",
        "adverse_reaction",
        N_("Adverse drug reaction"),
        id="adverse-reaction",
        show=False,
        priority=True,
    ),
    Binding(
        "ctrl+u", "follow_ups", N_("Follow-up calls"), id="follow-ups", show=False, priority=True
    ),
    Binding("ctrl+b", "shift", N_("Cash shift"), id="cash-shift", show=False, priority=True),
    Binding("ctrl+s", "language", N_("Screen language"), id="language", show=False, priority=True),
    Binding("ctrl+n", "details", N_("Guidance in full"), id="details", show=False, priority=True),
    Binding(
        "pagedown",
        "scroll_guidance(1)",
        N_("Guidance: next page"),
        id="guidance-down",
        show=False,
        priority=True,
    ),
    Binding(
        "pageup",
        "scroll_guidance(-1)",
        N_("Guidance: previous page"),
        id="guidance-up",
        show=False,
        priority=True,
    ),
    Binding("up", "cursor(-1)", N_("Line up"), id="line-up", show=False, priority=True),
    Binding("down", "cursor(1)", N_("Line down"), id="line-down", show=False, priority=True),
    Binding(
        "escape", "clear_field", N_("Clear field"), id="clear-field", show=False, priority=True
    ),
]


def function_keys(screen: Screen[Any], shown: bool = False) -> list[tuple[str, str]]:
    """(F1, what it does) … (F12, …) of ``screen``, in its language (for the key bar);
    with ``shown``, only those the footer shows."""
    keys = []
    for number in range(1, 13):
        for binding in screen._bindings.key_to_bindings.get(f"f{number}", []):
            if binding.description and (binding.show or not shown):
                keys.append((f"F{number}", binding.description))
                break
    return keys
