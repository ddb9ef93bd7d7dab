"""What the register's collaborators share: its identity, its clock and the cart state.

:class:`RegisterService` holds one :class:`CartState` (the cart in progress, the
attached member, the add-ons offered) and one :class:`StoreTime`, and hands them
to each collaborator's constructor: nothing here is inherited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from pos.domain.members.birthday import BirthdayGift
from pos.domain.sales.cart import Cart
from pos.domain.suggestions.suggestions import Suggestion
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


class StoreTime:
    """The register's clock in the store's time zone: now, the business day, local times."""

    def __init__(self, clock: Clock, timezone: str) -> None:
        self._clock = clock
        self._zone = ZoneInfo(timezone)

    def now(self) -> datetime:
        """Now, in UTC."""
        return self._clock().astimezone(UTC)

    def today(self) -> date:
        """The store's local date: the business day, and what expiry is judged against."""
        return self.now().astimezone(self._zone).date()

    def local_time(self, moment: datetime) -> datetime:
        """``moment`` in the store's time zone."""
        return moment.astimezone(self._zone)


@dataclass
class CartState:
    """The sale in progress: the one mutable state of the register, declared here only."""

    cart: Cart = field(default_factory=Cart)
    member_id: int | None = None
    invited: bool = False
    """The customer was already invited to enrol in this sale."""
    suggestions: list[Suggestion] = field(default_factory=list)
    """The add-ons offered for the cart as it last changed."""
    birthday_gift: BirthdayGift | None = None
    """The attached member's birthday gift, taken in this sale (recorded with it)."""

    def reset(self) -> None:
        """Start the next customer: an empty cart, no member, nothing offered."""
        self.cart = Cart()
        self.member_id = None
        self.invited = False
        self.birthday_gift = None
