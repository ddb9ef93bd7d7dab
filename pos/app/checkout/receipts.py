"""The checkout screen's receipts: reprint (F6), preview (F7), retry the printer (F11)."""

from __future__ import annotations

from pos.app.checkout.counter import Counter
from pos.app.messages import PrintRetryRequested
from pos.i18n import _
from pos.register.api import InputError
from pos.register.service import RegisterService


class ReceiptKeys:
    """Receipts at the checkout screen."""

    def __init__(self, register: RegisterService, counter: Counter) -> None:
        self.register = register
        self.counter = counter
        self.last_return: str | None = None
        """The return whose receipt was printed last (F7 shows it), if after the last sale."""

    def reprint(self, number: str | None = None) -> None:
        """Print a copy (COPY / 重印) of receipt ``number``, else of the last one."""
        try:
            number = self.register.reprint(number)
        except InputError as exc:
            self.counter.message.error(str(exc))
            return
        self.counter.message.info(
            _("Copy of receipt {number} sent to the printer").format(number=number)
        )

    async def preview(self) -> None:
        """Show the receipt printed last on screen, as printed: a sale's or a return's."""
        from pos.app.modals.sale.receipt import ReceiptModal

        try:
            if self.last_return is not None:
                number, text = self.register.return_receipt_preview(self.last_return)
                await self.counter.open(ReceiptModal(number, text, None))
                return
            number, text = self.register.receipt_preview()
        except InputError as exc:
            self.counter.message.error(str(exc))
            return
        await self.counter.open(ReceiptModal(number, text, lambda: self.reprint(number)))

    def retry_print(self) -> None:
        """Try the waiting receipts again now."""
        self.counter.post_message(PrintRetryRequested())
        self.counter.message.info(_("Trying the printer again…"))
