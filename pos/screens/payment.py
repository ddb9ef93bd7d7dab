"""Payment (F12): split across cash, card, WeChat Pay, Alipay and medical insurance."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from pos.enums import Tender
from pos.i18n import N_, _
from pos.money import MoneyError, format_fen, parse_yuan
from pos.screens.common import localize_bindings
from pos.services.codes import InputError
from pos.services.tendering import Tendering
from pos.widgets.message_bar import MessageBar


def tender_name(tender: Tender) -> str:
    """The tender as the cashier reads it."""
    names = {
        Tender.CASH: _("Cash"),
        Tender.CARD: _("Bank card"),
        Tender.WECHAT: _("WeChat Pay"),
        Tender.ALIPAY: _("Alipay"),
        Tender.INSURANCE: _("Medical insurance"),
    }
    return names[tender]


class PaymentModal(ModalScreen[Tendering | None]):
    """Enter pays cash (empty = the exact rest); function keys pay by other tenders."""

    BINDINGS = [
        Binding("f5", "tender('card')", N_("Card"), id="tender-card"),
        Binding("f6", "tender('wechat')", N_("WeChat"), id="tender-wechat"),
        Binding("f7", "tender('alipay')", N_("Alipay"), id="tender-alipay"),
        Binding("f8", "tender('insurance')", N_("Insurance"), id="tender-insurance"),
        Binding("f4", "undo", N_("Undo tender"), id="undo-tender"),
        Binding("escape", "cancel", N_("Cancel"), id="cancel-payment"),
    ]

    def __init__(self, tendering: Tendering) -> None:
        super().__init__()
        localize_bindings(self)
        self.tendering = tendering

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box", id="payment-box"):
            yield Label(_("Payment"), classes="modal-title")
            yield Static(id="payment-summary")
            yield Label(_("Cash tendered (Enter; empty = exact amount), or an amount and F5–F8:"))
            yield Input(placeholder="0.00", id="amount")
            yield MessageBar(id="payment-message")
        yield Footer()

    def on_mount(self) -> None:
        self.show_summary()
        self.query_one(Input).focus()

    def show_summary(self) -> None:
        """Total, tenders so far and what remains."""
        t = self.tendering
        table = Table.grid(expand=True)
        table.add_column()
        table.add_column(justify="right")
        table.add_row(Text(_("TOTAL"), style="bold"), Text("¥" + format_fen(t.total_fen), "bold"))
        for payment in t.payments:
            amount = "¥" + format_fen(payment.amount_fen)
            if payment.tendered_fen is not None and payment.tendered_fen != payment.amount_fen:
                amount += "  (" + _("tendered") + " ¥" + format_fen(payment.tendered_fen) + ")"
            table.add_row("  " + tender_name(payment.tender), amount)
        table.add_row(_("Paid"), "¥" + format_fen(t.paid_fen))
        table.add_row(
            Text(_("Remaining"), style="bold"),
            Text("¥" + format_fen(max(0, t.remaining_fen)), style="bold reverse"),
        )
        self.query_one("#payment-summary", Static).update(table)

    def _amount(self) -> int | None:
        text = self.query_one(Input).value.strip()
        if not text:
            return None
        try:
            return parse_yuan(text)
        except MoneyError:
            raise InputError(
                _("Not an amount: {text} (e.g. 50 or 12.50)").format(text=text)
            ) from None

    def _record(self, tender: Tender) -> None:
        field = self.query_one(Input)
        message = self.query_one(MessageBar)
        try:
            payment = self.tendering.add(tender, self._amount())
        except InputError as exc:
            message.error(str(exc))
            return
        field.value = ""
        self.show_summary()
        if self.tendering.is_paid:
            self.dismiss(self.tendering)
            return
        message.info(
            _("{tender} ¥{amount} recorded; ¥{rest} to pay").format(
                tender=tender_name(tender),
                amount=format_fen(payment.amount_fen),
                rest=format_fen(self.tendering.remaining_fen),
            )
        )

    @on(Input.Submitted, "#amount")
    def cash(self) -> None:
        self._record(Tender.CASH)

    def action_tender(self, tender: str) -> None:
        """Pay the typed amount (or the rest) by ``tender``."""
        self._record(Tender(tender))

    def action_undo(self) -> None:
        """Take back the last tender."""
        removed = self.tendering.undo()
        if removed is not None:
            self.show_summary()
            self.query_one(MessageBar).info(
                _("Removed {tender} ¥{amount}").format(
                    tender=tender_name(removed.tender), amount=format_fen(removed.amount_fen)
                )
            )

    def action_cancel(self) -> None:
        """Back to the cart; nothing is stored."""
        self.dismiss(None)
