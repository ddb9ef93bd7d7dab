"""Closing a shift: the cash counted per note and coin, a running total, then over/short.

The first F12 checks the count and shows expected against counted; F12 again
(with the same count) closes the shift. Any change to the count asks again.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input

from pos.app.modals.common import localize_bindings
from pos.app.modals.form import FormModal
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label
from pos.i18n import N_, _
from pos.register.api import DENOMINATIONS_FEN, InputError, format_fen
from pos.register.staff.shifts import ShiftCount, denomination_label, parse_count_fields

Counts = dict[int, str]
"""Denomination in fen → the count typed."""
CountCash = Callable[[Counts], ShiftCount]
"""Checks a count against the cash expected; raises InputError."""
CloseShift = Callable[[Counts], str | None]
"""Closes the shift with the count; returns why it could not, or None."""


def over_short_text(count: ShiftCount) -> str:
    """``over ¥1.00``, ``short ¥1.50`` or ``even``."""
    if count.over_short_fen > 0:
        return _("over ¥{amount}").format(amount=format_fen(count.over_short_fen))
    if count.over_short_fen < 0:
        return _("short ¥{amount}").format(amount=format_fen(-count.over_short_fen))
    return _("even")


class CountModal(FormModal):
    """Count the drawer per denomination; F12 shows over/short, F12 again closes."""

    BINDINGS = [
        Binding("f12", "close_shift", N_("Check the count, then close"), id="close-shift",
                priority=True),
        Binding("escape", "close", N_("Cancel"), id="close", priority=True),
    ]  # fmt: skip

    def __init__(self, expected_fen: int, count: CountCash, close: CloseShift) -> None:
        super().__init__()
        localize_bindings(self)
        self.expected_fen = expected_fen
        self.count = count
        self.close_with = close
        self.checked: Counts | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box small", id="count-form"):
            yield Label(_("Count the cash and close the shift"), classes="modal-title")
            for fen in DENOMINATIONS_FEN:
                with Horizontal(classes="form-row"):
                    yield Label(denomination_label(fen), classes="form-label")
                    yield OrderedInput(placeholder="0", id=f"count-{fen}")
            yield Label(self._total_text(), id="count-total")
            yield Label(
                _("Enter: next count. F12: over/short; F12 again closes. Esc: cancel"),
                id="form-status",
            )
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        self.query_one(f"#count-{DENOMINATIONS_FEN[0]}", OrderedInput).focus()

    def texts(self) -> Counts:
        """The counts typed, per denomination."""
        return {fen: self.value(f"count-{fen}") for fen in DENOMINATIONS_FEN}

    def _total_text(self) -> str:
        try:
            counts = parse_count_fields(self.texts()) if self.is_mounted else {}
        except InputError as exc:
            return str(exc)
        counted = sum(fen * n for fen, n in counts.items())
        return _("Counted ¥{counted} (expected ¥{expected})").format(
            counted=format_fen(counted), expected=format_fen(self.expected_fen)
        )

    def on_input_changed(self, _event: Input.Changed) -> None:
        """Keep the running total up to date; a changed count is checked again."""
        if self.checked is not None and self.checked != self.texts():
            self.checked = None
            self.query_one("#form-status", Label).update(
                _("The count changed: F12 shows over/short again")
            )
        self.query_one("#count-total", Label).update(self._total_text())

    async def action_close_shift(self) -> None:
        """First F12: expected against counted. Second F12, same count: close the shift."""
        await self.settle_fields()
        texts = self.texts()
        if self.checked == texts:
            error = self.close_with(texts)
            if error:
                self.checked = None
                self.fail(error)
                return
            await self.dismiss(True)
            return
        try:
            count = self.count(texts)
        except InputError as exc:
            self.fail(str(exc))
            return
        self.checked = texts
        self.query_one("#count-total", Label).update(
            _("Counted ¥{counted}, expected ¥{expected}: {over_short}").format(
                counted=format_fen(count.counted_fen),
                expected=format_fen(count.expected_fen),
                over_short=over_short_text(count),
            )
        )
        self.query_one("#form-status", Label).update(
            _("F12 again closes the shift and prints the Z report (a manager approves)")
        )

    async def action_close(self) -> None:
        """Nothing counted, the shift stays open."""
        await self.settle_fields()
        await self.dismiss(False)
