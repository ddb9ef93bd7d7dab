"""Frozen read models the domain builds and the register hands to the screens (re-exported by
pos.register.views)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from pos.enums import DrugClass, Tender

if TYPE_CHECKING:  # the domain's catalogue imports these views: no import at run time
    from pos.domain.pharmacy.safety import Warning
    from pos.domain.suggestions.suggestions import Suggestion


def days_to_expiry(expiry: date | None, today: date, near_days: int) -> int | None:
    """Days left when ``expiry`` is within ``near_days`` of ``today`` (tell the customer)."""
    if expiry is None:
        return None
    days = (expiry - today).days
    return days if days <= near_days else None


@dataclass(frozen=True)
class ProductView:
    """A product as shown in search results."""

    id: int
    sku: str
    name: str
    name_en: str
    spec: str
    manufacturer: str
    unit: str
    price_fen: int
    member_price_fen: int | None
    drug_class: DrugClass
    sellable: int


@dataclass(frozen=True)
class GuidanceView:
    """Medication guidance as the cashier reads it to the customer."""

    usage: str
    dosage: str
    precautions: str
    contraindications: tuple[str, ...]
    storage: str
    advice: str

    @property
    def short(self) -> str:
        """Usage and dose, for the receipt."""
        return " ".join(part for part in (self.usage, self.dosage) if part)


@dataclass(frozen=True)
class CartLineView:
    """One line of the cart in progress."""

    sku: str
    name: str
    spec: str
    unit: str
    qty: int
    unit_price_fen: int
    discount_fen: int
    total_fen: int
    drug_class: DrugClass
    next_expiry: date | None = None
    """Expiry of the lot this line is sold from first."""
    member_price_fen: int | None = None
    ingredients: tuple[str, ...] = ()
    restricted: str = ""
    guidance: GuidanceView | None = None
    guidance_given: bool = False
    trace_codes: tuple[str, ...] = ()
    trace_required: bool = False
    promo_label: str = ""
    """The promotion (or "member price") that priced this line."""
    gift: bool = False


@dataclass(frozen=True)
class MemberView:
    """A member as the cashier sees one: the phone masked."""

    id: int
    card_no: str
    name: str
    masked_phone: str
    tier: str
    points: int
    last_visit: date | None = None
    recent_purchases: tuple[str, ...] = ()
    birthday: date | None = None
    birthday_month: bool = False
    allergies: str = ""
    conditions: str = ""
    consent_marketing: bool = False
    consent_health: bool = False
    segment: str = ""
    """The customer file's class (new, active, regular, at_risk, lapsed; empty: not worked out)."""
    health_note: str = ""
    """Why the health notes are not shown (head office could not be asked: offline)."""


@dataclass(frozen=True)
class CartView:
    """The cart in progress and its totals."""

    lines: tuple[CartLineView, ...]
    subtotal_fen: int
    discount_fen: int
    total_fen: int
    last_index: int | None = None
    member: MemberView | None = None
    hints: tuple[str, ...] = ()
    """How close the cart is to a promotion ("spend ¥12 more for ¥10 off")."""

    @property
    def items(self) -> int:
        """Number of units in the cart."""
        return sum(line.qty for line in self.lines)


@dataclass(frozen=True)
class ScanOutcome:
    """All the screen shows after a scan, read in the one call that made it."""

    cart: CartView
    suggestions: tuple[Suggestion, ...]
    """The add-ons to offer for the cart as it is now."""
    warnings: tuple[Warning, ...]
    """Every safety warning of the cart now (those of ``cart.last_index`` are the new ones)."""
    today: date
    """The store's business day the expiry dates are judged against."""
    near_expiry_days: int
    unsaved: bool
    """The cart could not be stored yet (the database was busy): the screen says "saving…"."""
    member_card: bool = False
    """The scan was a member's card (the member is attached, perhaps again)."""
    settled: bool = True
    """False after a quick scan in a burst: no add-ons or warnings were worked out yet
    (:meth:`~pos.register.service.RegisterService.offer` does, when the burst is over)."""
    note: str = ""
    """Something the cashier should know about the scan (a member's card merged into
    another member's: that member was attached)."""

    def near_expiry(self, expiry: date | None) -> int | None:
        """Days left when ``expiry`` is near enough to tell the customer, else None."""
        return days_to_expiry(expiry, self.today, self.near_expiry_days)


@dataclass(frozen=True)
class PaymentView:
    """A tender recorded while paying."""

    tender: Tender
    amount_fen: int
    tendered_fen: int | None


@dataclass(frozen=True)
class CompletedSale:
    """What the screen shows once a sale is stored."""

    number: str
    total_fen: int
    change_fen: int
    payments: tuple[PaymentView, ...]
    points_earned: int = 0
    points_redeemed: int = 0
    member: MemberView | None = None
    """The member after the sale (new balance and tier)."""
    receipt_note: str | None = None
    """Something the cashier should know about the receipt (characters it cannot print)."""
    rounding_fen: int = 0
    """Cash rounding of the sale: the total minus what the tenders took."""
