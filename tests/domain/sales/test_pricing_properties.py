"""Property-based pricing tests (Hypothesis): random catalogues, carts, members and promotions.

The model's identity, for the cart and for every line:

- a line's ``total_fen == qty × unit_price_fen − discount_fen``, where its discount is
  its best line rule (a promotion or the member price) plus its share of the spend
  threshold (满减) applied, or all of it for a gift line;
- the cart's ``subtotal_fen == Σ qty × unit_price_fen`` (gift lines at their price),
  ``discount_fen == Σ line discounts`` and ``total_fen == subtotal_fen − discount_fen
  == Σ line totals``.

Also: nothing is negative; a gift line is a line of its own holding one free unit and is
never of a class that is never given; the units a customer buys are paid lines (one per
product); thresholds (满减 and gifts) count paid lines only; pricing never writes
points.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.promotions.promotions import (
    NEVER_GIVEN,
    PromoLine,
    PromoRule,
    distribute,
    price_cart,
)
from pos.domain.sales.cart import Cart, CartLine
from pos.domain.sales.codes import InputError
from pos.enums import DrugClass
from pos.models import Lot, Member, ParkedCart, PointsEntry, Product, Promotion, User
from pos.register.service import RegisterIdentity, RegisterService
from pos.store.db import open_database
from pos.transfer.promotion_import import PARAMS
from tests.conftest import NOW, TODAY, fixed_clock

SKUS = ("G1", "G2", "G3", "G4", "G5", "G6")
CATEGORIES = ("vitamins", "devices")
CLASSES = (DrugClass.NONE, DrugClass.OTC_B, DrugClass.OTC_A, DrugClass.RX)
CARD = "2900000000018"
TARGETS = ("all", *(f"sku:{sku}" for sku in SKUS), *(f"category:{c}" for c in CATEGORIES))


@dataclass(frozen=True)
class Item:
    """A product of the generated catalogue."""

    sku: str
    price_fen: int
    member_price_fen: int | None
    drug_class: DrugClass
    category: str


@st.composite
def items(draw: st.DrawFn) -> tuple[Item, ...]:
    found = []
    for sku in SKUS:
        price = draw(st.integers(1, 30000) | st.just(0))
        member = draw(st.none() | st.integers(1, 30000) | st.just(0))
        found.append(
            Item(
                sku,
                price,
                member,
                draw(st.sampled_from((DrugClass.NONE, *CLASSES))),  # mostly may be given
                draw(st.sampled_from(CATEGORIES)),
            )
        )
    return tuple(found)


@st.composite
def rules(draw: st.DrawFn, index: int, kind: str | None = None) -> PromoRule:
    kind = kind or draw(
        st.sampled_from(
            (
                "percent",
                "fixed_price",
                "buy_x_get_y",
                "nth_discount",
                "spend_threshold",
                "member_day",
                "gift",
            )
        )
    )
    running = draw(st.integers(0, 5)) != 5  # mostly running today, sometimes not yet
    starts = TODAY - timedelta(days=3) if running else TODAY + timedelta(days=2)
    params: dict[str, Any] = {}
    if kind in ("percent", "nth_discount"):
        params["percent"] = draw(st.integers(1, 99))
    if kind == "fixed_price":
        params["price_fen"] = draw(st.integers(0, 30000))
    if kind == "buy_x_get_y":
        params["buy"], params["get"] = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    if kind == "nth_discount":
        params["nth"] = draw(st.integers(2, 4))
    if kind in ("spend_threshold", "gift"):
        params["threshold_fen"] = draw(st.integers(1, 20000))
    if kind == "spend_threshold":
        params["off_fen"] = draw(st.integers(1, params["threshold_fen"]))
    if kind == "member_day":
        params["day_of_month"] = draw(st.sampled_from((TODAY.day, TODAY.day + 1)))
        params["percent"] = draw(st.integers(0, 50))
        params["points_multiplier"] = draw(st.integers(0, 5))
    if kind == "gift":
        params["gift_sku"] = draw(st.sampled_from(SKUS))
    return PromoRule(
        id=f"R{index}",
        name=f"rule {index}",
        kind=kind,
        target=draw(st.sampled_from(TARGETS)),
        starts=starts,
        ends=TODAY + timedelta(days=30),
        members_only=kind == "member_day" or draw(st.integers(0, 3)) == 3,
        **params,
    )


@st.composite
def promotions(draw: st.DrawFn) -> list[PromoRule]:
    found = [draw(rules(index)) for index in range(draw(st.integers(0, 5)))]
    for kind in ("gift", "spend_threshold"):  # the thresholds, more often than by chance
        if draw(st.booleans()):
            found.append(draw(rules(len(found), kind)))
    return found


@st.composite
def scans(draw: st.DrawFn, rules: list[PromoRule]) -> list[tuple[str, int]]:
    """What the customer buys: any product, gift products more often."""
    gifts = [rule.gift_sku for rule in rules if rule.gift_sku]
    sku = st.sampled_from((*SKUS, *gifts, *gifts))
    return draw(st.lists(st.tuples(sku, st.integers(1, 6)), min_size=1, max_size=6))


def build_store(path: Path) -> tuple[sessionmaker[Session], dict[str, int]]:
    """A small store: the products (plenty in stock), a pharmacist on duty, a member."""
    _engine, sessions = open_database(path)
    with sessions.begin() as session:
        for sku in SKUS:
            product = Product(sku=sku, name=f"商品 {sku}", price_fen=100, member_price_fen=None)
            session.add(product)
            session.flush()
            session.add(
                Lot(product_id=product.id, lot_number="L1", expiry=date(2030, 1, 1), quantity=9999)
            )
        session.add(
            User(id="yaoshi", name="王药师", role="pharmacist", pin_hash="-", created_at=NOW)
        )
        session.add(
            Member(
                card_no=CARD,
                consent_terms=True,
                enrolled_at=NOW,
                consents_at=NOW,
                updated_at=NOW,
            )
        )
        ids = dict(session.execute(select(Product.sku, Product.id)).all())
    return sessions, ids


def stock_the_day(
    sessions: sessionmaker[Session], catalogue: tuple[Item, ...], rules: list[PromoRule], n: int
) -> None:
    """This example's prices and promotions, stored as an import stores them."""
    with sessions.begin() as session:
        for item in catalogue:
            session.execute(
                update(Product)
                .where(Product.sku == item.sku)
                .values(
                    price_fen=item.price_fen,
                    member_price_fen=item.member_price_fen,
                    drug_class=item.drug_class,
                    category=item.category,
                )
            )
        session.execute(delete(Promotion))
        session.execute(delete(ParkedCart))
        for rule in rules:
            session.add(
                Promotion(
                    id=rule.id,
                    name=rule.name,
                    kind=rule.kind,
                    target=rule.target,
                    starts=rule.starts,
                    ends=rule.ends,
                    members_only=rule.members_only,
                    params={name: getattr(rule, name) for name in PARAMS if getattr(rule, name)},
                    updated_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n),
                )
            )


