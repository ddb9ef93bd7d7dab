"""Cash shifts at the register: open with a float, cash in and out, X report, counted close.

Every shift action is one unit of work: the shift's rows, the audit event and
the print job (a drawer kick, an X or Z report) commit together. Closing needs
a manager and an empty register: no cart in progress and no held sale, so that
every yuan of the shift is in its count.

:class:`Shifts` is one of the register's collaborators.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.printing import printing
from pos.domain.printing.print_queue import queue_drawer_kick, queue_job
from pos.domain.printing.printing import PrintProfile
from pos.domain.sales.codes import whole_number
from pos.domain.shifts import shifts
from pos.domain.shifts.shifts import CASH_IN, CASH_OUT, DENOMINATIONS_FEN, ShiftError
from pos.i18n import _
from pos.models import JobKind, ParkedCart, Shift, User
from pos.money import MoneyError, format_fen, parse_yuan
from pos.register.sale.parking import HELD
from pos.register.staff.login import Login
from pos.register.staff.overrides import Approval, Overrides
from pos.register.state import CartState, RegisterIdentity, StoreTime

__all__ = ["CASH_IN", "CASH_OUT", "ClosedShift", "ShiftCount", "ShiftView", "Shifts"]

MAX_COUNT = 99_999
"""The most notes or coins of one denomination a count accepts."""


@dataclass(frozen=True)
class ShiftView:
    """The open shift as the register shows it; money in fen."""

    id: int
    opened_by: str | None
    opened_by_name: str | None
    opened_at: datetime
    """In the store's time zone."""
    float_fen: int
    expected_fen: int
    """Cash the drawer should hold now."""


@dataclass(frozen=True)
class ShiftCount:
    """Cash counted at close against the cash expected; money in fen."""

    counted_fen: int
    expected_fen: int

    @property
    def over_short_fen(self) -> int:
        """Counted minus expected: positive over, negative short."""
        return self.counted_fen - self.expected_fen


@dataclass(frozen=True)
class ClosedShift:
    """A closed shift and its Z report (stored and queued for printing)."""

    number: str
    text: str
    count: ShiftCount


def denomination_label(fen: int) -> str:
    """``¥100``, ``¥0.5``: a note or coin as the count form names it."""
    return f"¥{fen // 100}" if fen % 100 == 0 else f"¥0.{fen // 10}"


def parse_count_fields(texts: Mapping[int, str]) -> dict[int, int]:
    """Counts typed per denomination (fen → text; empty means none) as fen → count."""
    counts: dict[int, int] = {}
    for denomination, text in texts.items():
        if denomination not in DENOMINATIONS_FEN:
            raise ShiftError(_("Unknown denomination {fen} fen").format(fen=denomination))
        cleaned = text.strip()
        if not cleaned:
            continue
        count = whole_number(cleaned, MAX_COUNT)
        if count is None:
            message = _("The count of {denomination} must be a whole number: {text}")
            raise ShiftError(
                message.format(denomination=denomination_label(denomination), text=cleaned[:20])
            )
        if count:
            counts[denomination] = count
    return counts


def parse_cash_amount(text: str) -> int:
    """A float or cash movement typed in yuan, as fen; letters and signs are refused."""
    cleaned = text.strip()
    if not cleaned:
        raise ShiftError(_("Type the amount in yuan"))
    try:
        return parse_yuan(cleaned)
    except MoneyError:
        raise ShiftError(_("Not an amount in yuan: {text}").format(text=cleaned)) from None


