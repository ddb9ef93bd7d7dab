"""The register's receipts: the last sale, reprints, previews and the print queue."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos.domain.printing import printing
from pos.domain.printing.print_queue import OnQueued, PrinterStatus
from pos.domain.printing.return_receipt import preview_return_receipt
from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.models import JobKind, Sale, SaleReturn
from pos.register.state import RegisterState


class ReceiptDesk(RegisterState):
    """Receipts at the register (a part of :class:`RegisterService`)."""

    # -- receipts ---------------------------------------------------------
    def last_sale_number(self) -> str | None:
        """The number of the newest sale stored by this register."""
        with self._sessions() as session:
            return session.scalar(
                select(Sale.number)
                .where(
                    Sale.store_code == self.identity.store_code,
                    Sale.register_id == self.identity.register_id,
                )
                .order_by(Sale.id.desc())
                .limit(1)
            )

    def reprint(self, number: str | None = None) -> str:
        """Queue a copy (marked COPY / 重印) of sale ``number``, else of the last sale."""
        with self._sessions.begin() as session:
            sale = self._sale(session, number)
            printing.queue_receipt(session, sale, self.printing, self.now(), JobKind.REPRINT)
            return sale.number

    def receipt_preview(self, number: str | None = None) -> tuple[str, str]:
        """(sale number, the receipt as printed) of sale ``number``, else of the last sale."""
        with self._sessions() as session:
            sale = self._sale(session, number)
            return sale.number, printing.preview_receipt(session, sale, self.printing)

    def return_receipt_preview(self, number: str) -> tuple[str, str]:
        """(return number, its receipt as printed) of return ``number``."""
        with self._sessions() as session:
            record = session.scalar(select(SaleReturn).where(SaleReturn.number == number))
            if record is None:
                raise InputError(_("No return numbered {number}").format(number=number))
            return record.number, preview_return_receipt(session, record, self.printing)

    def print_pending(self) -> PrinterStatus:
        """Send the queued receipts in order (called from a worker thread)."""
        return self._spooler.drain()

    def on_print_queued(self, callback: OnQueued | None) -> None:
        """Call ``callback`` whenever print jobs were queued (after their transaction)."""
        self._spooler.set_on_queued(callback)

    def printer_status(self) -> PrinterStatus:
        """How many receipts wait, and why, while any do."""
        return self._spooler.status()

    def _sale(self, session: Session, number: str | None) -> Sale:
        number = number or self.last_sale_number()
        sale = printing.find_sale(session, number) if number else None
        if sale is None:
            if number is None:
                raise InputError(_("No sale yet: nothing to print"))
            raise InputError(_("No sale numbered {number}").format(number=number))
        return sale

    def _substitution_note(self, substituted: tuple[str, ...]) -> str | None:
        """Say once which characters the printer cannot print."""
        new = [char for char in substituted if char not in self._reported_chars]
        if not new:
            return None
        self._reported_chars.update(new)
        return _("The printer cannot print {chars}: a substitute is printed instead").format(
            chars=" ".join(new)
        )
