"""The member programme's arithmetic: member prices, points earned and redeemed, tiers.

Pure functions over plain values; the rules come from the settings (bootstrap
builds :class:`LoyaltyRules`). Points are whole numbers; money is fen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from pos.enums import DrugClass
from pos.i18n import N_, _

TIER_NAMES = {
    "normal": N_("Normal"),
    "silver": N_("Silver"),
    "gold": N_("Gold"),
    "platinum": N_("Platinum"),
}


def tier_name(tier: str, gettext: Callable[[str], str] = _) -> str:
    """A tier as people read it (tiers configured beyond the usual four, as named)."""
    return gettext(TIER_NAMES[tier]) if tier in TIER_NAMES else tier


def owes(points: int) -> str:
    """What a balance below zero means, for the member panel and ``pos member show``."""
    return _("owes {n} points (redeemed at two stores offline)").format(n=-points)


@dataclass(frozen=True)
class TierRule:
    """A tier reached by spending ``min_spend_fen`` over 12 months."""

    name: str
    min_spend_fen: int
    points_percent: int = 100


DEFAULT_TIER_RULES = (
    TierRule("normal", 0, 100),
    TierRule("silver", 100_000, 120),
    TierRule("gold", 300_000, 150),
    TierRule("platinum", 1_000_000, 200),
)


FLOOR_BY_IMPORT = "import"
FLOOR_BY_HQ = "hq"


@dataclass(frozen=True)
class TierFloor:
    """A tier given by import or head office: the member's tier is never below it
    until ``until`` (the last day it holds, in the store's dates; None: no end)."""

    tier: str
    until: date | None = None
    by: str = FLOOR_BY_IMPORT

    def runs(self, today: date) -> bool:
        """True while the floor holds."""
        return self.until is None or today <= self.until


def tier_source(tier: str, floor: TierFloor | None, gettext: Callable[[str], str] = _) -> str:
    """Where the tier comes from, as people read it: spend, import (until when) or head office."""
    if floor is None or floor.tier != tier:
        return gettext("spend over the last 365 days")
    if floor.by == FLOOR_BY_HQ:
        if floor.until is None:
            return gettext("head office")
        return gettext("head office until {date}").format(date=floor.until.isoformat())
    if floor.until is None:
        return gettext("imported")
    return gettext("imported until {date}").format(date=floor.until.isoformat())


@dataclass(frozen=True)
class LoyaltyRules:
    """The store's member programme (``[loyalty]`` in the settings)."""

    points_per_yuan: int = 1
    exclude_drug_classes: frozenset[DrugClass] = frozenset({DrugClass.RX})
    exclude_categories: frozenset[str] = frozenset()
    birthday_points_percent: int = 200
    birthday_gift_points: int = 0
    birthday_gift_sku: str = ""
    referral_points: int = 100
    redeem_points_per_yuan: int = 100
    redeem_max_percent: int = 50
    tiers: tuple[TierRule, ...] = DEFAULT_TIER_RULES
    invite: bool = True

    def tier(self, name: str) -> TierRule:
        """The rule of tier ``name`` (the first tier if it is no longer configured)."""
        return next((tier for tier in self.tiers if tier.name == name), self.tiers[0])

    def tier_for_spend(self, spend_fen: int) -> TierRule:
        """The highest tier whose threshold ``spend_fen`` reaches."""
        reached = [tier for tier in self.tiers if spend_fen >= tier.min_spend_fen]
        return reached[-1] if reached else self.tiers[0]

    def rank(self, name: str | None) -> int:
        """The tier's place, lowest first (a tier no longer configured, or None: the first)."""
        return next((i for i, tier in enumerate(self.tiers) if tier.name == name), 0)

    def settled_tier(self, spend_fen: int, floor: TierFloor | None, today: date) -> str:
        """The member's tier: the spend-based one, raised to a floor still running ``today``."""
        tier = self.tier_for_spend(spend_fen).name
        if floor is not None and floor.runs(today) and self.rank(floor.tier) > self.rank(tier):
            return floor.tier
        return tier

    def earns(self, drug_class: DrugClass, category: str) -> bool:
        """True if a line of this class and category earns points."""
        return drug_class not in self.exclude_drug_classes and (
            category not in self.exclude_categories
        )

    def points_value_fen(self, points: int) -> int:
        """What ``points`` pay for, in fen (rounded down)."""
        return points * 100 // self.redeem_points_per_yuan

    def points_for_fen(self, amount_fen: int) -> int:
        """The points that pay exactly ``amount_fen`` (rounded up)."""
        return -(-amount_fen * self.redeem_points_per_yuan // 100)

    def max_redeem_fen(self, total_fen: int, balance: int) -> int:
        """The most a sale of ``total_fen`` may take in points, with ``balance`` points
        (none while the balance is below zero: a debt)."""
        cap = total_fen * self.redeem_max_percent // 100
        return min(cap, self.points_value_fen(max(balance, 0)))


def is_birthday_month(birthday: date | None, today: date) -> bool:
    """True in the member's birthday month."""
    return birthday is not None and birthday.month == today.month


def points_earned(
    eligible_fen: int,
    total_fen: int,
    redeemed_fen: int,
    tier: TierRule,
    birthday_month: bool,
    rules: LoyaltyRules,
) -> int:
    """Points for a sale: on the part of the eligible lines not paid with points.

    ``eligible_fen`` is the total of the lines that earn points; the part paid
    with points earns nothing, taken pro rata from every line.
    """
    if total_fen <= 0 or eligible_fen <= 0:
        return 0
    paid_fen = eligible_fen * (total_fen - redeemed_fen) // total_fen
    percent = tier.points_percent
    if birthday_month:
        percent = percent * rules.birthday_points_percent // 100
    return paid_fen * rules.points_per_yuan * percent // (100 * 100)


def eligible_fen(lines: Sequence[tuple[DrugClass, str, int]], rules: LoyaltyRules) -> int:
    """The total of the lines (drug class, category, total in fen) that earn points."""
    return sum(total for drug_class, category, total in lines if rules.earns(drug_class, category))
