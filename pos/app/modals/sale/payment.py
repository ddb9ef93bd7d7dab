"""Payment (F12): split across cash, card, WeChat Pay, Alipay and medical insurance."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen

from pos.app.modals.common import localize_bindings
from pos.app.widgets.key_bar import ScreenKeys
from pos.app.widgets.message_bar import MessageBar
from pos.app.widgets.ordered_input import OrderedInput
from pos.app.widgets.plain import Label, Static
from pos.i18n import N_, _
from pos.register.api import (
    InputError,
    MoneyError,
    Tender,
    Tendering,
    format_fen,
    parse_yuan,
    tender_name,
)

Complete = Callable[[Tendering], str | None]
"""Stores the paid sale; returns why it could not, or None."""


class PaymentOutcome(enum.Enum):
    """How the payment modal closed."""

    PAID = "paid"
    CANCELLED = "cancelled"
    ENROL = "enrol"
    """The customer wants to join first: enrol, then pay at member prices."""


class PaymentModal(ModalScreen[PaymentOutcome]):
    """Enter pays cash (empty = the exact rest); function keys pay by other tenders.

    When the tenders cover the total, ``complete`` stores the sale and the
    modal closes with True; Esc closes it with False and stores nothing.
    """

    HOLDS_SCANS: ClassVar[bool] = True
    """A scan while this is open is held for the cart (pos.app.widgets.scan_hold)."""

    BINDINGS = [
        Binding("enter", "tender('cash')", N_("Cash"), id="tender-cash", priority=True),
        Binding("f5", "tender('card')", N_("Card"), id="tender-card", priority=True),
        Binding("f6", "tender('wechat')", N_("WeChat"), id="tender-wechat", priority=True),
        Binding("f7", "tender('alipay')", N_("Alipay"), id="tender-alipay", priority=True),
        Binding("f8", "tender('insurance')", N_("Insurance"), id="tender-insurance", priority=True),
        Binding("f3", "tender('points')", N_("Points"), id="tender-points", priority=True),
        Binding("f2", "enrol", N_("Enrol"), id="enrol-at-payment", priority=True),
        Binding("f4", "undo", N_("Undo tender"), id="undo-tender", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="cancel-payment", priority=True),
    ]

    def __init__(self, tendering: Tendering, complete: Complete, member: bool = False) -> None:
        super().__init__()
        localize_bindings(self)
        self.tendering = tendering
        self.member = member
        self.complete = complete

    def compose(self) -> ComposeResult:
        with Vertical(classes="modal-box", id="payment-box"):
            yield Label(_("Payment"), classes="modal-title")
            yield Static(id="payment-summary")
            yield Label(_("Cash tendered (Enter; empty = exact amount), or an amount and F5–F8:"))
            yield OrderedInput(placeholder="0.00", id="amount")
            yield MessageBar(id="payment-message")
        yield ScreenKeys()  # every key whole, on two lines if need be

    def on_mount(self) -> None:
        self.show_summary()
        self.field.focus()

    @property
    def field(self) -> OrderedInput:
        """The amount field."""
        return self.query_one(OrderedInput)

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
        if t.points_limit_fen:
            table.add_row(
                Text(_("Points can pay (F3)"), style="magenta"),
                Text("¥" + format_fen(t.points_limit_fen - t.points_fen), style="magenta"),
            )
        if t.insurance_limit_fen and not t.insurance_blocker:  # no row when nothing is covered
            table.add_row(
                Text(_("Insurance can pay (F8)"), style="cyan"),
                Text("¥" + format_fen(t.insurance_available_fen), style="cyan"),
            )
        if t.rounding_fen:
            table.add_row(_("Cash rounding"), "¥" + format_fen(-t.rounding_fen))
        table.add_row(
            Text(_("Remaining"), style="bold"),
            Text("¥" + format_fen(max(0, t.remaining_fen)), style="bold reverse"),
        )
        if t.remaining_fen > 0 and t.cash_due_fen != t.remaining_fen:
            table.add_row(_("Cash due (rounded)"), "¥" + format_fen(t.cash_due_fen))
        self.query_one("#payment-summary", Static).update(table)

    def _amount(self) -> int | None:
        text = self.field.value.strip()
        if not text:
            return None
        try:
            return parse_yuan(text)
        except MoneyError:
            raise InputError(
                _("Not an amount: {text} (e.g. 50 or 12.50)").format(text=text)
            ) from None

    async def action_tender(self, tender: str) -> None:
        """Pay the typed amount (or the rest) by ``tender``; complete the sale when paid."""
        await self.field.settle()
        message = self.query_one(MessageBar)
        if self.tendering.is_paid:  # paid already; the sale could not be stored: again
            await self._finish()
            return
        try:
            payment = self.tendering.add(Tender(tender), self._amount())
        except InputError as exc:
            message.error(str(exc))
            return
        self.field.value = ""
        self.show_summary()
        if not self.tendering.is_paid:
            message.info(
                _("{tender} ¥{amount} recorded; ¥{rest} to pay").format(
                    tender=tender_name(payment.tender),
                    amount=format_fen(payment.amount_fen),
                    rest=format_fen(self.tendering.remaining_fen),
                )
            )
            return
        await self._finish()

    async def _finish(self) -> None:
        """Store the paid sale; on failure (a busy database) the modal stays, to try again."""
        error = self.complete(self.tendering)
        if error:
            message = self.query_one(MessageBar)
            message.error(error + "  " + _("Esc returns to the cart."))
            return
        await self.dismiss(PaymentOutcome.PAID)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Points only with an attached member who has some; enrol only without one."""
        if action == "tender" and parameters == ("points",):
            return self.tendering.points_limit_fen > 0
        if action == "enrol":
            return not self.member
        return True

    async def action_enrol(self) -> None:
        """Enrol the customer first; payment reopens at member prices."""
        await self.field.settle()
        if self.tendering.payments:
            self.query_one(MessageBar).error(_("Undo the tenders (F4) before enrolling"))
            return
        await self.dismiss(PaymentOutcome.ENROL)

    async def action_undo(self) -> None:
        """Take back the last tender."""
        await self.field.settle()
        removed = self.tendering.undo()
        if removed is not None:
            self.show_summary()
            self.query_one(MessageBar).info(
                _("Removed {tender} ¥{amount}").format(
                    tender=tender_name(removed.tender), amount=format_fen(removed.amount_fen)
                )
            )

    async def action_cancel(self) -> None:
        """Back to the cart; nothing is stored."""
        await self.field.settle()
        await self.dismiss(PaymentOutcome.CANCELLED)
