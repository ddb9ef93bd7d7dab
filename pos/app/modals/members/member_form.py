"""Enrol a member (F5), or edit one: phone, name, optional birthday, and the consents.

Health data (allergies, chronic conditions) is kept only with its own consent;
the membership terms must be accepted. F12 saves: Enter only moves on, because
a barcode scanner types Enter.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox

from pos.app.modals.common import localize_bindings
from pos.app.modals.form import FormModal
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label
from pos.i18n import N_, _
from pos.register.api import DuplicatePhone, MemberForm

Save = Callable[[MemberForm], str | None]
"""Stores the form; returns why it could not, or None. May raise DuplicatePhone."""
UseExisting = Callable[[int], str | None]
"""Attaches the member who already has the phone; returns why it could not, or None."""


class MemberFormModal(FormModal):
    """The enrolment (or edit) form; F12 saves, Esc cancels."""

    BINDINGS = [
        Binding("f12", "save", N_("Save"), id="save-member", priority=True),
        Binding("escape", "close", N_("Cancel"), id="close", priority=True),
    ]

    def __init__(
        self,
        title: str,
        form: MemberForm,
        save: Save,
        use_existing: UseExisting | None = None,
    ) -> None:
        super().__init__()
        localize_bindings(self)
        self.title_text = title
        self.form = form
        self.save = save
        self.use_existing = use_existing
        self.existing: int | None = None
        self.form_phone_at_duplicate = ""

    def compose(self) -> ComposeResult:
        form = self.form
        with Vertical(id="member-form", classes="modal-box"):
            yield Label(self.title_text, classes="modal-title")
            for field, label, value, placeholder in (
                ("phone", _("Mobile"), form.phone, _("11 digits")),
                ("name", _("Name"), form.name, _("as the member wants it printed")),
                ("birthday", _("Birthday"), form.birthday, _("YYYY-MM-DD, optional")),
                ("gender", _("Gender"), form.gender, _("m / f, optional")),
            ):
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield OrderedInput(value=value, placeholder=placeholder, id=f"member-{field}")
            yield Checkbox(
                _("Accepts the membership terms (required)"),
                form.consent_terms,
                id="consent-terms",
            )
            yield Checkbox(
                _("Agrees to marketing messages (optional)"),
                form.consent_marketing,
                id="consent-marketing",
            )
            yield Checkbox(
                _("Agrees that health data is kept: allergies, conditions (optional, separate)"),
                form.consent_health,
                id="consent-health",
            )
            for field, label, value, example in (
                ("allergies", _("Allergies"), form.allergies, _("e.g. 青霉素, 阿司匹林")),
                ("conditions", _("Conditions"), form.conditions, _("e.g. 高血压, 妊娠")),
            ):
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    yield OrderedInput(value=value, placeholder=example, id=f"member-{field}")
            if self.use_existing is not None:  # enrolling: who recommended the new member
                with Horizontal(classes="form-row"):
                    yield Label(_("Referred by"), classes="form-label")
                    yield OrderedInput(
                        value=form.referrer,
                        placeholder=_("referral code or phone, optional"),
                        id="member-referrer",
                    )
            yield Label(
                _("Tab moves between fields, Space ticks a box, F12 saves"), id="form-status"
            )
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        self.query_one("#member-phone", OrderedInput).focus()
        self.health_changed()

    @on(Checkbox.Changed, "#consent-health")
    def health_changed(self) -> None:
        """Health fields are open only with the health-data consent."""
        allowed = self.query_one("#consent-health", Checkbox).value
        for field in ("allergies", "conditions"):
            self.query_one(f"#member-{field}", OrderedInput).disabled = not allowed

    @property
    def status(self) -> Label:
        """The line at the bottom of the form."""
        return self.query_one("#form-status", Label)

    def read_form(self) -> MemberForm:
        """What the cashier typed and ticked."""

        def text(field: str) -> str:
            return self.value(f"member-{field}")

        def ticked(box: str) -> bool:
            return self.query_one(f"#consent-{box}", Checkbox).value

        health = ticked("health")
        return MemberForm(
            phone=text("phone"),
            name=text("name"),
            birthday=text("birthday"),
            gender=text("gender"),
            consent_terms=ticked("terms"),
            consent_marketing=ticked("marketing"),
            consent_health=health,
            allergies=text("allergies") if health else "",
            conditions=text("conditions") if health else "",
            referrer=text("referrer") if self.use_existing is not None else "",
        )

    async def action_save(self) -> None:
        """Save the form; with a phone already enrolled, F12 again attaches that member."""
        await self.settle_fields()
        form = self.read_form()
        if self.existing is not None and self.use_existing is not None:
            if form.phone == self.form_phone_at_duplicate:
                error = self.use_existing(self.existing)
                if error is None:
                    await self.dismiss(True)
                    return
                self.fail(error)
                return
            self.existing = None
        try:
            error = self.save(form)
        except DuplicatePhone as exc:
            error = str(exc)
            if self.use_existing is not None:
                self.existing = exc.member_id
                self.form_phone_at_duplicate = form.phone
                error += "  " + _("F12 again attaches that member instead")
        if error:
            self.fail(error)
            return
        await self.dismiss(True)

    async def action_close(self) -> None:
        """Close without saving."""
        await self.dismiss(False)