def expected_thresholds(
    cart: Cart, rules: list[PromoRule], member: bool
) -> tuple[int, set[tuple[str, str]]]:
    """The 满减 off and the gifts earned, counted on the paid lines only (an oracle)."""
    paid = [line for line in cart.lines if line.gift_of is None and not line.manual]
    live = [rule for rule in rules if rule.applies(TODAY, member)]

    def spend(rule: PromoRule) -> int:
        return sum(
            line.qty * line.unit_price_fen - line.promo_discount_fen
            for line in paid
            if rule.matches(
                PromoLine(0, line.sku, line.category, line.drug_class, line.qty, 0, None)
            )
        )

    offs = [
        min(rule.off_fen, spend(rule))
        for rule in live
        if rule.kind == "spend_threshold" and spend(rule) > 0 and spend(rule) >= rule.threshold_fen
    ]
    return max([0, *offs]), {
        (rule.id, rule.gift_sku)
        for rule in live
        if rule.kind == "gift" and spend(rule) > 0 and spend(rule) >= rule.threshold_fen
    }


def check_cart(register: RegisterService, rules: list[PromoRule], member: bool) -> None:
    view = register.cart()
    cart = register._state.cart
    assert view.total_fen == sum(line.total_fen for line in view.lines)
    assert view.total_fen == view.subtotal_fen - view.discount_fen
    assert view.subtotal_fen == sum(line.qty * line.unit_price_fen for line in view.lines)
    assert view.total_fen >= 0 and view.discount_fen >= 0
    for shown in view.lines:
        assert shown.total_fen >= 0 and shown.discount_fen >= 0
        assert shown.total_fen == shown.qty * shown.unit_price_fen - shown.discount_fen
    gifts = [line for line in cart.lines if line.gift_of is not None]
    for gift in gifts:
        assert gift.qty == 1 and gift.total_fen == 0
        assert gift.drug_class not in NEVER_GIVEN
    paid_skus = [line.sku for line in cart.lines if line.gift_of is None]
    assert len(paid_skus) == len(set(paid_skus))  # one paid line per product
    off, earned = expected_thresholds(cart, rules, member)
    assert sum(line.order_discount_fen for line in cart.lines) == off
    given = {(line.gift_of, line.sku) for line in gifts}
    drug_classes = register_classes(register)  # every gift product is in stock here
    assert given == {pair for pair in earned if drug_classes[pair[1]] not in NEVER_GIVEN}


def given_paid(cart: Cart) -> set[str]:
    """Products in the cart both as a gift and as units bought."""
    gifts = {line.sku for line in cart.lines if line.gift_of is not None}
    return gifts & {line.sku for line in cart.lines if line.gift_of is None}


