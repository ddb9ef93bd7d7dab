"""The checkout screen's returns: scan a receipt's QR code (or Ctrl+T and its number)."""

from __future__ import annotations

from pos.app.checkout.counter import Counter
from pos.app.checkout.receipts import ReceiptKeys
from pos.i18n import _, ngettext
from pos.register.api import InputError, format_fen, tender_name
from pos.register.sale.returns import CompletedReturn
from pos.register.service import RegisterService


class ReturnKeys:
    """Returns at the checkout screen; F7 then shows the return's receipt (``receipts``)."""

    def __init__(self, register: RegisterService, counter: Counter, receipts: ReceiptKeys) -> None:
        self.register = register
        self.counter = counter
        self.receipts = receipts

    async def start(self, text: str) -> None:
        """Start a return: the sale number ``text`` typed in the scan field, or asked for."""
        from pos.app.modals.sale.quantity import ValueModal

        if text:
            self.open_return(text)
            return
        await self.counter.open(
            ValueModal(_("Sale number on the receipt (or scan its QR code)"), "", self._find)
        )

    def _find(self, number: str) -> str | None:
        from pos.app.modals.returns import ReturnModal

        try:
            sale = self.register.find_return(number)
        except InputError as exc:
            return str(exc)
        self.counter.open_after_refresh(ReturnModal(self.register, sale), self._done)
        return None

    def open_return(self, number: str) -> None:
        """Show the return screen for sale ``number`` (its receipt was scanned)."""
        from pos.app.modals.returns import ReturnModal

        try:
            sale = self.register.find_return(number)
        except InputError as exc:
            self.counter.message.error(str(exc))
            return
        self.counter.open(ReturnModal(self.register, sale), self._done)

    def _done(self, done: CompletedReturn | None) -> None:
        if done is None:
            self.counter.message.info(_("Return cancelled: nothing changed"))
            return
        self.receipts.last_return = done.number  # F7 shows its receipt until the next sale
        where = "  ".join(
            f"{tender_name(tender)} ¥{format_fen(fen)}" for tender, fen in done.refunds
        )
        text = _("Return {number} on {original}: refund ¥{total} ({where})").format(
            number=done.number,
            original=done.original,
            total=format_fen(done.total_fen),
            where=where,
        )
        if done.quarantined:
            text += "  " + ngettext(
                "{n} unit to quarantine", "{n} units to quarantine", done.quarantined
            ).format(n=done.quarantined)
        self.counter.message.success(text)
