"""Before an Rx sale is paid: the prescription, and a pharmacist's review (id and PIN)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical

from pos.app.modals.common import localize_bindings
from pos.app.modals.form import FormModal
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label
from pos.i18n import N_, _
from pos.register.api import PrescriptionForm

Review = Callable[[PrescriptionForm, str, str], str | None]
"""Records the reviewed prescription; returns why it could not, or None."""


class PrescriptionModal(FormModal):
    """The prescription record and the reviewing pharmacist; F12 saves, Esc cancels."""

    BINDINGS = [
        Binding("f12", "save", N_("Save"), id="save-prescription", priority=True),
        Binding("escape", "close", N_("Cancel"), id="close", priority=True),
    ]

    def __init__(
        self, products: str, today: date, review: Review, notes: Sequence[str] = ()
    ) -> None:
        """``notes``: what the pharmacist must see (the member's allergies, conditions)."""
        super().__init__()
        localize_bindings(self)
        self.products = products
        self.today = today
        self.review = review
        self.notes = tuple(notes)

    def compose(self) -> ComposeResult:
        with Vertical(id="prescription-form", classes="modal-box"):
            yield Label(_("Prescription and pharmacist review"), classes="modal-title")
            yield Label(_("Prescription drugs: {names}").format(names=self.products))
            if self.notes:
                yield Label("⚠ " + "\n⚠ ".join(self.notes), id="rx-alerts", classes="rx-alerts")
            for field, label, value, placeholder, secret in (
                ("rx-number", _("Rx number"), "", _("as written on the prescription"), False),
                ("rx-prescriber", _("Hospital"), "", _("hospital or prescriber"), False),
                ("rx-date", _("Date"), self.today.isoformat(), "YYYY-MM-DD", False),
                ("rx-patient", _("Patient"), "", _("patient's name"), False),
                ("rx-pharmacist", _("Pharmacist"), "", _("pharmacist's user id"), False),
                ("rx-pin", _("PIN"), "", _("pharmacist's PIN"), True),
            ):
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield OrderedInput(
                        value=value, placeholder=placeholder, password=secret, id=field
                    )
            yield Label(_("The pharmacist reviews the prescription, then F12"), id="form-status")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        self.query_one("#rx-number", OrderedInput).focus()

    async def action_save(self) -> None:
        """Record the prescription if the pharmacist's id and PIN are right."""
        await self.settle_fields()
        form = PrescriptionForm(
            number=self.value("rx-number"),
            prescriber=self.value("rx-prescriber"),
            issued_on=self.value("rx-date"),
            patient_name=self.value("rx-patient"),
        )
        error = self.review(form, self.value("rx-pharmacist"), self.value("rx-pin"))
        if error:
            self.query_one("#rx-pin", OrderedInput).value = ""
            self.fail(error)
            return
        await self.dismiss(True)

    async def action_close(self) -> None:
        """Back to the cart; nothing recorded."""
        await self.dismiss(False)
