"""Ctrl+A: record a suspected adverse drug reaction (不良反应) for the national report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from pos.app.modals.common import localize_bindings
from pos.app.modals.form import FormModal
from pos.app.modals.service.choices import Field, chosen, form_rows
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label
from pos.i18n import N_, _
from pos.register.customers.aftercare import OUTCOMES, REACTION_SEVERITIES, AdverseForm

Save = Callable[[AdverseForm], str | None]
"""Stores the record; returns why it could not, or None."""


class AdverseReactionModal(FormModal):
    """A suspected reaction: drug, lot, patient, reaction; F12 saves, Esc cancels."""

    BINDINGS = [
        Binding("f12", "save", N_("Save"), id="save-reaction", priority=True),
        Binding("escape", "close", N_("Cancel"), id="close", priority=True),
    ]

    def __init__(self, save: Save, today: date, member_card: str = "") -> None:
        super().__init__()
        localize_bindings(self)
        self.save = save
        self.today = today
        self.member_card = member_card

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="reaction-form", classes="modal-box"):
            yield Label(_("Suspected adverse drug reaction"), classes="modal-title")
            fields: tuple[Field, ...] = (
                ("adr-product", _("Drug"), _("type its barcode or SKU"), ""),
                ("adr-lot", _("Lot"), _("lot number on the box"), ""),
                (
                    "adr-member",
                    _("Member card"),
                    _("optional: anonymous without"),
                    self.member_card,
                ),
                ("adr-reaction", _("Reaction"), _("e.g. rash, nausea"), ""),
                ("adr-onset", _("Onset date"), "YYYY-MM-DD", self.today.isoformat()),
                ("adr-severity", _("Severity"), REACTION_SEVERITIES, ""),
                ("adr-outcome", _("Outcome"), OUTCOMES, ""),
                ("adr-description", _("Description"), _("what happened, when, what was done"), ""),
            )
            yield from form_rows(fields)
            yield Label(
                _("For the ADR report only, never for marketing. F12 saves"), id="form-status"
            )
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        self.query_one("#adr-product", OrderedInput).focus()

    async def action_save(self) -> None:
        """Store the record if the register accepts it."""
        await self.settle_fields()
        try:
            onset = date.fromisoformat(self.value("adr-onset").strip())
        except ValueError:
            self.fail(_("The onset date is not a date YYYY-MM-DD"))
            return
        form = AdverseForm(
            product=self.value("adr-product"),
            reaction=self.value("adr-reaction"),
            onset_on=onset,
            severity=chosen(self.value("adr-severity"), REACTION_SEVERITIES),
            outcome=chosen(self.value("adr-outcome"), OUTCOMES),
            description=self.value("adr-description"),
            lot=self.value("adr-lot"),
            member_card=self.value("adr-member"),
        )
        error = self.save(form)
        if error:
            self.fail(error)
            return
        await self.dismiss(True)

    async def action_close(self) -> None:
        """Back to the cart; nothing recorded."""
        await self.dismiss(False)
