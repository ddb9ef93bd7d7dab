"""The register's promotions: the cart priced by the promotions engine on every change.

Per line the best price for the customer wins (a promotion or the member price);
one spend threshold (满减) is spread over the lines; gifts are added as lines of
one free unit (built like any line, stock taken) and removed when no longer
earned; thresholds count the paid lines only; hints say how close the cart is to
the next reward.

:class:`Pricing` is one of the register's collaborators: it takes the line maker
that builds gift lines in its constructor.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from pos.domain.catalogue import catalogue
from pos.domain.members.birthday import GIFT_PROMOTION
from pos.domain.promotions.promotions import (
    MEMBER,
    Gift,
    PromoLine,
    PromoRule,
    distribute,
    percent_of,
    price_cart,
)
from pos.domain.sales.cart import CartLine
from pos.domain.sales.codes import InputError
from pos.enums import DrugClass
from pos.i18n import _
from pos.register.sale.lines import LineMaker
from pos.register.state import CartState, StoreTime
from pos.transfer.promotion_import import generation, gift_classes, load_rules

_RulesRead = tuple[date, tuple[object, ...], list[PromoRule], dict[str, DrugClass]]
"""(day, catalogue generation, rules, gift classes): read again when the day or generation moved."""


class Pricing:
    """The cart priced by the promotions engine; the promotions read once per day or import."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        state: CartState,
        time: StoreTime,
        lines: LineMaker,
    ) -> None:
        self._sessions = sessions
        self._state = state
        self._time = time
        self._lines = lines
        self._cache: _RulesRead | None = None

    def promotion_rules(self) -> tuple[list[PromoRule], dict[str, DrugClass]]:
        """Today's active and upcoming promotions, and their gifts' classes.

        Read again when the day changes or the promotions or products changed (an
        import while the register runs): a cheap generation check on every call.
        """
        today = self._time.today()
        with self._sessions() as session:
            seen = generation(session)
            cache = self._cache
            if cache is None or cache[0] != today or cache[1] != seen:
                rules = load_rules(session, today)
                cache = (today, seen, rules, gift_classes(session, rules))
                self._cache = cache
        return cache[2], cache[3]

    def promotions(self) -> tuple[list[PromoRule], list[PromoRule]]:
        """(running today, coming) promotions."""
        today = self._time.today()
        rules, _classes = self.promotion_rules()
        return [r for r in rules if r.active(today)], [r for r in rules if r.starts > today]

    def reload_promotions(self) -> None:
        """Read the promotions again (after an import)."""
        self._cache = None

    def reprice(self) -> None:
        """Price the cart: line promotions or member prices, a spend threshold, gifts, hints."""
        cart = self._state.cart
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
        pricing = price_cart(
            lines, rules, self._time.today(), self._state.member_id is not None, classes
        )
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
        earned = {(gift.promotion_id, gift.sku): gift for gift in pricing.gifts}
        birthday = self._state.birthday_gift
        if birthday is not None and birthday.kind == "product" and birthday.sku:
            # The birthday gift is a gift line like any other: stock, the pharmacy rules.
            earned[(GIFT_PROMOTION, birthday.sku)] = Gift(
                GIFT_PROMOTION, _("Birthday gift"), birthday.sku
            )
        self._give_gifts(earned)
        cart.points_multiplier = pricing.points_multiplier
        cart.hints = pricing.hints

    def _give_gifts(self, earned: dict[tuple[str, str], Gift]) -> None:
        """Add the gifts earned, take away those no longer earned.

        A gift line is built like any other line (:meth:`LineMaker.build`): stock, the
        pharmacy rules, guidance, traceability. A gift that may not be added (out of
        stock, over a restricted product's per-sale limit, an Rx or OTC-A product) is
        not given.
        """
        cart = self._state.cart
        given = {(line.gift_of, line.sku) for line in cart.lines if line.gift_of is not None}
        if given == set(earned):
            return
        cart.lines[:] = [
            line
            for line in cart.lines
            if line.gift_of is None or (line.gift_of, line.sku) in earned
        ]
        with self._sessions() as session:
            for (promotion_id, sku), gift in earned.items():
                if (promotion_id, sku) in given:
                    continue
                product = catalogue.find_by_sku(session, sku)
                if product is None:
                    continue
                barcode = catalogue.primary_barcode(session, product.id)
                try:
                    line = self._lines.build(session, product, 1, barcode, gift=gift)
                except InputError:
                    continue
                cart.add(line)
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
