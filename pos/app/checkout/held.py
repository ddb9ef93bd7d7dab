"""The checkout screen's held sales (Ctrl+G, Ctrl+R), promotions (Ctrl+O), suggestions."""

from __future__ import annotations

from pos.app.checkout.counter import Counter
from pos.i18n import _
from pos.register.api import InputError
from pos.register.service import RegisterService


class HeldKeys:
    """Held sales, promotions and suggestions at the checkout screen."""

    def __init__(self, register: RegisterService, counter: Counter) -> None:
        self.register = register
        self.counter = counter

    def hold(self) -> None:
        """Hold the cart (挂单) and serve the next customer."""
        try:
            label = self.register.hold()
        except InputError as exc:
            self.counter.message.error(str(exc))
            return
        self.counter.refresh_cart(self.register.cart())
        self.counter.message.success(_("Held: {label}. Ctrl+R brings it back").format(label=label))

    async def recall(self) -> None:
        """Bring a held sale back."""
        from pos.app.modals.sale.held import HeldSalesModal

        await self.counter.open(HeldSalesModal(self.register.held_sales(), self._recall))

    def _recall(self, held_id: int) -> str | None:
        try:
            cart = self.register.recall_held(held_id)
        except InputError as exc:
            return str(exc)
        self.counter.refresh_cart(cart)
        self.counter.message.success(_("Held sale recalled"))
        return None

    async def promotions(self) -> None:
        """Show the promotions running today and those coming."""
        from pos.app.modals.sale.promotions import PromotionsModal

        active, upcoming = self.register.promotions()
        names = {}
        for rule in (*active, *upcoming):
            kind, _colon, sku = rule.target.partition(":")
            if kind == "sku":
                found = [p for p in self.register.search(sku, limit=5) if p.sku == sku]
                names[sku] = found[0].name if found else sku
        await self.counter.open(PromotionsModal(active, upcoming, names))

    def suggestion(self, number: int) -> None:
        """Add suggestion ``number`` (Alt+1…3): the customer took the advice."""
        try:
            cart = self.register.accept_suggestion(number)
        except InputError as exc:
            self.counter.message.error(str(exc))
            return
        self.counter.refresh_cart(cart)
        self.counter.announce_added(cart)
