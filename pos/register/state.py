"""What every part of the register service shares: the session factory, the clock, the cart.

The register service is one facade for the screens (``RegisterService``); its
parts live in their own modules as mixins over this state: members, receipts,
safety.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from pos.domain.members.loyalty import LoyaltyRules
from pos.domain.printing.print_queue import PrintSpooler
from pos.domain.printing.printing import PrintProfile
from pos.domain.sales.cart import Cart
from pos.enums import CashRounding

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class RegisterIdentity:
    """Which store and register this is, and its time zone."""

    store_code: str
    register_id: str
    timezone: str = "Asia/Shanghai"
    near_expiry_days: int = 90
    cashier_discount_percent: int = 10
    """The largest discount a cashier gives without a manager's approval."""
    require_shift: bool = False
    """Refuse payment while no cash shift is open on the register."""
    approve_line_removal: bool = False
    """A manager approves removing a line or lowering its quantity (always recorded)."""
    staff_pin_digits: int = 4
    """The shortest PIN a pharmacist or manager may have."""
    cash_rounding: CashRounding = CashRounding.NONE
    """How the cash part of a sale or refund is rounded (``store.cash_rounding``)."""


class RegisterState:
    """The state the register's parts share, and its clock."""

    _sessions: sessionmaker[Session]
    identity: RegisterIdentity
    _zone: ZoneInfo
    _clock: Clock
    _cart: Cart
    printing: PrintProfile
    _spooler: PrintSpooler
    _reported_chars: set[str]
    rules: LoyaltyRules
    _member_id: int | None
    _invited: bool

    def now(self) -> datetime:
        """Now, in UTC."""
        return self._clock().astimezone(UTC)

    def today(self) -> date:
        """The store's local date: the business day, and what expiry is judged against."""
        return self.now().astimezone(self._zone).date()

    def local_time(self, moment: datetime) -> datetime:
        """``moment`` in the store's time zone."""
        return moment.astimezone(self._zone)