class Shifts:
    """Cash shifts on the register."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        state: CartState,
        time: StoreTime,
        identity: RegisterIdentity,
        login: Login,
        overrides: Overrides,
        printing: PrintProfile,
    ) -> None:
        self._sessions = sessions
        self._state = state
        self._time = time
        self._identity = identity
        self._login = login
        self._overrides = overrides
        self._printing = printing

    def current_shift(self) -> ShiftView | None:
        """The shift open on this register, or None."""
        with self._sessions() as session:
            shift = shifts.current_shift(session, self._identity.register_id)
            return None if shift is None else self._shift_view(session, shift)

    def check_shift_for_sale(self) -> None:
        """Refuse payment with no shift open when ``register.require_shift`` is set."""
        if self._identity.require_shift and self.current_shift() is None:
            raise ShiftError(_("No shift is open: Ctrl+B opens one with the cash float"))

    def open_shift(self, float_text: str) -> ShiftView:
        """Open a shift with the float typed (yuan); the drawer opens to take it."""
        float_fen = parse_cash_amount(float_text)
        now = self._time.now()
        with self._sessions.begin() as session:
            shift = shifts.open_shift(
                session, self._identity.register_id, float_fen, now, self._login.cashier
            )
            self._kick_drawer(session, now)
            self._overrides.audit(
                session, "shift.open", subject=str(shift.id), detail={"float_fen": float_fen}
            )
            return self._shift_view(session, shift)

    def move_cash(
        self, kind: str, amount_text: str, reason: str, approval: Approval | None = None
    ) -> ShiftView:
        """Put cash into (``in``) or take it out of (``out``) the drawer, with a reason.

        Taking out more than the drawer should hold needs a manager's approval.
        """
        amount_fen = parse_cash_amount(amount_text)
        now = self._time.now()
        approved_by = None
        if kind == CASH_OUT:
            with self._sessions() as session:
                shift = shifts.current_shift(session, self._identity.register_id)
                expected = (
                    None if shift is None else shifts.shift_totals(session, shift, now).expected_fen
                )
            if expected is not None and amount_fen > expected:
                what = _("Cash out ¥{amount}, ¥{expected} expected in the drawer").format(
                    amount=format_fen(amount_fen), expected=format_fen(expected)
                )
                approved_by = self._overrides.authorize("override.cash_out", approval, what)
        with self._sessions.begin() as session:
            movement = shifts.move_cash(
                session,
                self._identity.register_id,
                kind,
                amount_fen,
                reason,
                now,
                self._login.cashier,
            )
            self._kick_drawer(session, now)
            self._overrides.audit(
                session,
                "shift.cash",
                approved_by=approved_by,
                subject=str(movement.shift_id),
                detail={"kind": kind, "amount_fen": amount_fen, "reason": movement.reason},
            )
            return self._shift_view(session, movement.shift)

    def x_report(self) -> tuple[str, str]:
        """(number, text) of an X report of the shift so far, stored and queued to print."""
        now = self._time.now()
        with self._sessions.begin() as session:
            report, receipt = shifts.x_report(
                session, self._identity.register_id, self._printing, now
            )
            data = printing.render_receipt(receipt, self._printing).data
            queue_job(session, JobKind.SHIFT, data, now)
            return report.data["number"], report.text

    def check_can_close(self) -> None:
        """Refuse to close with a cart in progress or a held sale (挂单), or no shift."""
        if self._state.cart.lines:
            raise ShiftError(_("Finish or void the sale in progress before closing the shift"))
        with self._sessions() as session:
            held = session.scalar(
                select(func.count())
                .select_from(ParkedCart)
                .where(
                    ParkedCart.register_id == self._identity.register_id, ParkedCart.kind == HELD
                )
            )
            if held:
                raise ShiftError(
                    _(
                        "{n} held sale(s) on this register: recall and finish or void them "
                        "before closing the shift"
                    ).format(n=held)
                )
            if shifts.current_shift(session, self._identity.register_id) is None:
                raise ShiftError(_("No shift is open on this register"))

    def count_cash(self, texts: Mapping[int, str]) -> ShiftCount:
        """The cash counted (fen → count typed) against the cash expected now."""
        counted = shifts.check_counts(parse_count_fields(texts))
        with self._sessions() as session:
            shift = shifts.current_shift(session, self._identity.register_id)
            if shift is None:
                raise ShiftError(_("No shift is open on this register"))
            expected = shifts.shift_totals(session, shift, self._time.now()).expected_fen
        return ShiftCount(counted, expected)

    def close_shift(
        self, texts: Mapping[int, str], approval: Approval | None = None
    ) -> ClosedShift:
        """Close the shift with the cash counted: a manager approves; the Z report prints."""
        self.check_can_close()
        counts = parse_count_fields(texts)
        count = self.count_cash(texts)
        what = _("Counted ¥{counted}, expected ¥{expected}").format(
            counted=format_fen(count.counted_fen), expected=format_fen(count.expected_fen)
        )
        approved_by = self._overrides.authorize("shift.close", approval, what)
        now = self._time.now()
        with self._sessions.begin() as session:
            report, receipt = shifts.close_shift(
                session,
                self._identity.register_id,
                counts,
                self._printing,
                now,
                self._login.cashier or approved_by,
            )
            data = printing.render_receipt(receipt, self._printing).data
            queue_job(session, JobKind.SHIFT, data, now)
            numbers = report.data
            self._overrides.audit(
                session,
                "shift.close",
                approved_by=approved_by,
                subject=str(report.shift_id),
                detail={
                    "report": numbers["number"],
                    "counted_fen": numbers["counted_fen"],
                    "expected_fen": numbers["expected_fen"],
                    "over_short_fen": numbers["over_short_fen"],
                },
            )
            closed = ShiftCount(numbers["counted_fen"], numbers["expected_fen"])
            return ClosedShift(numbers["number"], report.text, closed)

    # -- helpers ----------------------------------------------------------
    def _shift_view(self, session: Session, shift: Shift) -> ShiftView:
        user = session.get(User, shift.opened_by) if shift.opened_by else None
        return ShiftView(
            id=shift.id,
            opened_by=shift.opened_by,
            opened_by_name=user.name if user else None,
            opened_at=self._time.local_time(shift.opened_at),
            float_fen=shift.float_fen,
            expected_fen=shifts.shift_totals(session, shift, self._time.now()).expected_fen,
        )

    def _kick_drawer(self, session: Session, now: datetime) -> None:
        """Open the cash drawer (queued with the cash movement), when the register has one."""
        queue_drawer_kick(session, self._printing, now)
