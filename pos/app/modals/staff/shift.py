"""Ctrl+B: the cash shift: its state and keys, cash in and out, and its reports on screen."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen

from pos.app.modals.common import localize_bindings
from pos.app.modals.form import FormModal
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label, Static
from pos.i18n import N_, _
from pos.register.api import format_fen
from pos.register.staff.shifts import CASH_IN, CASH_OUT, ShiftView

X_REPORT, CLOSE = "x", "close"
"""The choices of the shift menu besides ``CASH_IN`` and ``CASH_OUT``."""

MoveCash = Callable[[str, str], str | None]
"""(amount typed, reason) → why the movement was refused, or None."""


class ShiftMenuModal(ModalScreen[str | None]):
    """The open shift; a key chooses what to do, dismissed with the choice (or None)."""

    BINDINGS = [
        Binding("f2", "choose('in')", N_("Put cash in"), id="shift-cash-in", priority=True),
        Binding("f3", "choose('out')", N_("Take cash out"), id="shift-cash-out", priority=True),
        Binding("f4", "choose('x')", N_("Print X report"), id="shift-x-report", priority=True),
        Binding("f5", "choose('close')", N_("Count and close"), id="shift-close", priority=True),
        Binding("escape", "choose('')", N_("Cancel"), id="shift-back", priority=True),
    ]

    def __init__(self, shift: ShiftView) -> None:
        super().__init__()
        localize_bindings(self)
        self.shift = shift

    def compose(self) -> ComposeResult:
        shift = self.shift
        with Vertical(classes="modal-box small", id="shift-menu"):
            yield Label(_("Cash shift"), classes="modal-title")
            yield Label(
                _("Opened by {who} at {when}").format(
                    who=shift.opened_by_name or shift.opened_by or "-",
                    when=f"{shift.opened_at:%Y-%m-%d %H:%M}",
                )
            )
            yield Label(_("Float ¥{amount}").format(amount=format_fen(shift.float_fen)))
            yield Label(
                _("Cash expected in the drawer ¥{amount}").format(
                    amount=format_fen(shift.expected_fen)
                ),
                id="shift-expected",
            )
        yield ScreenKeys()  # every key whole, on two lines if need be

    async def action_choose(self, choice: str) -> None:
        """Close the menu with ``choice`` (empty: nothing)."""
        await self.dismiss(choice or None)


class CashModal(FormModal):
    """Cash put into or taken out of the drawer: amount and reason; F12 records it."""

    BINDINGS = [
        Binding("f12", "save", N_("Record the cash"), id="save-cash", priority=True),
        Binding("escape", "close", N_("Cancel"), id="close", priority=True),
    ]

    def __init__(self, kind: str, move: MoveCash) -> None:
        super().__init__()
        localize_bindings(self)
        self.kind = kind
        self.move = move

    def compose(self) -> ComposeResult:
        title = _("Cash into the drawer") if self.kind == CASH_IN else _("Cash out of the drawer")
        with Vertical(classes="modal-box small", id="cash-form"):
            yield Label(title, classes="modal-title")
            for field, label, placeholder in (
                ("cash-amount", _("Amount ¥"), _("yuan, e.g. 200 or 12.50")),
                ("cash-reason", _("Reason"), _("e.g. change from the bank, safe drop")),
            ):
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield OrderedInput(placeholder=placeholder, id=field)
            yield Label(_("F12 records it and opens the drawer, Esc cancels"), id="form-status")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        self.query_one("#cash-amount", OrderedInput).focus()

    async def action_save(self) -> None:
        """Record the movement if the register accepts it."""
        await self.settle_fields()
        error = self.move(self.value("cash-amount"), self.value("cash-reason"))
        if error:
            self.fail(error)
            return
        await self.dismiss(True)

    async def action_close(self) -> None:
        """Nothing recorded."""
        await self.settle_fields()
        await self.dismiss(False)


class ShiftReportModal(ModalScreen[None]):
    """An X or Z report on screen, laid out as printed; Esc closes."""

    BINDINGS = [Binding("escape", "close", N_("Close"), id="close-report", priority=True)]

    def __init__(self, number: str, text: str) -> None:
        super().__init__()
        localize_bindings(self)
        self.number = number
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="modal-box", id="receipt-box"):
            title = _("Shift report {number}").format(number=self.number)
            yield Label(title, classes="modal-title")
            yield Static(Text(self.text, no_wrap=True), id="receipt-paper")
        yield ScreenKeys()  # every key whole, on two lines if need be

    async def action_close(self) -> None:
        """Back to the register."""
        await self.dismiss(None)


__all__ = [
    "CASH_IN",
    "CASH_OUT",
    "CLOSE",
    "X_REPORT",
    "CashModal",
    "ShiftMenuModal",
    "ShiftReportModal",
]
