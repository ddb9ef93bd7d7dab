"""Manager overrides at the register, and the audit log of what the register does.

A cashier (or pharmacist) asks; a manager approves with their id and PIN. An
approval is good for the one action it was asked for: the action takes it and
uses it up. A manager logged in at the register needs no second approval; the
action is still recorded, with the manager as its approver.

Overridden actions: a price change, a discount above the cashier's limit,
removing a line whose guidance or warning was acknowledged, voiding a cart,
a refund, opening the drawer without a sale, selling more than the stock shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from pos.domain.printing.print_queue import queue_drawer_kick
from pos.domain.sales.cart import CartLine
from pos.domain.sales.codes import InputError, whole_number
from pos.domain.staff import audit
from pos.i18n import N_, _
from pos.money import MoneyError, format_fen, parse_yuan
from pos.register.login import LoginDesk

if TYPE_CHECKING:
    from pos.domain.pharmacy.safety import Warning
    from pos.register.views import CartView

ACTIONS: dict[str, str] = {
    "override.price": N_("Change a price"),
    "override.discount": N_("Discount above the cashier's limit"),
    "override.remove": N_("Remove a line whose guidance or warning was acknowledged"),
    "void": N_("Void the sale in progress"),
    "refund": N_("Refund a return"),
    "drawer.open": N_("Open the cash drawer without a sale"),
    "override.no_stock": N_("Sell more than the stock shows"),
    "report.view": N_("See the store's reports"),
    "shift.close": N_("Close the cash shift"),
    "override.cash_out": N_("Take out more cash than the drawer holds"),
    "override.line_removal": N_("Remove a line or lower its quantity"),
}
"""The actions that need a manager, and how the approval modal names them."""


class OverrideNeeded(InputError):
    """The action needs a manager's approval: ask for it, then try again with it."""

    def __init__(self, action: str, what: str) -> None:
        action_name = _(ACTIONS[action])
        message = _("A manager must approve: {action}").format(action=action_name)
        super().__init__(f"{what} — {message}" if what and what != action_name else message)
        self.action = action
        self.what = what


@dataclass
class Approval:
    """A manager's yes to one action; used up by it."""

    action: str
    manager_id: str
    used: bool = field(default=False)


