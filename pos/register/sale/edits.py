"""Editing the cart by hand: quantity, price, discount, removing a line, voiding the cart.

:class:`LineEdits` is one of the register's collaborators. Each edit is checked
(a manager's approval where one is needed) and recorded in the audit log, then
changes the cart state; the register prices and stores the cart afterwards.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from pos.domain.sales.cart import CartLine
from pos.domain.sales.codes import InputError, parse_quantity, whole_number
from pos.i18n import _
from pos.money import MoneyError, format_fen, parse_yuan
from pos.register.sale.lines import LineMaker
from pos.register.sale.safety import Safety
from pos.register.staff.login import Login
from pos.register.staff.overrides import Approval, Overrides
from pos.register.state import CartState, RegisterIdentity


class LineEdits:
    """The cashier's changes to the lines of the cart, approved and recorded."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        state: CartState,
        identity: RegisterIdentity,
        login: Login,
        overrides: Overrides,
        safety: Safety,
        lines: LineMaker,
    ) -> None:
        self._sessions = sessions
        self._state = state
        self._identity = identity
        self._login = login
        self._overrides = overrides
        self._safety = safety
        self._lines = lines

    def _line(self, index: int) -> CartLine:
        """Line ``index`` of the cart, or InputError."""
        if not 0 <= index < len(self._state.cart.lines):
            raise InputError(_("Choose a line of the cart first"))
        return self._state.cart.lines[index]

    def set_quantity(self, index: int, text: str, approval: Approval | None = None) -> None:
        """Change the quantity of line ``index`` to what the cashier typed."""
        line = self._line(index)
        if line.gift_of is not None:
            raise InputError(_("A gift line follows its promotion: change the other lines"))
        qty = parse_quantity(text)
        self._record_reduction(line, qty, approval)
        if line.restricted:
            self._safety.check_restricted(line.restricted, line.name, qty, replaced=line.qty)
        cart = self._state.cart
        others = cart.qty_of(line.product_id) - line.qty  # e.g. a gift of the product
        with self._sessions() as session:
            level = self._lines.check_stock(
                session, line.product_id, line.name, others + qty, approval
            )
            if level is None:
                line.stock_override = True
        cart.set_qty(index, qty)
        del line.trace_codes[qty:]

    def _editable(self, index: int) -> CartLine:
        """Line ``index``, if it may be edited by hand (not a gift)."""
        if not 0 <= index < len(self._state.cart.lines):
            raise InputError(_("Choose a line of the cart first"))
        line = self._state.cart.lines[index]
        if line.gift_of is not None:
            raise InputError(_("A gift line follows its promotion: change the other lines"))
        return line

    def _acknowledged(self, index: int) -> bool:
        """True if line ``index``'s guidance or one of its warnings was acknowledged."""
        if self._state.cart.lines[index].guidance_given:
            return True
        return any(
            warning.line_index == index and warning.key in self._state.cart.acknowledged
            for warning in self._safety.warnings()
        )

    def remove_line(self, index: int, approval: Approval | None = None) -> None:
        """Take line ``index`` off the cart, recorded; after an acknowledgement (or when
        ``register.approve_line_removal`` is on) a manager approves."""
        line = self._editable(index)
        action, approved_by = "line.remove", None
        if self._acknowledged(index):
            action = "override.remove"
        elif self._identity.approve_line_removal:
            action = "override.line_removal"
        if action != "line.remove":
            approved_by = self._overrides.authorize(action, approval, line.name)
        with self._sessions.begin() as session:
            self._overrides.audit(
                session,
                action,
                approved_by=approved_by,
                subject=line.sku,
                detail={"name": line.name, "qty": line.qty, "total_fen": line.total_fen},
            )
        self._state.cart.remove(index)
        self._state.cart.acknowledged.clear()  # line numbers moved: warnings are asked again

    def _record_reduction(self, line: CartLine, qty: int, approval: Approval | None) -> None:
        """Record a line's quantity lowered to ``qty`` (a manager approves when
        ``register.approve_line_removal`` is on); nothing for a raise."""
        if qty >= line.qty:
            return
        action, approved_by = "line.reduce", None
        if self._identity.approve_line_removal:
            action = "override.line_removal"
            approved_by = self._overrides.authorize(
                action, approval, f"{line.name} {line.qty} → {qty}"
            )
        with self._sessions.begin() as session:
            self._overrides.audit(
                session,
                action,
                approved_by=approved_by,
                subject=line.sku,
                detail={"name": line.name, "from_qty": line.qty, "to_qty": qty},
            )

    def clear_cart(self, approval: Approval | None = None) -> None:
        """Void the cart in progress (a manager approves; recorded with its lines)."""
        if self._state.cart.lines:
            total = format_fen(self._state.cart.total_fen)
            approved_by = self._overrides.authorize("void", approval, f"¥{total}")
            with self._sessions.begin() as session:
                self._overrides.audit(
                    session,
                    "void",
                    approved_by=approved_by,
                    detail={
                        "total_fen": self._state.cart.total_fen,
                        "lines": [
                            {"sku": line.sku, "qty": line.qty, "total_fen": line.total_fen}
                            for line in self._state.cart.lines
                        ],
                    },
                )
        self._state.cart.clear()

    def change_price(self, index: int, text: str, approval: Approval | None = None) -> None:
        """Sell line ``index`` at the typed unit price (a manager approves; recorded)."""
        line = self._editable(index)
        try:
            price = parse_yuan(text)
        except MoneyError:
            raise InputError(_("Not a price: {text}").format(text=text.strip())) from None
        if price <= 0:
            raise InputError(_("A price must be more than ¥0 (a gift is a promotion)"))
        was = line.unit_price_fen
        what = f"{line.name} ¥{format_fen(was)} → ¥{format_fen(price)}"  # what the manager approves
        approved_by = self._overrides.authorize("override.price", approval, what)
        with self._sessions.begin() as session:
            self._overrides.audit(
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

    def discount_line(self, index: int, text: str, approval: Approval | None = None) -> None:
        """Take ``text`` % off line ``index``; above the cashier's limit a manager approves."""
        line = self._editable(index)
        percent = whole_number(text.strip().rstrip("%％"), 100)
        if percent is None:
            raise InputError(
                _("A discount is a whole percent from 0 to 100: {text}").format(
                    text=text.strip()[:20]
                )
            )
        limit = self._identity.cashier_discount_percent
        action, approved_by = "discount", self._login.cashier
        if percent > limit:
            action = "override.discount"
            approved_by = self._overrides.authorize(action, approval, f"{line.name} {percent}%")
        with self._sessions.begin() as session:
            self._overrides.audit(
                session,
                action,
                approved_by=approved_by if action != "discount" else None,
                subject=line.sku,
                detail={"name": line.name, "percent": percent, "limit": limit},
            )
        line.manual_discount_pct = percent
        line.manual = percent > 0 or line.list_price_fen is not None
