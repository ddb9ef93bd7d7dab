"""The register's promotions: the cart priced by the promotions engine on every change.

Per line the best price for the customer wins (a promotion or the member price);
one spend threshold (满减) is spread over the lines; gifts are added as lines at
no charge (stock taken) and removed when no longer earned; hints say how close
the cart is to the next reward.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from pos.enums import DrugClass
from pos.i18n import _
from pos.models import Product
from pos.services import catalogue
from pos.services.cart import CartLine
from pos.services.promotion_import import gift_classes, load_rules
from pos.services.promotions import (
    MEMBER,
    PromoLine,
    PromoRule,
    distribute,
    percent_of,
    price_cart,
)
from pos.services.register_state import RegisterState


class PromotionDesk(RegisterState):
    """Promotions at the register (a part of :class:`RegisterService`)."""

    _promo_cache: tuple[date, list[PromoRule], dict[str, DrugClass]] | None = None

    def promotion_rules(self) -> tuple[list[PromoRule], dict[str, DrugClass]]:
        """Today's active and upcoming promotions (read once a day), and their gifts' classes."""
        today = self.today()
        if self._promo_cache is None or self._promo_cache[0] != today:
            with self._sessions() as session:
                rules = load_rules(session, today)
                self._promo_cache = (today, rules, gift_classes(session, rules))
        return self._promo_cache[1], self._promo_cache[2]

    def promotions(self) -> tuple[list[PromoRule], list[PromoRule]]:
        """(running today, coming) promotions."""
        today = self.today()
        rules, _classes = self.promotion_rules()
        return [r for r in rules if r.active(today)], [r for r in rules if r.starts > today]

    def reload_promotions(self) -> None:
        """Read the promotions again (after an import)."""
        self._promo_cache = None

    def _reprice(self) -> None:
        """Price the cart: line promotions or member prices, a spend threshold, gifts, hints."""
        cart = self._cart
        rules, classes = self.promotion_rules()
        paid = [
            index
            for index, line in enumerate(cart.lines)
            if line.gift_of is None and not line.manual
        ]
        lines = [
            PromoLine(
                index,
                line.sku,
                line.category,
                line.drug_class,
                line.qty,
                line.unit_price_fen,
                line.member_price_fen,
            )
            for index, line in ((i, cart.lines[i]) for i in paid)
        ]
        pricing = price_cart(lines, rules, self.today(), self._member_id is not None, classes)
        for price in pricing.lines:
            line = cart.lines[price.index]
            line.promo_discount_fen = price.discount_fen
            line.promotion_id = None if price.promotion_id in (None, MEMBER) else price.promotion_id
            line.promo_label = price.label
            line.order_discount_fen = 0
        for line in cart.lines:
            if line.manual:
                gross = line.qty * line.unit_price_fen
                line.promo_discount_fen = percent_of(gross, line.manual_discount_pct)
                line.promotion_id = None
                line.order_discount_fen = 0
                line.promo_label = _manual_label(line)
        by_id = {rule.id: rule for rule in rules}
        for promotion_id, _name, off_fen in pricing.order_discounts:
            rule = by_id[promotion_id]
            targets = [line.index for line in lines if rule.matches(line)]
            totals = [cart.lines[i].total_fen for i in targets]
            for index, share in zip(targets, distribute(off_fen, totals), strict=True):
                line = cart.lines[index]
                line.order_discount_fen += share
                if share and line.promotion_id is None:
                    line.promotion_id = promotion_id
        self._give_gifts({(gift.promotion_id, gift.sku): gift.name for gift in pricing.gifts})
        cart.points_multiplier = pricing.points_multiplier
        cart.hints = pricing.hints

    def _give_gifts(self, earned: dict[tuple[str, str], str]) -> None:
        """Add the gifts earned (when in stock), take away those no longer earned."""
        cart = self._cart
        given = {(line.gift_of, line.sku) for line in cart.lines if line.gift_of is not None}
        if given == set(earned):
            return
        cart.lines[:] = [
            line
            for line in cart.lines
            if line.gift_of is None or (line.gift_of, line.sku) in earned
        ]
        with self._sessions() as session:
            for (promotion_id, sku), name in earned.items():
                if (promotion_id, sku) in given:
                    continue
                product = session.scalar(select(Product).where(Product.sku == sku))
                if product is None or product.drug_class in (DrugClass.RX, DrugClass.OTC_A):
                    continue
                level = catalogue.stock_level(session, product.id, self.today())
                if level.sellable - self._cart.qty_of(product.id) < 1:
                    continue
                cart.lines.append(
                    CartLine(
                        product_id=product.id,
                        sku=product.sku,
                        barcode=catalogue.primary_barcode(session, product.id),
                        name=product.name,
                        spec=product.spec,
                        unit=product.unit,
                        unit_price_fen=product.price_fen,
                        drug_class=product.drug_class,
                        next_expiry=level.next_expiry,
                        category=product.category,
                        manufacturer=product.manufacturer,
                        ingredients=tuple(item.ingredient for item in product.ingredients),
                        promotion_id=promotion_id,
                        promo_label=name,
                        gift_of=promotion_id,
                    )
                )
        if cart.last_index is not None and cart.last_index >= len(cart.lines):
            cart.last_index = len(cart.lines) - 1 if cart.lines else None


def _manual_label(line: CartLine) -> str:
    """How a line priced by hand is labelled: the changed price, the discount."""
    parts = []
    if line.list_price_fen is not None:
        parts.append(_("price changed"))
    if line.manual_discount_pct:
        parts.append(_("discount {n}%").format(n=line.manual_discount_pct))
    return " · ".join(parts)
