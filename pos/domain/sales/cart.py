"""The cart in progress and its pricing (the one place money is added up)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pos.domain.pharmacy.safety import Buyer, Reviewed
from pos.domain.sales.codes import MAX_QTY, InputError
from pos.domain.views import CartLineView, CartView, GuidanceView
from pos.enums import DrugClass
from pos.i18n import _, current


@dataclass
class CartLine:
    """A product in the cart; the same product scanned again adds to its paid line.

    A gift line (``gift_of`` set) is always its own line of one free unit: units the
    customer buys never join it (see :meth:`Cart.add`).
    """

    product_id: int
    sku: str
    barcode: str | None
    name: str
    spec: str
    unit: str
    unit_price_fen: int
    drug_class: DrugClass
    qty: int = 1
    next_expiry: date | None = None
    member_price_fen: int | None = None
    category: str = ""
    member_priced: bool = False
    """True while a member is attached: the line sells at the member price, if lower."""
    manufacturer: str = ""
    ingredients: tuple[str, ...] = ()
    restricted: str = ""
    trace_required: bool = False
    guidance: GuidanceView | None = None
    guidance_en: GuidanceView | None = None
    """The guidance's English texts (Chinese where it has none): the line is shown in the
    language of whoever is at the register, which may change while the cart waits."""
    guidance_given: bool = False
    """The cashier acknowledged (F9) telling the customer the guidance."""
    trace_codes: list[str] = field(default_factory=list)
    suggested_by: str | None = None
    """The suggestion rule the customer accepted to buy this line."""
    manual: bool = False
    """Priced by hand (a price change or a discount): promotions leave the line alone."""
    list_price_fen: int | None = None
    """The catalogue price before a manager changed it."""
    manual_discount_pct: int = 0
    """A discount given at the counter, in percent off."""
    stock_override: bool = False
    """A manager approved selling more than the stock shows."""

    @property
    def shown_guidance(self) -> GuidanceView | None:
        """The guidance in the screen's language now."""
        if current() == "en" and self.guidance_en is not None:
            return self.guidance_en
        return self.guidance

    @property
    def is_drug(self) -> bool:
        """True for a medicine (Rx or OTC): it comes with guidance."""
        return self.drug_class is not DrugClass.NONE

    promo_discount_fen: int = 0
    """The line's best price rule: a promotion, or the published member price."""
    order_discount_fen: int = 0
    """This line's share of a spend-threshold discount (满减)."""
    promotion_id: str | None = None
    promo_label: str = ""
    gift_of: str | None = None
    """The promotion that gives this line free (a gift with purchase)."""

    @property
    def discount_fen(self) -> int:
        """What the customer saves on this line (all of it for a gift)."""
        if self.gift_of is not None:
            return self.qty * self.unit_price_fen
        return self.promo_discount_fen + self.order_discount_fen

    @property
    def total_fen(self) -> int:
        """Quantity × unit price, less the line discount."""
        return self.qty * self.unit_price_fen - self.discount_fen

    def view(self) -> CartLineView:
        """The frozen read model of this line."""
        return CartLineView(
            sku=self.sku,
            name=self.name,
            spec=self.spec,
            unit=self.unit,
            qty=self.qty,
            unit_price_fen=self.unit_price_fen,
            discount_fen=self.discount_fen,
            total_fen=self.total_fen,
            drug_class=self.drug_class,
            promo_label=self.promo_label,
            gift=self.gift_of is not None,
            next_expiry=self.next_expiry,
            member_price_fen=self.member_price_fen,
            ingredients=self.ingredients,
            restricted=self.restricted,
            guidance=self.shown_guidance,
            guidance_given=self.guidance_given,
            trace_codes=tuple(self.trace_codes),
            trace_required=self.trace_required,
        )


@dataclass
class Cart:
    """Lines in the order they were first added."""

    lines: list[CartLine] = field(default_factory=list)
    last_index: int | None = None
    member_priced: bool = False
    acknowledged: dict[str, str] = field(default_factory=dict)
    """Warnings acknowledged (F9) in this cart: key → the text shown."""
    prescription: Reviewed | None = None
    buyer: Buyer | None = None
    shown: dict[str, str] = field(default_factory=dict)
    """Suggestions shown for this cart: rule → suggested SKU (for the attach rate)."""
    points_multiplier: int = 1
    hints: tuple[str, ...] = ()

    def set_member_pricing(self, on: bool) -> None:
        """Sell every line at member prices (a member is attached) or at list prices."""
        self.member_priced = on
        for line in self.lines:
            line.member_priced = on

    def find(self, product_id: int) -> int | None:
        """The index of the paid line (not a gift line) holding ``product_id``."""
        for index, line in enumerate(self.lines):
            if line.product_id == product_id and line.gift_of is None:
                return index
        return None

    def qty_of(self, product_id: int) -> int:
        """Units of ``product_id`` already in the cart, paid and gift lines together."""
        return sum(line.qty for line in self.lines if line.product_id == product_id)

    def add(self, line: CartLine) -> int:
        """Add ``line`` (or its quantity to the product's paid line); return the line's index.

        A gift line is always appended as a line of its own and does not become the
        selected line; a paid line never merges into a gift line.
        """
        line.member_priced = self.member_priced
        if line.gift_of is not None:
            self.lines.append(line)
            return len(self.lines) - 1
        index = self.find(line.product_id)
        if index is None:
            self.lines.append(line)
            index = len(self.lines) - 1
        else:
            existing = self.lines[index]
            if existing.qty + line.qty > MAX_QTY:
                raise InputError(_("A line holds at most 9999 units"))
            existing.qty += line.qty
            existing.next_expiry = line.next_expiry or existing.next_expiry
            existing.stock_override = existing.stock_override or line.stock_override
        self.last_index = index
        return index

    def set_qty(self, index: int, qty: int) -> None:
        """Set the quantity of line ``index``."""
        self.lines[index].qty = qty
        self.last_index = index

    def remove(self, index: int) -> None:
        """Remove line ``index``."""
        del self.lines[index]
        self.last_index = None

    def clear(self) -> None:
        """Empty the cart (a member stays attached until detached)."""
        self.lines.clear()
        self.last_index = None
        self.acknowledged.clear()
        self.prescription = None
        self.buyer = None
        self.shown.clear()

    def has_rx(self) -> bool:
        """True if a prescription drug is in the cart."""
        return any(line.drug_class is DrugClass.RX for line in self.lines)

    def restricted_qty(self, rule: str) -> int:
        """Packs of products under restricted-sale ``rule`` in the cart."""
        return sum(line.qty for line in self.lines if line.restricted == rule)

    @property
    def subtotal_fen(self) -> int:
        """Sum of quantity × unit price over the lines (gift lines at their price).

        The identity: ``total_fen == subtotal_fen - discount_fen`` and
        ``total_fen == sum(line.total_fen)``, where a line's discount is its promotion
        or member price, its share of a spend threshold, or all of it for a gift.
        """
        return sum(line.qty * line.unit_price_fen for line in self.lines)

    @property
    def discount_fen(self) -> int:
        """Sum of the discounts."""
        return sum(line.discount_fen for line in self.lines)

    @property
    def total_fen(self) -> int:
        """What the customer pays."""
        return self.subtotal_fen - self.discount_fen

    def view(self) -> CartView:
        """The frozen read model of the cart."""
        return CartView(
            lines=tuple(line.view() for line in self.lines),
            subtotal_fen=self.subtotal_fen,
            discount_fen=self.discount_fen,
            total_fen=self.total_fen,
            last_index=self.last_index,
            hints=self.hints,
        )
