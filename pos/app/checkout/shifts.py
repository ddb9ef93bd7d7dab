"""The checkout screen's cash shift (Ctrl+B): open, cash in and out, X report, close.

With no shift open Ctrl+B asks for the float; with one open it shows the shift
and its keys. Closing counts the cash per denomination and needs a manager
(the :class:`~pos.app.checkout.overrides.OverrideGuard`'s modal when a cashier is logged in).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos.app.checkout.counter import Counter
from pos.app.checkout.overrides import OverrideGuard
from pos.app.widgets.status.shift_status import ShiftStatus
from pos.i18n import _
from pos.register.api import InputError, format_fen
from pos.register.service import RegisterService
from pos.register.staff.overrides import Approval
from pos.register.staff.shifts import ClosedShift, ShiftView, parse_cash_amount

if TYPE_CHECKING:
    from pos.app.modals.staff.shift_count import Counts


class ShiftKeys:
    """The cash shift at the checkout screen, shown in its side panel (``status``)."""

    def __init__(
        self,
        register: RegisterService,
        counter: Counter,
        guard: OverrideGuard,
        status: ShiftStatus,
    ) -> None:
        self.register = register
        self.counter = counter
        self.guard = guard
        self.status = status

    def show_shift(self, shift: ShiftView | None) -> None:
        """Show ``shift`` (None: no shift open) in the side panel."""
        self.status.show(shift)

    async def shift(self) -> None:
        """Open a shift with its float, or show the open one and its keys."""
        from pos.app.modals.sale.quantity import ValueModal
        from pos.app.modals.staff.shift import ShiftMenuModal

        shift = self.register.current_shift()
        self.show_shift(shift)  # a shift opened or closed elsewhere (pos shift …) shows now
        if shift is None:
            title = _("Open a shift: the cash float put in the drawer, in yuan")
            await self.counter.open(ValueModal(title, "", self._open_shift, "float"))
            return
        await self.counter.open(ShiftMenuModal(shift), self._shift_chosen)

    def _open_shift(self, text: str) -> str | None:
        try:
            shift = self.register.open_shift(text)  # the drawer opens for the float
        except InputError as exc:
            return str(exc)
        self.show_shift(shift)
        self.counter.message.success(
            _("Shift opened with a float of ¥{amount}").format(amount=format_fen(shift.float_fen))
        )
        return None

    async def _shift_chosen(self, choice: str | None) -> None:
        from pos.app.modals.staff.shift import CASH_IN, CASH_OUT, CLOSE, X_REPORT, CashModal

        if choice in (CASH_IN, CASH_OUT):
            kind = choice

            def move(amount: str, reason: str) -> str | None:
                return self._move_cash(kind, amount, reason)

            await self.counter.open(CashModal(kind, move))
        elif choice == X_REPORT:
            self._x_report()
        elif choice == CLOSE:
            await self._count()

    def _move_cash(self, kind: str, amount: str, reason: str) -> str | None:
        from pos.app.modals.staff.shift import CASH_IN

        def attempt(approval: Approval | None) -> ShiftView:
            return self.register.move_cash(kind, amount, reason, approval)  # the drawer opens

        def done(shift: ShiftView) -> None:
            self.show_shift(shift)
            recorded = (
                _("Cash in of ¥{amount} recorded")
                if kind == CASH_IN
                else _("Cash out of ¥{amount} recorded")
            )
            self.counter.message.success(
                recorded.format(amount=format_fen(parse_cash_amount(amount)))
                + "  "
                + _("Cash expected ¥{amount}").format(amount=format_fen(shift.expected_fen))
            )

        return self.guard.run(attempt, done)  # the cash form closes; a manager decides

    def _x_report(self) -> None:
        from pos.app.modals.staff.shift import ShiftReportModal

        try:
            number, text = self.register.x_report()
        except InputError as exc:
            self.counter.message.error(str(exc))
            return
        self.counter.message.success(
            _("X report {number} stored and printing").format(number=number)
        )
        self.counter.open(ShiftReportModal(number, text))

    async def _count(self) -> None:
        from pos.app.modals.staff.shift_count import CountModal

        try:
            self.register.check_can_close()
        except InputError as exc:
            self.counter.message.error(str(exc))
            return
        shift = self.register.current_shift()
        expected = shift.expected_fen if shift else 0
        await self.counter.open(CountModal(expected, self.register.count_cash, self._close))

    def _close(self, counts: Counts) -> str | None:
        """Close with ``counts``; a manager is asked after the count form closes."""
        return self.guard.run(
            lambda approval: self.register.close_shift(counts, approval), self._shift_closed
        )

    def _shift_closed(self, closed: ClosedShift) -> None:
        from pos.app.modals.staff.shift import ShiftReportModal
        from pos.app.modals.staff.shift_count import over_short_text

        self.show_shift(None)
        text = _("Shift closed: counted ¥{counted}, expected ¥{expected}, {over_short}").format(
            counted=format_fen(closed.count.counted_fen),
            expected=format_fen(closed.count.expected_fen),
            over_short=over_short_text(closed.count),
        )
        text += "  " + _("Z report {number} printing").format(number=closed.number)
        if closed.count.over_short_fen:
            self.counter.message.warning(text)
        else:
            self.counter.message.success(text)
        # after a refresh: the count form that called this closes first
        self.counter.open_after_refresh(ShiftReportModal(closed.number, closed.text))
