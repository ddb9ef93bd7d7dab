"""Changing a line's quantity."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label

from pos.i18n import N_, _
from pos.screens.common import localize_bindings
from pos.widgets.ordered_input import OrderedInput

Apply = Callable[[str], str | None]
"""Sets the quantity typed; returns why it could not, or None."""


class QuantityModal(ModalScreen[bool]):
    """Ask for a new quantity (1 to 9999); a refused one is explained and can be retyped."""

    BINDINGS = [
        Binding("enter", "submit", N_("Set"), id="set-qty", priority=True),
        Binding("escape", "close", N_("Cancel"), id="close", priority=True),
    ]

    def __init__(self, name: str, qty: int, apply: Apply) -> None:
        super().__init__()
        localize_bindings(self)
        self.product_name = name
        self.qty = qty
        self.apply = apply

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box small"):
            yield Label(
                _("Quantity of {name}").format(name=self.product_name), classes="modal-title"
            )
            yield OrderedInput(value=str(self.qty), id="qty", select_on_focus=True)
            yield Label(_("Enter to set, Esc to cancel"), id="qty-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OrderedInput).focus()

    async def action_submit(self) -> None:
        """Set the quantity if the register accepts it."""
        field = self.query_one(OrderedInput)
        await field.settle()
        error = self.apply(field.value)
        if error:
            self.query_one("#qty-status", Label).update(error)
            self.app.bell()
            return
        await self.dismiss(True)

    async def action_close(self) -> None:
        """Keep the quantity as it is."""
        await self.query_one(OrderedInput).settle()
        await self.dismiss(False)
