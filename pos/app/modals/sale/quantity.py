"""Typing one value for a line: its quantity, price or discount."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen

from pos.app.modals.common import localize_bindings
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label
from pos.i18n import N_, _

Apply = Callable[[str], str | None]
"""Applies the value typed; returns why it could not, or None."""


class ValueModal(ModalScreen[bool]):
    """Ask for one value (a quantity, a price, a percent); a refused one is explained."""

    HOLDS_SCANS: ClassVar[bool] = True
    """A scan while this is open is held for the cart (pos.app.widgets.scan_hold)."""

    BINDINGS = [
        Binding("enter", "submit", N_("Set"), id="set-qty", priority=True),
        Binding("escape", "close", N_("Cancel"), id="close", priority=True),
    ]

    def __init__(self, title: str, value: str, apply: Apply, field_id: str = "value") -> None:
        super().__init__()
        localize_bindings(self)
        self.title_text = title
        self.initial = value
        self.apply = apply
        self.field_id = field_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box small"):
            yield Label(self.title_text, classes="modal-title")
            yield OrderedInput(value=self.initial, id=self.field_id, select_on_focus=True)
            yield Label(_("Enter to set, Esc to cancel"), id=f"{self.field_id}-status")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        self.query_one(OrderedInput).focus()

    async def action_submit(self) -> None:
        """Set the value if the register accepts it."""
        field = self.query_one(OrderedInput)
        await field.settle()
        error = self.apply(field.value)
        if error:
            self.query_one(f"#{self.field_id}-status", Label).update(error)
            self.app.bell()
            return
        await self.dismiss(True)

    async def action_close(self) -> None:
        """Keep things as they are."""
        await self.query_one(OrderedInput).settle()
        await self.dismiss(False)


class QuantityModal(ValueModal):
    """Ask for a new quantity (1 to 9999)."""

    def __init__(self, name: str, qty: int, apply: Apply) -> None:
        super().__init__(_("Quantity of {name}").format(name=name), str(qty), apply, "qty")