def register_classes(register: RegisterService) -> dict[str, DrugClass]:
    with register._sessions() as session:
        return dict(session.execute(select(Product.sku, Product.drug_class)).all())


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(catalogue=items(), rules=promotions(), member=st.booleans(), data=st.data())
def test_the_register_prices_every_cart_by_the_model(
    tmp_path: Path,
    catalogue: tuple[Item, ...],
    rules: list[PromoRule],
    member: bool,
    data: st.DataObject,
) -> None:
    store = STORES.get(tmp_path)
    if store is None:
        store = STORES[tmp_path] = build_store(tmp_path / "pos.db")
    sessions, ids = store
    COUNTER[0] += 1
    stock_the_day(sessions, catalogue, rules, COUNTER[0])
    register = RegisterService(sessions, RegisterIdentity("001", "01"), fixed_clock)
    if member:
        register.attach_card(CARD)
    bought = data.draw(scans(rules))
    # The customer also buys the gifts (after they were given): paid lines of their own.
    bought += [(rule.gift_sku, 3) for rule in rules if rule.kind == "gift"]
    for sku, qty in bought:
        with contextlib.suppress(InputError):  # e.g. a line over 9999 units
            register.add_product(ids[sku], qty)
        check_cart(register, rules, member)
    lines = register.cart().lines
    if lines:  # the cashier changes a paid line's quantity
        index = data.draw(st.integers(0, len(lines) - 1))
        qty = data.draw(st.integers(1, 9))
        try:
            register.set_quantity(index, str(qty))
        except InputError:
            assert lines[index].gift  # only a gift line refuses
        check_cart(register, rules, member)
    cart = register._state.cart
    event(f"gift lines: {sum(1 for line in cart.lines if line.gift_of)}")
    event(f"满减: {any(line.order_discount_fen for line in cart.lines)}")
    event(f"a gift product bought too: {bool(given_paid(cart))}")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(PointsEntry)) == 0


STORES: dict[Path, tuple[sessionmaker[Session], dict[str, int]]] = {}
COUNTER = [0]


# -- the engine and the cart without a database -------------------------------------------


@st.composite
def engine_lines(draw: st.DrawFn) -> list[PromoLine]:
    count = draw(st.integers(0, 6))
    return [
        PromoLine(
            index,
            draw(st.sampled_from(SKUS)),
            draw(st.sampled_from(CATEGORIES)),
            draw(st.sampled_from(CLASSES)),
            draw(st.integers(1, 50)),
            draw(st.integers(0, 30000)),
            draw(st.none() | st.integers(0, 30000)),
        )
        for index in range(count)
    ]


@settings(max_examples=300, deadline=None)
@given(lines=engine_lines(), rules=promotions(), member=st.booleans())
def test_the_engine_never_gives_more_than_a_line_or_a_spend_is_worth(
    lines: list[PromoLine], rules: list[PromoRule], member: bool
) -> None:
    classes = {sku: CLASSES[number % len(CLASSES)] for number, sku in enumerate(SKUS)}
    pricing = price_cart(lines, rules, TODAY, member, classes)
    totals = []
    for line, price in zip(lines, pricing.lines, strict=True):
        assert 0 <= price.discount_fen <= line.subtotal_fen
        totals.append(line.subtotal_fen - price.discount_fen)
    by_id = {rule.id: rule for rule in rules}
    for promotion_id, _name, off in pricing.order_discounts:
        rule = by_id[promotion_id]
        spent = [t for line, t in zip(lines, totals, strict=True) if rule.matches(line)]
        assert 0 < off <= sum(spent)
        shares = distribute(off, spent)
        assert sum(shares) == off
        assert all(0 <= share <= total for share, total in zip(shares, spent, strict=True))
    for gift in pricing.gifts:
        assert classes[gift.sku] not in NEVER_GIVEN
    assert pricing.points_multiplier >= 1


def cart_line(sku: str, qty: int, price: int, gift_of: str | None = None) -> CartLine:
    return CartLine(
        product_id=SKUS.index(sku),
        sku=sku,
        barcode=None,
        name=sku,
        spec="",
        unit="",
        unit_price_fen=price,
        drug_class=DrugClass.NONE,
        qty=qty,
        gift_of=gift_of,
    )


@settings(max_examples=200, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(SKUS), st.integers(1, 20), st.booleans()), max_size=12
    ),
    price=st.integers(0, 10000),
)
def test_a_scan_never_joins_a_gift_line(steps: list[tuple[str, int, bool]], price: int) -> None:
    cart = Cart()
    bought: dict[str, int] = {}
    for sku, qty, gift in steps:
        if gift:
            cart.add(cart_line(sku, 1, price, gift_of="GIFT"))
        else:
            cart.add(cart_line(sku, qty, price))
            bought[sku] = bought.get(sku, 0) + qty
    for sku in SKUS:
        paid = [line for line in cart.lines if line.sku == sku and line.gift_of is None]
        assert sum(line.qty for line in paid) == bought.get(sku, 0)
        assert len(paid) <= 1
    assert all(line.qty == 1 for line in cart.lines if line.gift_of is not None)
    assert cart.total_fen == sum(line.total_fen for line in cart.lines)
    assert cart.total_fen == sum(bought.values()) * price
