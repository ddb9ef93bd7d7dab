"""Manager overrides at the register, and the audit log of what the register does.

A cashier (or pharmacist) asks; a manager approves with their id and PIN. An
approval is good for the one action it was asked for: the action takes it and
uses it up. A manager logged in at the register needs no second approval; the
action is still recorded, with the manager as its approver.

Overridden actions: a price change, a discount above the cashier's limit,
removing a line whose guidance or warning was acknowledged, voiding a cart,
a refund, opening the drawer without a sale, selling more than the stock shows.

:class:`Overrides` is one of the register's collaborators (it takes the login, the
store's time and the print profile in its constructor); the cart edits that need
an approval are :class:`pos.register.sale.edits.LineEdits`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from pos.domain.printing.print_queue import queue_drawer_kick
from pos.domain.printing.printing import PrintProfile
from pos.domain.sales.codes import InputError
from pos.domain.staff import audit
from pos.i18n import N_, _
from pos.register.staff.login import Login
from pos.register.state import StoreTime

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


class Overrides:
    """A manager's approvals, the audit log of what the register does, the drawer kick."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        time: StoreTime,
        login: Login,
        printing: PrintProfile,
    ) -> None:
        self._sessions = sessions
        self._time = time
        self._login = login
        self._printing = printing

    @property
    def is_manager(self) -> bool:
        """True when a manager is logged in at the register."""
        user = self._login.user
        return user is not None and user.role == "manager"

    def approve(self, action: str, manager_id: str, pin: str) -> Approval:
        """A manager's approval of ``action``; wrong PINs count against that user id.

        Refused, it says only "not approved": not whether the PIN was right,
        nor whether the user is a manager (the audit log records the attempt).
        """
        if action not in ACTIONS:
            raise InputError(_("Nothing to approve"))
        try:
            manager = self._login.check_pin_attempt(
                manager_id, pin, ("manager",), "override.refused", {"action": action}
            )
        except InputError:
            raise InputError(_("Not approved")) from None
        return Approval(action, manager.id)

    def authorize(self, action: str, approval: Approval | None, what: str = "") -> str:
        """The manager approving ``action`` now (using ``approval`` up), or OverrideNeeded."""
        user = self._login.user
        if user is not None and user.role == "manager":
            return user.id
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
            at=self._time.now(),
            actor=self._login.cashier,
            approved_by=approved_by,
            subject=subject,
            detail=detail,
        )

    def open_drawer(self, approval: Approval | None = None) -> None:
        """Open the cash drawer with no sale (a manager's approval, recorded)."""
        if not self._printing.cash_drawer:
            raise InputError(_("This register has no cash drawer (printer.cash_drawer = false)"))
        action = "drawer.open"
        approved_by = self.authorize(action, approval, _(ACTIONS[action]))
        now = self._time.now()
        with self._sessions.begin() as session:
            queue_drawer_kick(session, self._printing, now)
            self.audit(session, "drawer.open", approved_by=approved_by)
