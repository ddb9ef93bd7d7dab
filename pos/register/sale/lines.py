"""How a cart line is made: the product found, stock checked, the pharmacy rules applied.

:class:`LineMaker` is one of the register's collaborators: scans, searches,
suggestions and gifts all make their lines here (:meth:`LineMaker.build`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from pos.domain.catalogue import catalogue
from pos.domain.promotions.promotions import NEVER_GIVEN, Gift
from pos.domain.sales.cart import CartLine
from pos.domain.sales.codes import TRACE_CODE, InputError, classify_barcode
from pos.i18n import _
from pos.register.sale.safety import Safety
from pos.register.staff.overrides import Approval, OverrideNeeded, Overrides
from pos.register.state import CartState, StoreTime


class NotACode(InputError):
    """Scanned text that is no known code: the screen may search for it by name."""

    def __init__(self, query: str, qty: int = 1) -> None:
        super().__init__(_("No product with code {code}").format(code=query))
        self.query = query
        self.qty = qty


class LineMaker:
    """Cart lines from the catalogue, with stock, pharmacy rules and guidance checked."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        state: CartState,
        time: StoreTime,
        safety: Safety,
        overrides: Overrides,
    ) -> None:
        self._sessions = sessions
        self._state = state
        self._time = time
        self._safety = safety
        self._overrides = overrides

    def resolve_unknown(self, session: Session, code: str, qty: int) -> catalogue.ProductRow:
        """The product a code that is no barcode names (its SKU), else why not."""
        if TRACE_CODE.match(code):
            raise InputError(
                _("{code} is a drug traceability code: scan the product's own barcode").format(
                    code=code
                )
            )
        if code.isdigit():
            classify_barcode(code)  # raises on a bad length or check digit
            raise InputError(_("Unknown barcode {code}: not in the catalogue").format(code=code))
        product = catalogue.find_by_sku(session, code.upper())
        if product is None:
            raise NotACode(code, qty)
        return product

    def check_stock(
        self,
        session: Session,
        product_id: int,
        name: str,
        qty: int,
        approval: Approval | None = None,
    ) -> catalogue.StockLevel | None:
        """The stock level, or None when a manager approved selling past it (recorded)."""
        level = catalogue.stock_level(session, product_id, self._time.today())
        if level.sellable == 0 and level.expired > 0:
            raise InputError(
                _("{name}: only expired stock left ({expired}); it must not be sold").format(
                    name=name, expired=level.expired
                )
            )
        if qty <= level.sellable:
            return level
        if level.sellable == 0:
            what = _("{name} is out of stock").format(name=name)
        else:
            what = _("Only {available} of {name} in stock").format(
                available=level.sellable, name=name
            )
        try:
            approved_by = self._overrides.authorize("override.no_stock", approval, what)
        except OverrideNeeded as exc:
            raise OverrideNeeded(exc.action, what) from None
        with self._sessions.begin() as record:
            self._overrides.audit(
                record,
                "override.no_stock",
                approved_by=approved_by,
                detail={"product_id": product_id, "qty": qty, "sellable": level.sellable},
            )
        return None

    def add(
        self,
        session: Session,
        product: catalogue.ProductRow,
        qty: int,
        barcode: str | None,
        approval: Approval | None = None,
    ) -> None:
        """Add ``qty`` of ``product`` to the cart (merged into its line if it has one)."""
        self._state.cart.add(self.build(session, product, qty, barcode, approval))

    def build(
        self,
        session: Session,
        product: catalogue.ProductRow,
        qty: int,
        barcode: str | None,
        approval: Approval | None = None,
        gift: Gift | None = None,
    ) -> CartLine:
        """The one way a cart line is made: scanned, searched, suggested or a gift.

        Stock (with what the cart already holds of the product), the pharmacy rules
        (pharmacist on duty for Rx, the per-sale limit of a restricted product), its
        guidance, member price and traceability flag. A ``gift`` line is never of a
        class in :data:`NEVER_GIVEN` and is only given from stock on hand: no override.
        Raises :class:`InputError` when the line may not be added.
        """
        in_cart = self._state.cart.qty_of(product.id)
        level: catalogue.StockLevel | None
        if gift is None:
            level = self.check_stock(session, product.id, product.name, in_cart + qty, approval)
        else:
            if product.drug_class in NEVER_GIVEN:
                raise InputError(
                    _("{name}: an Rx or OTC-A product is never a gift").format(name=product.name)
                )
            level = catalogue.stock_level(session, product.id, self._time.today())
            if level.sellable < in_cart + qty:
                raise InputError(_("{name} is out of stock").format(name=product.name))
        ingredients = catalogue.ingredients(session, product.id)
        fields = self._safety.line_fields(session, product, ingredients, qty)
        return CartLine(
            product_id=product.id,
            sku=product.sku,
            barcode=barcode,
            name=product.name,
            spec=product.spec,
            unit=product.unit,
            unit_price_fen=product.price_fen,
            drug_class=product.drug_class,
            qty=qty,
            next_expiry=level.next_expiry if level else None,
            member_price_fen=product.member_price_fen,
            category=product.category,
            manufacturer=product.manufacturer,
            ingredients=ingredients,
            restricted=product.restricted,
            trace_required=product.trace_required,
            guidance=fields.guidance,
            guidance_en=fields.guidance_en,
            stock_override=level is None,
            promotion_id=None if gift is None else gift.promotion_id,
            promo_label="" if gift is None else gift.name,
            gift_of=None if gift is None else gift.promotion_id,
        )
