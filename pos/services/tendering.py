"""Taking payment: tenders split across cash, card, WeChat Pay, Alipay and insurance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pos.enums import Tender
from pos.i18n import N_, _
from pos.money import format_fen
from pos.services.codes import InputError
from pos.services.views import PaymentView


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

    @property
    def points_fen(self) -> int:
        """What the points tenders so far cover."""
        return sum(p.amount_fen for p in self.payments if p.tender is Tender.POINTS)

    @property
    def paid_fen(self) -> int:
        """What the tenders so far cover."""
        return sum(payment.amount_fen for payment in self.payments)

    @property
    def remaining_fen(self) -> int:
        """What is still to pay."""
        return self.total_fen - self.paid_fen

    @property
    def is_paid(self) -> bool:
        """True once the total is covered."""
        return self.remaining_fen <= 0

    def add(self, tender: Tender, amount_fen: int | None) -> PaymentView:
        """Record a tender; ``None`` pays the rest exactly. Cash may exceed the rest (change)."""
        remaining = self.remaining_fen
        if remaining <= 0:
            raise InputError(_("The sale is already paid"))
        if tender is Tender.INSURANCE and self.insurance_blocker:
            raise InputError(self.insurance_blocker)
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
        amount = remaining if amount_fen is None else amount_fen
        if amount <= 0:
            raise InputError(_("Enter an amount greater than zero"))
        if tender is Tender.CASH:
            if amount > MAX_CASH_FEN:
                raise InputError(
                    _("{amount} is too much cash for one sale").format(amount=format_fen(amount))
                )
            payment = PaymentView(tender, min(amount, remaining), amount)
            self.change_fen = max(0, amount - remaining)
        else:
            if amount > remaining:
                raise InputError(
                    _("Only cash can be more than the amount due ({due})").format(
                        due=format_fen(remaining)
                    )
                )
            payment = PaymentView(tender, amount, None)
        self.payments.append(payment)
        return payment

    def undo(self) -> PaymentView | None:
        """Take back the last tender."""
        if not self.payments:
            return None
        self.change_fen = 0
        return self.payments.pop()
