"""Taking payment: tenders split across cash, card, WeChat Pay, Alipay and insurance.

The tenders and the cash rounding add up to the total: ``paid + rounding = total``.
Only the cash that settles the sale is rounded (``store.cash_rounding``, see
:func:`pos.money.round_cash`); medical insurance pays at most the eligible lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pos.domain.sales.codes import InputError
from pos.domain.views import PaymentView
from pos.enums import CashRounding, Tender
from pos.i18n import N_, _
from pos.money import format_fen, round_cash


def tender_name(tender: Tender, gettext: Callable[[str], str] = _) -> str:
    """The tender as the cashier reads it (``gettext`` picks another language)."""
    names = {
        Tender.CASH: N_("Cash"),
        Tender.CARD: N_("Bank card"),
        Tender.WECHAT: N_("WeChat Pay"),
        Tender.ALIPAY: N_("Alipay"),
        Tender.INSURANCE: N_("Medical insurance"),
        Tender.POINTS: N_("Points"),
    }
    return gettext(names[tender])


MAX_CASH_FEN = 10_000_000  # ¥100,000: more than that in cash is a typing slip


@dataclass
class Tendering:
    """Payments recorded against a total until it is paid in full."""

    total_fen: int
    payments: list[PaymentView] = field(default_factory=list)
    change_fen: int = 0
    points_limit_fen: int = 0
    """The most this sale may take in member points (0: no member, or no points)."""
    insurance_blocker: str | None = None
    """Why medical insurance cannot pay (boxes without traceability codes), if so."""
    insurance_limit_fen: int | None = None
    """The most medical insurance may pay: the eligible lines' total (None: no limit known)."""
    cash_rounding: CashRounding = CashRounding.NONE
    rounding_fen: int = 0
    """What the cash that settled the sale was rounded by: due minus paid (-5 to +4 fen)."""

    @property
    def points_fen(self) -> int:
        """What the points tenders so far cover."""
        return self._paid_by(Tender.POINTS)

    @property
    def insurance_fen(self) -> int:
        """What medical insurance pays so far (the insured part)."""
        return self._paid_by(Tender.INSURANCE)

    @property
    def insurance_available_fen(self) -> int:
        """What medical insurance may still pay of this sale."""
        limit = self.total_fen if self.insurance_limit_fen is None else self.insurance_limit_fen
        return max(0, min(limit - self.insurance_fen, self.remaining_fen))

    @property
    def paid_fen(self) -> int:
        """What the tenders so far cover."""
        return sum(payment.amount_fen for payment in self.payments)

    @property
    def remaining_fen(self) -> int:
        """What is still to pay."""
        return self.total_fen - self.paid_fen - self.rounding_fen

    @property
    def cash_due_fen(self) -> int:
        """The cash that settles the rest, rounded by the store's rule."""
        return round_cash(max(0, self.remaining_fen), self.cash_rounding)

    @property
    def is_paid(self) -> bool:
        """True once the total is covered."""
        return self.remaining_fen <= 0

    def _paid_by(self, tender: Tender) -> int:
        return sum(p.amount_fen for p in self.payments if p.tender is tender)

    def add(self, tender: Tender, amount_fen: int | None) -> PaymentView:
        """Record a tender; ``None`` pays the rest exactly. Cash may exceed the rest (change).

        Cash that covers the rest pays the rest rounded (:attr:`cash_due_fen`); the
        difference is the sale's :attr:`rounding_fen`. A rest that rounds to nothing is
        settled by a cash payment of 0 fen (not stored).
        """
        remaining = self.remaining_fen
        if remaining <= 0:
            raise InputError(_("The sale is already paid"))
        if tender is Tender.INSURANCE:
            amount_fen = self._check_insurance(amount_fen)
        if tender is Tender.POINTS:
            available = self.points_limit_fen - self.points_fen
            if available <= 0:
                raise InputError(_("No points can pay for this sale"))
            if amount_fen is None:
                amount_fen = min(remaining, available)
            if amount_fen > available:
                raise InputError(
                    _("Points can pay at most ¥{most} of this sale").format(
                        most=format_fen(available)
                    )
                )
        if tender is Tender.CASH:
            return self._add_cash(amount_fen)
        amount = remaining if amount_fen is None else amount_fen
        if amount <= 0:
            raise InputError(_("Enter an amount greater than zero"))
        if amount > remaining:
            raise InputError(
                _("Only cash can be more than the amount due ({due})").format(
                    due=format_fen(remaining)
                )
            )
        payment = PaymentView(tender, amount, None)
        self.payments.append(payment)
        return payment

    def _check_insurance(self, amount_fen: int | None) -> int:
        """The insurance amount (the most it may pay when ``None``); refuses more."""
        if self.insurance_blocker:
            raise InputError(self.insurance_blocker)
        available = self.insurance_available_fen
        if available <= 0:
            if self.insurance_fen:
                raise InputError(_("Medical insurance has already paid all it may of this sale"))
            raise InputError(_("Nothing in this sale is covered by medical insurance"))
        if amount_fen is not None and amount_fen > available:
            raise InputError(
                _(
                    "Medical insurance can pay at most ¥{most} of this sale (covered items only)"
                ).format(most=format_fen(available))
            )
        return available if amount_fen is None else amount_fen

    def _add_cash(self, amount_fen: int | None) -> PaymentView:
        remaining, due = self.remaining_fen, self.cash_due_fen
        amount = due if amount_fen is None else amount_fen
        if amount <= 0 and due > 0:
            raise InputError(_("Enter an amount greater than zero"))
        if amount > MAX_CASH_FEN:
            raise InputError(
                _("{amount} is too much cash for one sale").format(amount=format_fen(amount))
            )
        if amount >= due:  # settles the sale: the cash due, rounded
            payment = PaymentView(Tender.CASH, due, amount)
            self.change_fen = amount - due
            self.rounding_fen = remaining - due
        elif amount >= remaining:  # the exact rest of a total rounded up: no rounding
            payment = PaymentView(Tender.CASH, remaining, amount)
            self.change_fen = amount - remaining
        else:
            payment = PaymentView(Tender.CASH, amount, amount)
        self.payments.append(payment)
        return payment

    def undo(self) -> PaymentView | None:
        """Take back the last tender."""
        if not self.payments:
            return None
        self.change_fen = 0
        self.rounding_fen = 0
        return self.payments.pop()
