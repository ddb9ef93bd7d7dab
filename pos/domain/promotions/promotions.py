"""Promotions (促销): the pure pricing engine. Money is integer fen; no database here.

Rules (``price_cart``):

- A rule applies only while active (``starts`` ≤ today ≤ ``ends``), and a
  ``members_only`` rule only with a member. ``member_day`` is members-only by
  nature and applies only on ``today.day == day_of_month`` (a day the month
  lacks, such as the 31st, skips that month).
- **Per line**, every applicable line-level rule (``percent``, ``fixed_price``,
  ``buy_x_get_y``, ``nth_discount``, ``member_day`` percent) is evaluated, and
  so is the member price (with a member, when lower than the price). The
  largest discount wins; on a tie the earlier one wins, and the member price
  counts as coming first (a promotion must beat it). A line gets one line-level
  discount at most, never more than its subtotal (no unit price below zero).
  - ``percent`` / ``member_day``: ``percent`` % of the subtotal.
  - ``fixed_price``: (price − ``price_fen``) × qty, when lower.
  - ``buy_x_get_y``: (qty // (buy + get)) × get units free. Never on Rx or
    OTC-A lines: free units of those would be drug gifts.
  - ``nth_discount``: qty // nth units at ``percent`` % off.
- **Spend thresholds** (满减): the targeted lines' totals after line discounts
  are added up; of the thresholds reached, the one with the largest ``off_fen``
  applies (ties: the earlier), in ``order_discounts``. The caller spreads it
  over the lines with :func:`distribute`.
- **Gifts**: each gift rule whose targeted spend (after line discounts) reaches
  ``threshold_fen`` gives its gift, unless the gift is Rx, OTC-A or of unknown
  class (``gift_classes``): such a gift is never given.
- **Points**: ``points_multiplier`` is the highest of the applicable member-day
  multipliers whose target matches a line, else 1.
- **Hints**: the nearest spend threshold not reached that would beat the one
  applied, then each gift not reached, when the missing amount is at most
  30 % of the threshold.

Percentages are rounded half up to the fen by :func:`percent_of`, the one
rounding rule of promotions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from pos.enums import DrugClass
from pos.i18n import _
from pos.money import format_fen

KINDS = (
    "percent", "fixed_price", "buy_x_get_y", "nth_discount",
    "spend_threshold", "member_day", "gift",
)  # fmt: skip
LINE_KINDS = frozenset({"percent", "fixed_price", "buy_x_get_y", "nth_discount", "member_day"})
NEVER_GIVEN = frozenset({DrugClass.RX, DrugClass.OTC_A})
"""Drug classes that are never gifts, nor free units (PHARMACY.md)."""
MEMBER = "member"
"""``LinePrice.promotion_id`` when the member price is the best."""
HINT_PERCENT = 30
"""A hint is shown when the missing spend is at most this % of the threshold."""


def percent_of(amount_fen: int, percent: int) -> int:
    """``percent`` % of ``amount_fen``, rounded half up to the fen."""
    return (amount_fen * percent + 50) // 100


@dataclass(frozen=True)
class PromoLine:
    """A cart line as the engine sees it."""

    index: int
    sku: str
    category: str
    drug_class: DrugClass
    qty: int
    unit_price_fen: int
    member_price_fen: int | None

    @property
    def subtotal_fen(self) -> int:
        """Quantity × unit price."""
        return self.qty * self.unit_price_fen


@dataclass(frozen=True)
class PromoRule:
    """One promotion with its parameters parsed (money in fen)."""

    id: str
    name: str
    kind: str
    target: str
    starts: date
    ends: date
    members_only: bool
    percent: int = 0
    price_fen: int = 0
    buy: int = 0
    get: int = 0
    nth: int = 0
    threshold_fen: int = 0
    off_fen: int = 0
    day_of_month: int = 0
    points_multiplier: int = 0
    gift_sku: str = ""
    gift_name: str = ""
    """The gift product's name, for hints (the SKU when empty)."""

    def active(self, today: date) -> bool:
        """True from ``starts`` to ``ends``, both included."""
        return self.starts <= today <= self.ends

    def matches(self, line: PromoLine) -> bool:
        """True if ``target`` (``sku:…``, ``category:…`` or ``all``) covers ``line``."""
        if self.target == "all":
            return True
        prefix, _sep, name = self.target.partition(":")
        if prefix == "sku":
            return line.sku == name
        return prefix == "category" and line.category == name

    def applies(self, today: date, member: bool) -> bool:
        """True if the rule is in force today for this customer."""
        if not self.active(today) or (self.members_only and not member):
            return False
        return self.kind != "member_day" or (member and today.day == self.day_of_month)

    def line_discount(self, line: PromoLine) -> int:
        """This line-level rule's discount on ``line`` (0 for other kinds)."""
        subtotal = line.subtotal_fen
        if self.kind in ("percent", "member_day"):
            off = percent_of(subtotal, self.percent)
        elif self.kind == "fixed_price":
            off = (line.unit_price_fen - self.price_fen) * line.qty
        elif self.kind == "buy_x_get_y":
            group = self.buy + self.get
            free = line.qty // group * self.get if group > 0 else 0
            off = 0 if line.drug_class in NEVER_GIVEN else free * line.unit_price_fen
        elif self.kind == "nth_discount":
            units = line.qty // self.nth if self.nth > 0 else 0
            off = percent_of(units * line.unit_price_fen, self.percent)
        else:
            off = 0
        return max(0, min(off, subtotal))


