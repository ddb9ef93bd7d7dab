"""Before a restricted product (ephedrine-class) is paid: the buyer's name and resident ID."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical

from pos.app.modals.common import localize_bindings
from pos.app.modals.form import FormModal
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label
from pos.i18n import N_, _

Register = Callable[[str, str], str | None]
"""Records the buyer; returns why it could not, or None."""


class RestrictedBuyerModal(FormModal):
    """The restricted-sales register entry; F12 saves, Esc cancels."""

    BINDINGS = [
        Binding("f12", "save", N_("Save"), id="save-buyer", priority=True),
        Binding("escape", "close", N_("Cancel"), id="close", priority=True),
    ]

    def __init__(self, products: str, register: Register) -> None:
        super().__init__()
        localize_bindings(self)
        self.products = products
        self.register = register

    def compose(self) -> ComposeResult:
        with Vertical(id="buyer-form", classes="modal-box"):
            yield Label(_("Restricted sale: check the buyer's ID card"), classes="modal-title")
            yield Label(_("Products: {names}").format(names=self.products))
            for field, label, placeholder in (
                ("buyer-name", _("Name"), _("as on the ID card")),
                ("buyer-id", _("ID number"), _("18 characters")),
            ):
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield OrderedInput(placeholder=placeholder, id=field)
            yield Label(
                _("Kept in the restricted-sales register only, never for marketing. F12 saves"),
                id="form-status",
            )
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        self.query_one("#buyer-name", OrderedInput).focus()

    async def action_save(self) -> None:
        """Record the buyer if the ID number is valid."""
        await self.settle_fields()
        error = self.register(self.value("buyer-name"), self.value("buyer-id"))
        if error:
            self.fail(error)
            return
        await self.dismiss(True)

    async def action_close(self) -> None:
        """Back to the cart; nothing recorded."""
        await self.dismiss(False)
