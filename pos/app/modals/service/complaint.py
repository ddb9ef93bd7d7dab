"""Ctrl+W: record a customer's complaint (投诉), against a sale, a member or anonymous."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical

from pos.app.modals.common import localize_bindings
from pos.app.modals.form import FormModal
from pos.app.modals.service.choices import Field, chosen, form_rows
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label
from pos.i18n import N_, _
from pos.register.customers.aftercare import CATEGORIES, SEVERITIES, ComplaintForm

Save = Callable[[ComplaintForm], str | None]
"""Stores the complaint; returns why it could not, or None."""
ShowList = Callable[[], None]
"""Opens the list of complaints in hand and open."""


class ComplaintModal(FormModal):
    """A new complaint; F12 saves, F4 lists the complaints waiting, Esc cancels."""

    BINDINGS = [
        Binding("f12", "save", N_("Save"), id="save-complaint", priority=True),
        Binding("f4", "list", N_("Open complaints"), id="list-complaints", priority=True),
        Binding("escape", "close", N_("Cancel"), id="close", priority=True),
    ]

    def __init__(
        self,
        save: Save,
        show_list: ShowList,
        sale_number: str = "",
        rating_id: int | None = None,
    ) -> None:
        super().__init__()
        localize_bindings(self)
        self.save = save
        self.show_list = show_list
        self.sale_number = sale_number
        self.rating_id = rating_id

    def compose(self) -> ComposeResult:
        with Vertical(id="complaint-form", classes="modal-box"):
            yield Label(_("Complaint"), classes="modal-title")
            if self.rating_id is not None:
                yield Label(_("From the customer's low rating of this sale"))
            fields: tuple[Field, ...] = (
                ("complaint-sale", _("Sale"), _("receipt number (optional)"), self.sale_number),
                ("complaint-member", _("Member card"), _("optional"), ""),
                ("complaint-category", _("Category"), CATEGORIES, ""),
                ("complaint-severity", _("Severity"), SEVERITIES, "2"),
                ("complaint-description", _("What happened"), _("the customer's words"), ""),
            )
            yield from form_rows(fields)
            yield Label(_("F12 saves · F4 open complaints · Esc cancels"), id="form-status")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        first = "#complaint-category" if self.sale_number else "#complaint-sale"
        self.query_one(first, OrderedInput).focus()

    async def action_save(self) -> None:
        """Store the complaint if the register accepts it."""
        await self.settle_fields()
        form = ComplaintForm(
            category=chosen(self.value("complaint-category"), CATEGORIES),
            description=self.value("complaint-description"),
            severity=chosen(self.value("complaint-severity"), SEVERITIES),
            sale_number=self.value("complaint-sale"),
            member_card=self.value("complaint-member"),
            rating_id=self.rating_id,
        )
        error = self.save(form)
        if error:
            self.fail(error)
            return
        await self.dismiss(True)

    async def action_list(self) -> None:
        """Leave this form for the complaints waiting to be handled."""
        await self.dismiss(False)
        self.show_list()

    async def action_close(self) -> None:
        """Back to the cart; nothing recorded."""
        await self.dismiss(False)