@dataclass(frozen=True)
class LinePrice:
    """The discount a line gets and why."""

    index: int
    discount_fen: int
    promotion_id: str | None
    """A promotion id, :data:`MEMBER` for the member price, None without discount."""
    label: str
    """What the cart shows: the promotion's name, or "Member price"."""


@dataclass(frozen=True)
class Gift:
    """A gift earned: the promotion (id and name) and the gift product's SKU."""

    promotion_id: str
    name: str
    sku: str


@dataclass(frozen=True)
class Pricing:
    """The promotions of a cart."""

    lines: tuple[LinePrice, ...]
    order_discounts: tuple[tuple[str, str, int], ...]
    """(promotion id, name, off_fen) of the spend threshold applied."""
    gifts: tuple[Gift, ...]
    points_multiplier: int
    hints: tuple[str, ...]


def _best_line_price(line: PromoLine, rules: Sequence[PromoRule], member: bool) -> LinePrice:
    best = LinePrice(line.index, 0, None, "")
    if member and line.member_price_fen is not None:
        off = min(line.subtotal_fen, (line.unit_price_fen - line.member_price_fen) * line.qty)
        if off > 0:
            best = LinePrice(line.index, off, MEMBER, _("Member price"))
    for rule in rules:
        if rule.kind in LINE_KINDS and rule.matches(line):
            off = rule.line_discount(line)
            if off > best.discount_fen:
                best = LinePrice(line.index, off, rule.id, rule.name)
    return best


def _within_reach(missing_fen: int, threshold_fen: int) -> bool:
    return missing_fen > 0 and missing_fen * 100 <= threshold_fen * HINT_PERCENT


def price_cart(
    lines: Sequence[PromoLine],
    rules: Sequence[PromoRule],
    today: date,
    member: bool,
    gift_classes: Mapping[str, DrugClass] | None = None,
) -> Pricing:
    """Price ``lines`` under ``rules`` (see the module's rules).

    ``gift_classes`` maps a gift SKU to its drug class; a gift missing from it is not given.
    """
    classes = gift_classes or {}
    rules = [rule for rule in rules if rule.applies(today, member)]
    priced = tuple(_best_line_price(line, rules, member) for line in lines)
    totals = [
        line.subtotal_fen - price.discount_fen for line, price in zip(lines, priced, strict=True)
    ]

    def spend(rule: PromoRule) -> int:
        return sum(total for line, total in zip(lines, totals, strict=True) if rule.matches(line))

    best: tuple[str, str, int] | None = None
    unreached: list[tuple[int, PromoRule]] = []
    for rule in (rule for rule in rules if rule.kind == "spend_threshold"):
        spent = spend(rule)
        off = min(rule.off_fen, spent)
        if spent > 0 and spent >= rule.threshold_fen and off > 0:
            if best is None or off > best[2]:
                best = (rule.id, rule.name, off)
        elif _within_reach(rule.threshold_fen - spent, rule.threshold_fen):
            unreached.append((rule.threshold_fen - spent, rule))
    better = [item for item in unreached if best is None or item[1].off_fen > best[2]]
    hints: list[str] = []
    if better:
        more, near = min(better, key=lambda item: item[0])
        hints.append(
            _("Spend ¥{more} more for ¥{off} off").format(
                more=format_fen(more), off=format_fen(near.off_fen)
            )
        )
    gifts: list[Gift] = []
    for rule in (rule for rule in rules if rule.kind == "gift"):
        gift_class = classes.get(rule.gift_sku)
        if gift_class is None or gift_class in NEVER_GIVEN:
            continue
        spent = spend(rule)
        if spent > 0 and spent >= rule.threshold_fen:
            gifts.append(Gift(rule.id, rule.name, rule.gift_sku))
        elif _within_reach(rule.threshold_fen - spent, rule.threshold_fen):
            hints.append(
                _("Spend ¥{more} more for a free {gift}").format(
                    more=format_fen(rule.threshold_fen - spent),
                    gift=rule.gift_name or rule.gift_sku,
                )
            )
    multipliers = [
        rule.points_multiplier
        for rule in rules
        if rule.kind == "member_day" and any(rule.matches(line) for line in lines)
    ]
    return Pricing(
        lines=priced,
        order_discounts=() if best is None else (best,),
        gifts=tuple(gifts),
        points_multiplier=max([1, *multipliers]),
        hints=tuple(hints),
    )


def distribute(off_fen: int, totals: Sequence[int]) -> list[int]:
    """Spread ``off_fen`` over line ``totals`` in proportion, summing exactly to ``off_fen``.

    Each line gets the floor of its share; the fen left over go one each to the
    lines with the largest remainders (ties: the earlier line). No line gets more
    than its total. :class:`ValueError` if ``off_fen`` or a total is negative, or
    ``off_fen`` exceeds the sum of the totals.
    """
    whole = sum(totals)
    if off_fen < 0 or any(total < 0 for total in totals) or off_fen > whole:
        raise ValueError(f"cannot spread {off_fen} fen over {list(totals)}")
    if off_fen == 0:
        return [0] * len(totals)
    shares = [off_fen * total // whole for total in totals]
    remainders = [off_fen * total % whole for total in totals]
    left = off_fen - sum(shares)
    order = sorted(range(len(totals)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        shares[i] += 1
    return shares
