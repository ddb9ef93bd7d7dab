"""F7: the last receipt on screen, laid out exactly as the printer prints it."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from pos.app.modals.common import localize_bindings
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.plain import Label, Static
from pos.i18n import N_, _


class ReceiptModal(ModalScreen[None]):
    """A receipt preview; F6 reprints it (a sale's), Esc closes."""

    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="close-receipt", priority=True),
        Binding("f7", "close", N_("Close"), id="close-receipt-f7", show=False, priority=True),
        Binding("f6", "reprint", N_("Reprint"), id="reprint-preview", priority=True),
    ]

    def __init__(self, number: str, text: str, reprint: Callable[[], None] | None) -> None:
        super().__init__()
        localize_bindings(self)
        self.number = number
        self.text = text
        self.reprint = reprint

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="modal-box", id="receipt-box"):
            yield Label(_("Receipt {number}").format(number=self.number), classes="modal-title")
            yield Static(Text(self.text, no_wrap=True), id="receipt-paper")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.reprint is not None or action != "reprint"

    async def action_reprint(self) -> None:
        """Print a copy of this receipt, then close."""
        if self.reprint is None:
            return
        self.reprint()
        await self.dismiss(None)

    async def action_close(self) -> None:
        """Back to the register."""
        await self.dismiss(None)
