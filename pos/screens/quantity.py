"""Changing a line's quantity."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label

from pos.i18n import N_, _
from pos.screens.common import localize_bindings
from pos.services.codes import InputError, parse_quantity


class QuantityModal(ModalScreen[str | None]):
    """Ask for a new quantity (1 to 9999); Esc keeps the old one."""

    BINDINGS = [Binding("escape", "close", N_("Cancel"), id="close")]

    def __init__(self, name: str, qty: int) -> None:
        super().__init__()
        localize_bindings(self)
        self.product_name = name
        self.qty = qty

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box small"):
            yield Label(
                _("Quantity of {name}").format(name=self.product_name), classes="modal-title"
            )
            yield Input(value=str(self.qty), id="qty", select_on_focus=True)
            yield Label(_("Enter to set, Esc to cancel"), id="qty-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        try:
            parse_quantity(event.value)
        except InputError as exc:
            self.query_one("#qty-status", Label).update(str(exc))
            self.app.bell()
            return
        self.dismiss(event.value)

    def action_close(self) -> None:
        """Keep the quantity as it is."""
        self.dismiss(None)
