"""The checkout screen's manager actions: price (Ctrl+E), discount (Ctrl+D), drawer (Ctrl+K).

Any register call that needs a manager raises ``OverrideNeeded``; :meth:`guard`
then asks a manager (id and PIN) and tries the same call once more with the
approval, which is good for that one call only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from pos.app.checkout.part import CheckoutPart
from pos.app.messages import ReceiptQueued
from pos.app.modals.sale.quantity import ValueModal
from pos.app.modals.staff.override import OverrideModal
from pos.app.widgets.scan_input import ScanInput
from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.money import format_fen
from pos.register.overrides import Approval, OverrideNeeded
from pos.register.views import CartView

T = TypeVar("T")


class ManagerKeys(CheckoutPart):
    """Overrides at the checkout screen (a part of it)."""

    if TYPE_CHECKING:

        def refresh_cart(self, cart: CartView) -> None: ...

        def selected_index(self) -> int | None: ...

    def guard(self, attempt: Callable[[Approval | None], T], done: Callable[[T], None]) -> None:
        """Run ``attempt``; if a manager must approve, ask, then run it again with the approval."""
        try:
            result = attempt(None)
        except OverrideNeeded as need:
            self.ask_manager(need, attempt, done)
            return
        except InputError as exc:
            self.message.error(str(exc))
            return
        done(result)

    def ask_manager(
        self,
        need: OverrideNeeded,
        attempt: Callable[[Approval | None], T],
        done: Callable[[T], None],
    ) -> None:
        """Show the approval modal for ``need``; on approval, run ``attempt`` with it."""
        self.message.warning(str(need))

        def approved(approval: Approval | None) -> None:
            if approval is None:
                self.message.info(_("Not approved: nothing changed"))
                return
            try:
                result = attempt(approval)
            except InputError as exc:
                self.message.error(str(exc))
                return
            done(result)

        # after a refresh: a modal that called this (search, quantity, confirm) closes first
        self.call_after_refresh(
            self.app.push_screen,
            OverrideModal(need.action, need.what, self.register.approve),
            approved,
        )

    def _line_for_edit(self) -> int | None:
        index = self.selected_index()
        if index is None:
            self.message.error(_("The cart is empty: scan a product first"))
        return index

    async def action_change_price(self) -> None:
        """Sell the highlighted line at another unit price (a manager approves)."""
        await self.query_one(ScanInput).settle()
        index = self._line_for_edit()
        if index is None:
            return
        line = self.register.cart().lines[index]
        title = _("New unit price of {name} (now ¥{price})").format(
            name=line.name, price=format_fen(line.unit_price_fen)
        )
        await self.app.push_screen(
            ValueModal(title, "", lambda text: self._edit(self.register.change_price, index, text))
        )

    async def action_discount(self) -> None:
        """Take a percent off the highlighted line (above the cashier's limit, a manager)."""
        await self.query_one(ScanInput).settle()
        index = self._line_for_edit()
        if index is None:
            return
        line = self.register.cart().lines[index]
        limit = self.register.identity.cashier_discount_percent
        title = _("Percent off {name} (up to {limit}% without a manager)").format(
            name=line.name, limit=limit
        )
        await self.app.push_screen(
            ValueModal(title, "", lambda text: self._edit(self.register.discount_line, index, text))
        )

    def _edit(
        self, change: Callable[[int, str, Approval | None], CartView], index: int, text: str
    ) -> str | None:
        """Apply a price or discount typed in the modal; a manager is asked after it closes."""
        try:
            cart = change(index, text, None)
        except OverrideNeeded as need:
            self.ask_manager(need, lambda approval: change(index, text, approval), self._edited)
            return None
        except InputError as exc:
            return str(exc)
        self._edited(cart)
        return None

    def _edited(self, cart: CartView) -> None:
        self.refresh_cart(cart)
        index = self.selected_index()
        if index is not None and index < len(cart.lines):
            line = cart.lines[index]
            self.message.success(
                _("{name}: ¥{total} ({label})").format(
                    name=line.name, total=format_fen(line.total_fen), label=line.promo_label
                )
            )

    async def action_open_drawer(self) -> None:
        """Open the cash drawer without a sale (a manager approves; recorded)."""
        await self.query_one(ScanInput).settle()
        self.guard(self.register.open_drawer, self._drawer_opened)

    def _drawer_opened(self, _result: None) -> None:
        self.post_message(ReceiptQueued())
        self.message.success(_("Cash drawer opened (recorded)"))
