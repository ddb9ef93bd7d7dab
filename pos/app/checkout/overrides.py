"""The checkout screen's override guard, and its manager keys: price (Ctrl+E),
discount (Ctrl+D), drawer (Ctrl+K).

Any register call that needs a manager raises ``OverrideNeeded``;
:meth:`OverrideGuard.run` then asks a manager (id and PIN) and tries the same
call once more with the approval, which is good for that one call only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pos.app.checkout.counter import Counter
from pos.i18n import _
from pos.register.api import InputError, format_fen
from pos.register.service import RegisterService
from pos.register.staff.overrides import Approval, OverrideNeeded
from pos.register.views import CartView

T = TypeVar("T")


class OverrideGuard:
    """Runs a register call; when a manager must approve it, asks one and runs it again."""

    def __init__(self, register: RegisterService, counter: Counter) -> None:
        self.register = register
        self.counter = counter

    def run(
        self,
        attempt: Callable[[Approval | None], T],
        done: Callable[[T], None],
        passing: type[InputError] | None = None,
    ) -> str | None:
        """Run ``attempt`` and hand its result to ``done``.

        If a manager must approve, the approval modal opens (after the form that
        called this has closed) and ``attempt`` runs again with the approval.
        Returns why it could not run (a form shows it), else None; an error of
        type ``passing`` is raised to the caller instead.
        """
        try:
            result = attempt(None)
        except OverrideNeeded as need:
            self._ask(need, attempt, done)
            return None
        except InputError as exc:
            if passing is not None and isinstance(exc, passing):
                raise
            return str(exc)
        done(result)
        return None

    def say(self, attempt: Callable[[Approval | None], T], done: Callable[[T], None]) -> None:
        """:meth:`run`, with the reason it could not run on the message line."""
        error = self.run(attempt, done)
        if error:
            self.counter.message.error(error)

    def _ask(
        self,
        need: OverrideNeeded,
        attempt: Callable[[Approval | None], T],
        done: Callable[[T], None],
    ) -> None:
        from pos.app.modals.staff.override import OverrideModal

        self.counter.message.warning(str(need))

        def approved(approval: Approval | None) -> None:
            if approval is None:
                self.counter.message.info(_("Not approved: nothing changed"))
                return
            try:
                result = attempt(approval)
            except InputError as exc:
                self.counter.message.error(str(exc))
                return
            done(result)

        self.counter.open_after_refresh(
            OverrideModal(need.action, need.what, self.register.approve), approved
        )


class ManagerKeys:
    """Price changes, line discounts and the drawer at the checkout screen."""

    def __init__(self, register: RegisterService, counter: Counter, guard: OverrideGuard) -> None:
        self.register = register
        self.counter = counter
        self.guard = guard

    def _line_for_edit(self) -> int | None:
        index = self.counter.selected_index()
        if index is None:
            self.counter.message.error(_("The cart is empty: scan a product first"))
        return index

    async def change_price(self) -> None:
        """Sell the highlighted line at another unit price (a manager approves)."""
        from pos.app.modals.sale.quantity import ValueModal

        index = self._line_for_edit()
        if index is None:
            return
        line = self.register.cart().lines[index]
        title = _("New unit price of {name} (now ¥{price})").format(
            name=line.name, price=format_fen(line.unit_price_fen)
        )
        await self.counter.open(
            ValueModal(title, "", lambda text: self._edit(self.register.change_price, index, text))
        )

    async def discount(self) -> None:
        """Take a percent off the highlighted line (above the cashier's limit, a manager)."""
        from pos.app.modals.sale.quantity import ValueModal

        index = self._line_for_edit()
        if index is None:
            return
        line = self.register.cart().lines[index]
        limit = self.register.identity.cashier_discount_percent
        title = _("Percent off {name} (up to {limit}% without a manager)").format(
            name=line.name, limit=limit
        )
        await self.counter.open(
            ValueModal(title, "", lambda text: self._edit(self.register.discount_line, index, text))
        )

    def _edit(
        self, change: Callable[[int, str, Approval | None], CartView], index: int, text: str
    ) -> str | None:
        """Apply a price or discount typed in the modal; a manager is asked after it closes."""
        return self.guard.run(lambda approval: change(index, text, approval), self._edited)

    def _edited(self, cart: CartView) -> None:
        self.counter.refresh_cart(cart)
        index = self.counter.selected_index()
        if index is not None and index < len(cart.lines):
            line = cart.lines[index]
            self.counter.message.success(
                _("{name}: ¥{total} ({label})").format(
                    name=line.name, total=format_fen(line.total_fen), label=line.promo_label
                )
            )

    def open_drawer(self) -> None:
        """Open the cash drawer without a sale (a manager approves; recorded)."""
        self.guard.say(self.register.open_drawer, self._drawer_opened)

    def _drawer_opened(self, _result: None) -> None:
        self.counter.message.success(_("Cash drawer opened (recorded)"))
