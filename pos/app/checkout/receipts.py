"""The checkout screen's receipts: reprint (F6), preview (F7), retry the printer (F11)."""

from __future__ import annotations

from pos.app.checkout.part import CheckoutPart
from pos.app.messages import PrintRetryRequested, ReceiptQueued
from pos.app.modals.sale.receipt import ReceiptModal
from pos.app.widgets.scan_input import ScanInput
from pos.domain.sales.codes import InputError
from pos.i18n import _


class ReceiptKeys(CheckoutPart):
    """Receipts at the checkout screen (a part of it)."""

    async def action_reprint(self) -> None:
        """Print a copy (COPY / 重印) of the last receipt."""
        await self.query_one(ScanInput).settle()
        self._reprint(None)

    def _reprint(self, number: str | None) -> None:
        try:
            number = self.register.reprint(number)
        except InputError as exc:
            self.message.error(str(exc))
            return
        self.post_message(ReceiptQueued())
        self.message.info(_("Copy of receipt {number} sent to the printer").format(number=number))

    async def action_preview_receipt(self) -> None:
        """Show the receipt printed last on screen, as printed: a sale's or a return's."""
        await self.query_one(ScanInput).settle()
        try:
            if self.last_return is not None:
                number, text = self.register.return_receipt_preview(self.last_return)
                await self.app.push_screen(ReceiptModal(number, text, None))
                return
            number, text = self.register.receipt_preview()
        except InputError as exc:
            self.message.error(str(exc))
            return
        await self.app.push_screen(ReceiptModal(number, text, lambda: self._reprint(number)))

    async def action_retry_print(self) -> None:
        """Try the waiting receipts again now."""
        await self.query_one(ScanInput).settle()
        self.post_message(PrintRetryRequested())
        self.message.info(_("Trying the printer again…"))
