"""The checkout screen's held sales (Ctrl+G, Ctrl+R), promotions (Ctrl+O), suggestions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos.app.checkout.part import CheckoutPart
from pos.app.modals.sale.held import HeldSalesModal
from pos.app.modals.sale.promotions import PromotionsModal
from pos.app.widgets.scan_input import ScanInput
from pos.domain.sales.codes import InputError
from pos.i18n import _
from pos.register.views import CartView


class HeldKeys(CheckoutPart):
    """Held sales, promotions and suggestions at the checkout screen (a part of it)."""

    if TYPE_CHECKING:

        def refresh_cart(self, cart: CartView) -> None: ...

        def announce_added(self, cart: CartView) -> None: ...

    async def action_hold(self) -> None:
        """Hold the cart (挂单) and serve the next customer."""
        await self.query_one(ScanInput).settle()
        try:
            label = self.register.hold()
        except InputError as exc:
            self.message.error(str(exc))
            return
        self.refresh_cart(self.register.cart())
        self.message.success(_("Held: {label}. Ctrl+R brings it back").format(label=label))

    async def action_recall(self) -> None:
        """Bring a held sale back."""
        await self.query_one(ScanInput).settle()
        await self.app.push_screen(HeldSalesModal(self.register.held_sales(), self._recall))

    def _recall(self, held_id: int) -> str | None:
        try:
            cart = self.register.recall_held(held_id)
        except InputError as exc:
            return str(exc)
        self.refresh_cart(cart)
        self.message.success(_("Held sale recalled"))
        return None

    async def action_promotions(self) -> None:
        """Show the promotions running today and those coming."""
        await self.query_one(ScanInput).settle()
        active, upcoming = self.register.promotions()
        names = {}
        for rule in (*active, *upcoming):
            kind, _colon, sku = rule.target.partition(":")
            if kind == "sku":
                found = [p for p in self.register.search(sku, limit=5) if p.sku == sku]
                names[sku] = found[0].name if found else sku
        await self.app.push_screen(PromotionsModal(active, upcoming, names))

    async def action_suggestion(self, number: int) -> None:
        """Add suggestion ``number`` (Alt+1…3): the customer took the advice."""
        await self.query_one(ScanInput).settle()
        try:
            cart = self.register.accept_suggestion(number)
        except InputError as exc:
            self.message.error(str(exc))
            return
        self.refresh_cart(cart)
        self.announce_added(cart)