class OverrideDesk(LoginDesk):
    """Overrides and the audit log (a part of :class:`RegisterService`)."""

    @property
    def is_manager(self) -> bool:
        """True when a manager is logged in at the register."""
        return self.user is not None and self.user.role == "manager"

    def approve(self, action: str, manager_id: str, pin: str) -> Approval:
        """A manager's approval of ``action``; wrong PINs count against that user id.

        Refused, it says only "not approved": not whether the PIN was right,
        nor whether the user is a manager (the audit log records the attempt).
        """
        if action not in ACTIONS:
            raise InputError(_("Nothing to approve"))
        try:
            manager = self.check_pin_attempt(
                manager_id, pin, ("manager",), "override.refused", {"action": action}
            )
        except InputError:
            raise InputError(_("Not approved")) from None
        return Approval(action, manager.id)

    def authorize(self, action: str, approval: Approval | None, what: str = "") -> str:
        """The manager approving ``action`` now (using ``approval`` up), or OverrideNeeded."""
        if self.is_manager:
            assert self.user is not None
            return self.user.id
        if approval is None or approval.used or approval.action != action:
            raise OverrideNeeded(action, what)
        approval.used = True
        return approval.manager_id

    def audit(
        self,
        session: Session,
        action: str,
        *,
        approved_by: str | None = None,
        subject: str = "",
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Append ``action`` by the user at the register to the audit log."""
        audit.record(
            session,
            action,
            at=self.now(),
            actor=self.cashier,
            approved_by=approved_by,
            subject=subject,
            detail=detail,
        )

    def open_drawer(self, approval: Approval | None = None) -> None:
        """Open the cash drawer with no sale (a manager's approval, recorded)."""
        if not self.printing.cash_drawer:
            raise InputError(_("This register has no cash drawer (printer.cash_drawer = false)"))
        action = "drawer.open"
        approved_by = self.authorize(action, approval, _(ACTIONS[action]))
        now = self.now()
        with self._sessions.begin() as session:
            queue_drawer_kick(session, self.printing, now)
            self.audit(session, "drawer.open", approved_by=approved_by)

    # -- the cart: price, discount, remove, void --------------------------------
    if TYPE_CHECKING:

        def _changed(self) -> CartView: ...

        def warnings(self) -> list[Warning]: ...

    def _editable(self, index: int) -> CartLine:
        if not 0 <= index < len(self._cart.lines):
            raise InputError(_("Choose a line of the cart first"))
        line = self._cart.lines[index]
        if line.gift_of is not None:
            raise InputError(_("A gift line follows its promotion: change the other lines"))
        return line

    def _acknowledged(self, index: int) -> bool:
        """True if line ``index``'s guidance or one of its warnings was acknowledged."""
        if self._cart.lines[index].guidance_given:
            return True
        return any(
            warning.line_index == index and warning.key in self._cart.acknowledged
            for warning in self.warnings()
        )

    def remove_line(self, index: int, approval: Approval | None = None) -> CartView:
        """Take line ``index`` off the cart, recorded; after an acknowledgement (or when
        ``register.approve_line_removal`` is on) a manager approves."""
        line = self._editable(index)
        action, approved_by = "line.remove", None
        if self._acknowledged(index):
            action = "override.remove"
        elif self.identity.approve_line_removal:
            action = "override.line_removal"
        if action != "line.remove":
            approved_by = self.authorize(action, approval, line.name)
        with self._sessions.begin() as session:
            self.audit(
                session,
                action,
                approved_by=approved_by,
                subject=line.sku,
                detail={"name": line.name, "qty": line.qty, "total_fen": line.total_fen},
            )
        self._cart.remove(index)
        self._cart.acknowledged.clear()  # line numbers moved: warnings are asked again
        return self._changed()

    def _record_reduction(self, line: CartLine, qty: int, approval: Approval | None) -> None:
        """Record a line's quantity lowered to ``qty`` (a manager approves when
        ``register.approve_line_removal`` is on); nothing for a raise."""
        if qty >= line.qty:
            return
        action, approved_by = "line.reduce", None
        if self.identity.approve_line_removal:
            action = "override.line_removal"
            approved_by = self.authorize(action, approval, f"{line.name} {line.qty} → {qty}")
        with self._sessions.begin() as session:
            self.audit(
                session,
                action,
                approved_by=approved_by,
                subject=line.sku,
                detail={"name": line.name, "from_qty": line.qty, "to_qty": qty},
            )

    def clear_cart(self, approval: Approval | None = None) -> CartView:
        """Void the cart in progress (a manager approves; recorded with its lines)."""
        if self._cart.lines:
            total = format_fen(self._cart.total_fen)
            approved_by = self.authorize("void", approval, f"¥{total}")
            with self._sessions.begin() as session:
                self.audit(
                    session,
                    "void",
                    approved_by=approved_by,
                    detail={
                        "total_fen": self._cart.total_fen,
                        "lines": [
                            {"sku": line.sku, "qty": line.qty, "total_fen": line.total_fen}
                            for line in self._cart.lines
                        ],
                    },
                )
        self._cart.clear()
        return self._changed()

    def change_price(self, index: int, text: str, approval: Approval | None = None) -> CartView:
        """Sell line ``index`` at the typed unit price (a manager approves; recorded)."""
        line = self._editable(index)
        try:
            price = parse_yuan(text)
        except MoneyError:
            raise InputError(_("Not a price: {text}").format(text=text.strip())) from None
        if price <= 0:
            raise InputError(_("A price must be more than ¥0 (a gift is a promotion)"))
        was = line.unit_price_fen
        approved_by = self.authorize("override.price", approval, line.name)
        with self._sessions.begin() as session:
            self.audit(
                session,
                "override.price",
                approved_by=approved_by,
                subject=line.sku,
                detail={"name": line.name, "from_fen": was, "to_fen": price, "qty": line.qty},
            )
        if line.list_price_fen is None:
            line.list_price_fen = was
        line.unit_price_fen = price
        line.manual = True
        return self._changed()

    def discount_line(self, index: int, text: str, approval: Approval | None = None) -> CartView:
        """Take ``text`` % off line ``index``; above the cashier's limit a manager approves."""
        line = self._editable(index)
        percent = whole_number(text.strip().rstrip("%％"), 100)
        if percent is None:
            raise InputError(
                _("A discount is a whole percent from 0 to 100: {text}").format(
                    text=text.strip()[:20]
                )
            )
        limit = self.identity.cashier_discount_percent
        action, approved_by = "discount", self.cashier
        if percent > limit:
            action = "override.discount"
            approved_by = self.authorize(action, approval, f"{line.name} {percent}%")
        with self._sessions.begin() as session:
            self.audit(
                session,
                action,
                approved_by=approved_by if action != "discount" else None,
                subject=line.sku,
                detail={"name": line.name, "percent": percent, "limit": limit},
            )
        line.manual_discount_pct = percent
        line.manual = percent > 0 or line.list_price_fen is not None
        return self._changed()
