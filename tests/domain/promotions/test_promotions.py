"""``pos.domain.promotions``: every kind priced in fen by hand, overlaps, hints, distribute."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from pos.domain.promotions.promotions import (
    MEMBER,
    Gift,
    PromoLine,
    PromoRule,
    distribute,
    percent_of,
    price_cart,
)
from pos.enums import DrugClass

TODAY = date(2026, 3, 10)
STARTS, ENDS = date(2026, 3, 1), date(2026, 3, 31)
GIFTS = {"G-MASK": DrugClass.NONE, "G-OTCB": DrugClass.OTC_B}


def rule(
    rule_id: str,
    kind: str,
    target: str = "all",
    *,
    starts: date = STARTS,
    ends: date = ENDS,
    members_only: bool = False,
    **params: Any,
) -> PromoRule:
    """A rule running all March (named after its id)."""
    return PromoRule(rule_id, f"name {rule_id}", kind, target, starts, ends, members_only, **params)


def line(
    index: int = 0,
    price: int = 1000,
    qty: int = 1,
    *,
    sku: str = "P1",
    category: str = "vitamins",
    member_price: int | None = None,
    drug_class: DrugClass = DrugClass.NONE,
) -> PromoLine:
    return PromoLine(index, sku, category, drug_class, qty, price, member_price)


def discounts(
    lines: list[PromoLine], rules: list[PromoRule], member: bool = False, today: date = TODAY
) -> list[tuple[int, str | None]]:
    """(discount_fen, promotion_id) per line."""
    pricing = price_cart(lines, rules, today, member, GIFTS)
    return [(price.discount_fen, price.promotion_id) for price in pricing.lines]


# -- each kind ------------------------------------------------------------------


def test_percent_rounds_half_up_to_the_fen() -> None:
    assert percent_of(1005, 10) == 101  # 100.5
    assert percent_of(1004, 10) == 100  # 100.4
    assert percent_of(1999 * 3, 10) == 600  # 599.7
    assert discounts([line(price=1999, qty=3)], [rule("R", "percent", percent=10)]) == [(600, "R")]


def test_fixed_price_only_when_lower() -> None:
    rules = [rule("F", "fixed_price", "sku:P1", price_fen=9900)]
    assert discounts([line(price=12800, qty=2)], rules) == [(5800, "F")]
    assert discounts([line(price=9900, qty=2)], rules) == [(0, None)]
    assert discounts([line(price=8000, qty=2)], rules) == [(0, None)]


def test_buy_x_get_y_free_units() -> None:
    rules = [rule("B", "buy_x_get_y", "sku:P1", buy=2, get=1)]
    assert discounts([line(price=990, qty=2)], rules) == [(0, None)]
    assert discounts([line(price=990, qty=3)], rules) == [(990, "B")]
    assert discounts([line(price=990, qty=7)], rules) == [(1980, "B")]


@pytest.mark.parametrize("drug_class", [DrugClass.RX, DrugClass.OTC_A])
def test_buy_x_get_y_never_gives_rx_or_otc_a_units(drug_class: DrugClass) -> None:
    rules = [rule("B", "buy_x_get_y", buy=1, get=1)]
    assert discounts([line(price=990, qty=4, drug_class=drug_class)], rules) == [(0, None)]
    assert discounts([line(price=990, qty=4, drug_class=DrugClass.OTC_B)], rules) == [(1980, "B")]


def test_nth_discount() -> None:
    rules = [rule("N", "nth_discount", "category:vitamins", nth=2, percent=50)]
    assert discounts([line(price=2600, qty=1)], rules) == [(0, None)]
    assert discounts([line(price=2600, qty=3)], rules) == [(1300, "N")]
    assert discounts([line(price=2600, qty=4)], rules) == [(2600, "N")]
    assert discounts([line(price=2599, qty=2)], rules) == [(1300, "N")]  # 1299.5
    assert discounts([line(price=2600, qty=4, category="devices")], rules) == [(0, None)]


def test_discount_never_exceeds_the_subtotal() -> None:
    rules = [rule("R", "percent", percent=150), rule("F", "fixed_price", price_fen=-500)]
    assert discounts([line(price=1000, qty=2)], rules) == [(2000, "R")]
    member_line = line(price=1000, qty=2, member_price=-100)
    assert discounts([member_line], [], member=True) == [(2000, MEMBER)]


def test_targets() -> None:
    rules = [
        rule("SKU", "percent", "sku:P2", percent=10),
        rule("CAT", "percent", "category:devices", percent=20),
        rule("ALL", "percent", "all", percent=5),
    ]
    lines = [
        line(0, 1000, sku="P1"),
        line(1, 1000, sku="P2"),
        line(2, 1000, sku="P3", category="devices"),
    ]
    assert discounts(lines, rules) == [(50, "ALL"), (100, "SKU"), (200, "CAT")]


# -- overlaps -------------------------------------------------------------------


def test_percent_fixed_price_and_member_price_on_one_line() -> None:
    percent = rule("PCT", "percent", percent=10)  # 25600 × 10 % = 2560
    fixed = rule("FIX", "fixed_price", "sku:P1", price_fen=9900)  # (12800 − 9900) × 2 = 5800
    lines = [line(price=12800, qty=2, member_price=12400)]  # member: 400 × 2 = 800
    assert discounts(lines, [percent, fixed], member=True) == [(5800, "FIX")]
    assert discounts(lines, [percent], member=True) == [(2560, "PCT")]
    cheaper = [line(price=12800, qty=2, member_price=11000)]  # 3600
    pricing = price_cart(cheaper, [percent], TODAY, True, GIFTS)
    assert pricing.lines[0].discount_fen == 3600
    assert (pricing.lines[0].promotion_id, pricing.lines[0].label) == (MEMBER, "Member price")
    assert discounts(cheaper, [percent], member=False) == [(2560, "PCT")]


def test_ties_go_to_the_earlier_rule_and_the_member_price_comes_first() -> None:
    first, second = rule("A", "percent", percent=10), rule("B", "fixed_price", price_fen=900)
    assert discounts([line(price=1000, qty=3)], [first, second]) == [(300, "A")]
    assert discounts([line(price=1000, qty=3)], [second, first]) == [(300, "B")]
    tied = [line(price=1000, qty=3, member_price=900)]
    assert discounts(tied, [first], member=True) == [(300, MEMBER)]


def test_buy_x_get_y_against_nth_discount() -> None:
    rules = [
        rule("B2G1", "buy_x_get_y", buy=2, get=1),
        rule("N2", "nth_discount", nth=2, percent=50),
    ]
    assert discounts([line(price=990, qty=2)], rules) == [(495, "N2")]
    assert discounts([line(price=990, qty=3)], rules) == [(990, "B2G1")]
    assert discounts([line(price=990, qty=4)], rules) == [(990, "B2G1")]  # 990 > 990: tie
    assert discounts([line(price=990, qty=6)], rules) == [(1980, "B2G1")]  # vs 1485


def test_the_label_is_the_promotion_name() -> None:
    pricing = price_cart([line()], [rule("R", "percent", percent=10)], TODAY, False)
    assert pricing.lines[0].label == "name R"
    assert price_cart([line()], [], TODAY, False).lines[0].label == ""


# -- spend thresholds -------------------------------------------------------------


def test_threshold_counts_line_totals_after_line_discounts() -> None:
    nth = rule("N2", "nth_discount", "category:vitamins", nth=2, percent=50)
    spend = rule("S100", "spend_threshold", threshold_fen=10000, off_fen=1000)
    lines = [line(0, 3000, 2), line(1, 5000, category="devices")]  # 6000 − 1500 + 5000 = 9500
    pricing = price_cart(lines, [nth, spend], TODAY, False)
    assert pricing.order_discounts == ()
    assert pricing.hints == ("Spend ¥5.00 more for ¥10.00 off",)
    lines.append(line(2, 600, category="devices"))  # 10100
    pricing = price_cart(lines, [nth, spend], TODAY, False)
    assert pricing.order_discounts == (("S100", "name S100", 1000),)
    assert pricing.hints == ()


def test_only_the_best_threshold_applies_and_a_better_one_is_hinted() -> None:
    rules = [
        rule("S100", "spend_threshold", threshold_fen=10000, off_fen=1000),
        rule("S200", "spend_threshold", threshold_fen=20000, off_fen=2500),
        rule("S150", "spend_threshold", threshold_fen=15000, off_fen=500),
    ]
    pricing = price_cart([line(price=25000)], rules, TODAY, False)
    assert pricing.order_discounts == (("S200", "name S200", 2500),)
    pricing = price_cart([line(price=14800)], rules, TODAY, False)
    assert pricing.order_discounts == (("S100", "name S100", 1000),)
    # 满150减5 is nearer (¥2.00) but worth less than 满100减10: 满200减25 is hinted.
    assert pricing.hints == ("Spend ¥52.00 more for ¥25.00 off",)
    pricing = price_cart([line(price=11000)], rules, TODAY, False)
    assert pricing.hints == ()  # ¥90.00 missing is more than 30 % of ¥200


def test_threshold_on_a_category() -> None:
    rules = [rule("SV", "spend_threshold", "category:vitamins", threshold_fen=5000, off_fen=500)]
    lines = [line(0, 3000), line(1, 9000, category="devices")]
    assert price_cart(lines, rules, TODAY, False).order_discounts == ()
    lines.append(line(2, 2000))
    assert price_cart(lines, rules, TODAY, False).order_discounts == (("SV", "name SV", 500),)


def test_hint_within_30_percent_only() -> None:
    rules = [rule("S", "spend_threshold", threshold_fen=10000, off_fen=1000)]
    assert price_cart([line(price=6999)], rules, TODAY, False).hints == ()
    assert price_cart([line(price=7000)], rules, TODAY, False).hints == (
        "Spend ¥30.00 more for ¥10.00 off",
    )
    assert price_cart([], rules, TODAY, False).hints == ()


# -- members, dates ----------------------------------------------------------------


def test_members_only_rules_need_a_member() -> None:
    rules = [
        rule("M", "percent", members_only=True, percent=10),
        rule("MS", "spend_threshold", members_only=True, threshold_fen=1000, off_fen=100),
    ]
    walk_in = price_cart([line(price=2000)], rules, TODAY, False)
    assert (walk_in.lines[0].discount_fen, walk_in.order_discounts) == (0, ())
    member = price_cart([line(price=2000)], rules, TODAY, True)
    assert member.lines[0].discount_fen == 200
    assert member.order_discounts == (("MS", "name MS", 100),)


def test_member_day_on_and_off_the_day() -> None:
    rules = [
        rule("MD", "member_day", day_of_month=10, percent=5),
        rule("MDX2", "member_day", day_of_month=10, points_multiplier=2),
        rule("MDX3", "member_day", "category:devices", day_of_month=10, points_multiplier=3),
    ]
    lines = [line(price=1990, qty=2)]  # 3980 × 5 % = 199
    on_day = price_cart(lines, rules, TODAY, True)
    assert (on_day.lines[0].discount_fen, on_day.lines[0].promotion_id) == (199, "MD")
    assert on_day.points_multiplier == 2  # MDX3 targets no line in the cart
    devices = [*lines, line(1, 500, category="devices")]
    assert price_cart(devices, rules, TODAY, True).points_multiplier == 3
    walk_in = price_cart(lines, rules, TODAY, False)
    assert (walk_in.lines[0].discount_fen, walk_in.points_multiplier) == (0, 1)
    next_day = price_cart(lines, rules, date(2026, 3, 11), True)
    assert (next_day.lines[0].discount_fen, next_day.points_multiplier) == (0, 1)


def test_inactive_rules_never_apply_and_dates_are_inclusive() -> None:
    lines = [line(price=1000)]
    rules = [
        rule("PAST", "percent", starts=date(2026, 2, 1), ends=date(2026, 3, 9), percent=50),
        rule("LATER", "percent", starts=date(2026, 3, 11), percent=40),
        rule("GIFT", "gift", starts=date(2026, 3, 11), threshold_fen=100, gift_sku="G-MASK"),
    ]
    pricing = price_cart(lines, rules, TODAY, True, GIFTS)
    assert (pricing.lines[0].discount_fen, pricing.gifts) == (0, ())
    one_day = [rule("TODAY", "percent", starts=TODAY, ends=TODAY, percent=10)]
    assert discounts(lines, one_day) == [(100, "TODAY")]
    assert one_day[0].active(TODAY) and not one_day[0].active(date(2026, 3, 11))


# -- gifts ------------------------------------------------------------------------


def test_gifts_when_the_threshold_is_reached() -> None:
    rules = [
        rule("G1", "gift", threshold_fen=8800, gift_sku="G-MASK"),
        rule("G2", "gift", "category:vitamins", threshold_fen=5000, gift_sku="G-OTCB"),
    ]
    pricing = price_cart([line(price=8800)], rules, TODAY, False, GIFTS)
    assert pricing.gifts == (Gift("G1", "name G1", "G-MASK"), Gift("G2", "name G2", "G-OTCB"))
    pricing = price_cart([line(price=8799)], rules, TODAY, False, GIFTS)
    assert pricing.gifts == (Gift("G2", "name G2", "G-OTCB"),)
    assert pricing.hints == ("Spend ¥0.01 more for a free G-MASK",)


def test_gift_hint_names_the_gift() -> None:
    rules = [rule("G", "gift", threshold_fen=8800, gift_sku="G-MASK", gift_name="口罩")]
    pricing = price_cart([line(price=8000)], rules, TODAY, False, GIFTS)
    assert (pricing.gifts, pricing.hints) == ((), ("Spend ¥8.00 more for a free 口罩",))


def test_gift_threshold_counts_after_line_discounts() -> None:
    rules = [
        rule("R", "percent", percent=10),
        rule("G", "gift", threshold_fen=9000, gift_sku="G-MASK"),
    ]
    assert price_cart([line(price=9900)], rules, TODAY, False, GIFTS).gifts == ()  # 8910
    assert len(price_cart([line(price=10000)], rules, TODAY, False, GIFTS).gifts) == 1


@pytest.mark.parametrize("gift_sku", ["G-RX", "G-OTCA", "G-UNKNOWN"])
def test_a_gift_is_never_rx_otc_a_or_unknown(gift_sku: str) -> None:
    classes = {**GIFTS, "G-RX": DrugClass.RX, "G-OTCA": DrugClass.OTC_A}
    rules = [rule("G", "gift", threshold_fen=100, gift_sku=gift_sku)]
    pricing = price_cart([line(price=9000)], rules, TODAY, False, classes)
    assert (pricing.gifts, pricing.hints) == ((), ())
    near = price_cart([line(price=90)], rules, TODAY, False, classes)
    assert near.hints == ()
    assert price_cart([line(price=9000)], rules, TODAY, False).gifts == ()


# -- the whole result --------------------------------------------------------------


def test_one_line_price_per_line_in_order() -> None:
    lines = [line(5, 1000), line(2, 2000, sku="P2"), line(9, 3000, sku="P3")]
    pricing = price_cart(lines, [rule("P2", "percent", "sku:P2", percent=10)], TODAY, False)
    assert [(p.index, p.discount_fen) for p in pricing.lines] == [(5, 0), (2, 200), (9, 0)]
    assert (pricing.order_discounts, pricing.gifts, pricing.points_multiplier) == ((), (), 1)


# -- distribute --------------------------------------------------------------------


def test_distribute_largest_remainder() -> None:
    assert distribute(1000, [3000, 3000, 3000]) == [334, 333, 333]
    assert distribute(1000, [1, 9999]) == [0, 1000]
    assert distribute(1000, [4500, 5000, 600]) == [446, 495, 59]  # .54 .05 .41
    assert distribute(2, [1, 1, 1]) == [1, 1, 0]
    assert distribute(3, [1, 1, 1]) == [1, 1, 1]
    assert distribute(0, [100, 0]) == [0, 0]
    assert distribute(0, []) == []


def test_distribute_always_sums_exactly_and_stays_within_each_line() -> None:
    for totals in itertools.product([0, 1, 7, 333, 1999, 10000], repeat=3):
        whole = sum(totals)
        for off in {0, 1, whole // 3, whole // 2, whole - 1, whole}:
            if not 0 <= off <= whole:
                continue
            shares = distribute(off, list(totals))
            assert sum(shares) == off, (off, totals)
            assert all(0 <= share <= total for share, total in zip(shares, totals, strict=True))


@pytest.mark.parametrize(("off", "totals"), [(101, [50, 50]), (-1, [50]), (1, [60, -10])])
def test_distribute_refuses_what_cannot_be_spread(off: int, totals: list[int]) -> None:
    with pytest.raises(ValueError, match="cannot spread"):
        distribute(off, totals)
