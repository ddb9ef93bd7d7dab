"""The checkout screen's pharmacy prompts: guidance (F9), warnings, prescriptions, buyers.

F12 clears every check the register lists before payment opens: guidance and
warnings are acknowledged with F9 in a prompt that holds back scans; Rx lines
need a prescription reviewed by a pharmacist; restricted lines need the buyer.
A warning only a pharmacist may acknowledge (allergy, contraindication, duplicate
ingredient, a repeat buyer of restricted products) takes the pharmacist logged in,
or a pharmacist's id and PIN: until then payment does not open.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from pos.app.checkout.counter import Counter
from pos.i18n import _
from pos.register.api import InputError, PrescriptionForm
from pos.register.sale.safety import Check, PharmacistNeeded
from pos.register.service import RegisterService

if TYPE_CHECKING:
    from pos.app.modals.pharmacy.acknowledge import PromptResult


class SafetyPrompts:
    """What the checkout screen does before payment."""

    def __init__(self, register: RegisterService, counter: Counter) -> None:
        self.register = register
        self.counter = counter

    async def clear_checks(self, then: Callable[[], Awaitable[None]]) -> bool:
        """Ask for the first pending check; True if none is left (``then`` runs after one)."""
        from pos.app.modals.pharmacy.acknowledge import AcknowledgeModal
        from pos.app.modals.pharmacy.prescription import PrescriptionModal
        from pos.app.modals.pharmacy.restricted_buyer import RestrictedBuyerModal

        checks = self.register.pending_checks()
        if not checks:
            return True
        check = checks[0]
        if check.kind == "guidance":  # every medicine whose guidance is due, on one screen
            guided = [each for each in checks if each.kind == "guidance"]
            if len(guided) > 1:
                prompt = AcknowledgeModal.several([(each.title, each.text) for each in guided])
                await self.counter.open(
                    prompt,
                    lambda result: self._prompt_closed(guided, prompt.title_text, result, then),
                )
                return False
        if check.kind in ("guidance", "warning"):
            pharmacist = None
            if check.pharmacist:
                pharmacist = "here" if self.register.pharmacist_at_register else "sign"
            await self.counter.open(
                AcknowledgeModal(
                    check.title, check.text, warning=check.kind == "warning", pharmacist=pharmacist
                ),
                lambda result: self._prompt_closed([check], check.title, result, then),
            )
        elif check.kind == "prescription":
            await self.counter.open(
                PrescriptionModal(check.text, self.register.today(), self._review, check.notes),
                lambda done: self._form_closed(done, then),
            )
        else:
            await self.counter.open(
                RestrictedBuyerModal(check.text, self._register_buyer),
                lambda done: self._form_closed(done, then),
            )
        return False

    async def _prompt_closed(
        self,
        checks: list[Check],
        title: str,
        result: PromptResult | None,
        then: Callable[[], Awaitable[None]],
    ) -> None:
        """``checks`` were shown under ``title``: F9 acknowledged each of them (or not)."""
        from pos.app.modals.pharmacy.acknowledge import PharmacistModal, PromptResult

        result = result or PromptResult(False)
        needs_pharmacist = False
        check = checks[0]  # one warning per prompt: only a warning may need a pharmacist
        if result.acknowledged:
            try:
                for each in checks:
                    self.register.acknowledge(each.key)
            except PharmacistNeeded:
                needs_pharmacist = True
            else:
                self.counter.refresh_cart(self.register.cart())
        for text in result.held_scans:
            await self.counter.scanned(text)
        if needs_pharmacist and not result.held_scans:
            await self.counter.open(
                PharmacistModal(
                    check.title,
                    check.text,
                    lambda pharmacist, pin: self._sign(check.key, pharmacist, pin),
                ),
                lambda done: self._signed(check, done, then),
            )
        elif needs_pharmacist:
            self.counter.message.error(self._not_signed(check))
        elif result.acknowledged and not result.held_scans:
            await then()
        elif not result.acknowledged:
            self.counter.message.warning(
                _("Not paid yet: {what} must be acknowledged (F9)").format(what=title)
            )

    @staticmethod
    def _not_signed(check: Check) -> str:
        return _("Not paid yet: a pharmacist must acknowledge it — {text}").format(text=check.text)

    def _sign(self, key: str, pharmacist: str, pin: str) -> str | None:
        try:
            signer = self.register.acknowledge_as_pharmacist(key, pharmacist, pin)
        except InputError as exc:
            return str(exc)
        self.counter.message.success(_("Acknowledged by pharmacist {who}").format(who=signer))
        return None

    async def _signed(
        self, check: Check, done: bool | None, then: Callable[[], Awaitable[None]]
    ) -> None:
        if done:
            self.counter.refresh_cart(self.register.cart())
            await then()
        else:
            self.counter.message.error(self._not_signed(check))

    async def _form_closed(self, done: bool | None, then: Callable[[], Awaitable[None]]) -> None:
        if done:
            self.counter.refresh_cart(self.register.cart())
            await then()
        else:
            self.counter.message.warning(_("Not paid yet: the record is needed before payment"))

    def _review(self, form: PrescriptionForm, pharmacist: str, pin: str) -> str | None:
        try:
            reviewer = self.register.review_prescription(form, pharmacist, pin)
        except InputError as exc:
            return str(exc)
        self.counter.message.success(_("Prescription reviewed by {who}").format(who=reviewer))
        return None

    def _register_buyer(self, name: str, id_number: str) -> str | None:
        try:
            alert = self.register.register_buyer(name, id_number)
        except InputError as exc:
            return str(exc)
        if alert:  # a warning a pharmacist acknowledges before payment, not a passing notice
            self.counter.message.error(alert)
        return None

    def acknowledge_guidance(self) -> None:
        """F9: the guidance of the highlighted line was told to the customer."""
        table_index = self.counter.selected_index()
        if table_index is None or not self.register.acknowledge_guidance(table_index):
            self.counter.message.info(_("No guidance waiting on this line"))
            return
        cart = self.register.cart()
        self.counter.refresh_cart(cart)
        self.counter.message.success(
            _("Guidance for {name} given").format(name=cart.lines[table_index].name)
        )
