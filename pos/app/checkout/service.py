"""The checkout screen's service keys: the rating after payment, complaints, reactions.

A handler the checkout screen holds (``screen.service``), given the register, the
:class:`~pos.app.checkout.counter.Counter` and how to read the sale just paid; the
screen's actions are one line each that call in here.

**The rating** (满意度): after a sale is paid, a notice asks for the customer's rating,
Alt+1 (very poor) … Alt+5 (very good). Digits typed or scanned go to the scan field as
always: only Alt+digit rates, and only while the paid sale is still on screen (cart
empty, no scan since). Scanning the next item simply skips the rating; nothing waits
for it. Alt+1..3 add a suggestion while there is a cart: they rate only in between.
A rating of 2 or less offers Ctrl+W, which opens a complaint about that sale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.notifications import Notification

from pos.i18n import _, ngettext
from pos.register.api import InputError
from pos.register.customers.aftercare import AdverseForm, ComplaintForm, RatingGiven

if TYPE_CHECKING:
    from pos.app.checkout.counter import Counter
    from pos.register.service import RegisterService
    from pos.register.views import CompletedSale

ShowNotice = Callable[[str, str, float], Notification]
"""Shows a toast (message, title, seconds) that can be withdrawn before its time."""
WithdrawNotice = Callable[[Notification], None]

RATE = "rate"


class ServiceKeys:
    """Rating, complaint and adverse-reaction keys of one checkout screen."""

    def __init__(
        self,
        register: RegisterService,
        counter: Counter,
        last_sale: Callable[[], CompletedSale | None],
        show_notice: ShowNotice,
        withdraw_notice: WithdrawNotice,
    ) -> None:
        self.register = register
        self.counter = counter
        self._last_sale = last_sale
        self._show_notice = show_notice
        self._withdraw_notice = withdraw_notice
        self._prompt: Notification | None = None
        """The rating prompt on screen, withdrawn once rated or skipped."""
        self.rated: str | None = None
        """The last sale rated (a sale is rated once)."""
        self.low: RatingGiven | None = None
        """A low rating not yet turned into a complaint (Ctrl+W opens one from it)."""

    def allows(self, action: str) -> bool:
        """Whether ``action`` may run now: a rating only while the paid sale is on screen
        and not rated yet (otherwise Alt+1..3 go on to the suggestion keys)."""
        if action != RATE:
            return True
        last = self._last_sale()
        return last is not None and last.number != self.rated and not self.register.cart().lines

    def offer_rating(self, sale: CompletedSale) -> None:
        """After payment: ask for the customer's rating, without holding anything up."""
        self.low = None
        self.skip_rating()
        self._prompt = self._show_notice(
            _("Customer's rating? Alt+1 very poor … Alt+5 very good. Scanning skips it."),
            _("Satisfaction"),
            8,
        )

    def skip_rating(self) -> None:
        """Take the rating prompt off the screen: rated, or the next customer's scan."""
        prompt, self._prompt = self._prompt, None
        if prompt is not None:
            self._withdraw_notice(prompt)

    def rate(self, rating: int) -> None:
        """Store the customer's rating of the sale just paid."""
        last = self._last_sale()
        if last is None:
            return
        try:
            given = self.register.aftercare.rate(last.number, rating, self.register.cashier)
        except InputError as exc:
            self.counter.message.error(str(exc))
            return
        self.rated = last.number
        self.skip_rating()
        if given.low:
            self.low = given
            self.counter.message.warning(
                _("Rated {rating} of 5: Ctrl+W opens a complaint about sale {number}").format(
                    rating=rating, number=last.number
                )
            )
        else:
            self.counter.message.success(_("Rated {rating} of 5: thank you").format(rating=rating))

    async def complaint(self) -> None:
        """Ctrl+W: a new complaint, about the sale just rated low (or just paid) if any."""
        from pos.app.modals.service.complaint import ComplaintModal

        low = self.low
        last = self._last_sale()
        number = low.sale_number if low else (last.number if last else "")
        await self.counter.open(
            ComplaintModal(
                self._save_complaint,
                self.show_complaints,
                sale_number=number,
                rating_id=low.id if low else None,
            )
        )

    def _save_complaint(self, form: ComplaintForm) -> str | None:
        try:
            stored = self.register.aftercare.open_complaint(form, self.register.cashier)
        except InputError as exc:
            return str(exc)
        self.low = None
        self.counter.message.success(_("Complaint #{id} recorded").format(id=stored.id))
        return None

    def show_complaints(self) -> None:
        """The complaints waiting: take in hand, close."""
        from pos.app.modals.service.complaints import ComplaintsModal

        aftercare = self.register.aftercare

        def handle(complaint_id: int) -> str | None:
            try:
                aftercare.handle_complaint(complaint_id, self.register.cashier)
            except InputError as exc:
                return str(exc)
            return None

        def close(complaint_id: int, resolution: str, response: str) -> str | None:
            try:
                aftercare.close_complaint(complaint_id, self.register.cashier, resolution, response)
            except InputError as exc:
                return str(exc)
            return None

        self.counter.open(
            ComplaintsModal(aftercare.complaints, handle, close, self.register.identity.timezone)
        )

    async def adverse_reaction(self, card_no: str | None = None) -> None:
        """Ctrl+A: record a suspected adverse drug reaction (the attached member filled in,
        or ``card_no``'s, from a follow-up call)."""
        from pos.app.modals.service.adverse import AdverseReactionModal

        if card_no is None:
            member = self.register.cart().member
            card_no = member.card_no if member else ""
        await self.counter.open(
            AdverseReactionModal(self._save_reaction, self.register.today(), card_no)
        )

    def _save_reaction(self, form: AdverseForm) -> str | None:
        user = self.register.user
        occupation = "pharmacist" if user is not None and user.role == "pharmacist" else "other"
        try:
            number = self.register.aftercare.record_reaction(
                replace(form, occupation=occupation), self.register.cashier
            )
        except InputError as exc:
            return str(exc)
        self.counter.message.success(
            _("Adverse reaction #{id} recorded for the ADR report").format(id=number)
        )
        return None


def overdue_notice(register: RegisterService, hours: int) -> str | None:
    """For a manager logging in: the complaints with no first response after ``hours``."""
    user = register.user
    if user is None or user.role != "manager":
        return None
    overdue = register.aftercare.overdue_complaints(hours)
    if not overdue:
        return None
    text = ngettext(
        "{n} complaint has had no response for over {hours} h: Ctrl+W, F4 lists it",
        "{n} complaints have had no response for over {hours} h: Ctrl+W, F4 lists them",
        len(overdue),
    )
    return text.format(n=len(overdue), hours=hours)
