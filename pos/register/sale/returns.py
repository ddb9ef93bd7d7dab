"""Returns at the register: the sale found by its receipt, lines chosen, a manager's refund.

:class:`Returns` is one of the register's collaborators.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from pos.domain.printing.printing import PrintProfile
from pos.domain.printing.return_receipt import queue_return_receipt
from pos.domain.returns import returns
from pos.domain.returns.returns import ReturnableSale, ReturnContext, ReturnRequest
from pos.domain.sales.codes import InputError
from pos.enums import Tender
from pos.i18n import _
from pos.register.staff.login import Login
from pos.register.staff.overrides import Approval, Overrides
from pos.register.state import CartState, RegisterIdentity, StoreTime
from pos.sync import outbox
from pos.transfer.return_exports import return_payload


@dataclass(frozen=True)
class CompletedReturn:
    """A stored return, as the screen reports it."""

    number: str
    original: str
    total_fen: int
    refunds: tuple[tuple[Tender, int], ...]
    rounding_fen: int
    """Cash rounding: the total minus what the refunds paid."""
    points_reversed: int
    points_restored: int
    quarantined: int
    """Units held apart, not back on sale."""


class Returns:
    """Returns and refunds."""

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

    def find_return(self, number: str) -> ReturnableSale:
        """The sale on a receipt, with what may still come back."""
        if self._state.cart.lines:
            raise InputError(_("Finish or hold the sale in progress before a return"))
        with self._sessions() as session:
            return returns.returnable(session, number, self._identity.cash_rounding)

    def complete_return(
        self, number: str, request: ReturnRequest, approval: Approval | None = None
    ) -> CompletedReturn:
        """Store the return and queue its receipt; a manager approves every refund."""
        with self._sessions() as session:  # a refused return asks no manager
            view = returns.returnable(session, number, self._identity.cash_rounding)
            returns.check_request(view, request)
        what = _("Refund on sale {number}").format(number=view.number)
        approved_by = self._overrides.authorize("refund", approval, what)
        now = self._time.now()
        with self._sessions.begin() as session:
            context = ReturnContext(
                store_code=self._identity.store_code,
                register_id=self._identity.register_id,
                completed_at=now,
                business_date=self._time.local_time(now).date(),
                cashier=self._login.cashier,
                approved_by=approved_by,
            )
            record = returns.complete_return(
                session, number, request, context, self._identity.cash_rounding
            )
            queue_return_receipt(session, record, self._printing)
            outbox.enqueue(session, "return", record.number, return_payload(session, record))
            self._overrides.audit(
                session,
                "refund",
                approved_by=approved_by,
                subject=record.number,
                detail={
                    "original": view.number,
                    "total_fen": record.total_fen,
                    "to_cash": request.to_cash,
                    "restocked": sorted(request.restock),
                },
            )
            return CompletedReturn(
                number=record.number,
                original=view.number,
                total_fen=record.total_fen,
                refunds=tuple((refund.tender, refund.amount_fen) for refund in record.refunds),
                rounding_fen=record.rounding_fen,
                points_reversed=record.points_reversed,
                points_restored=record.points_restored,
                quarantined=sum(line.qty for line in record.lines if not line.restocked),
            )
