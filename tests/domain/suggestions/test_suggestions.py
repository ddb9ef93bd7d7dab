"""Add-on suggestions: safe, blended, one key to add, recorded for the attach rate."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from pos.app import PosApp
from pos.domain.suggestions.suggestions import CartItem, Customer, suggest
from pos.models import AssociationRule, Lot, Pairing, Product, Sale, SaleLine, SuggestionEvent
from pos.reference import load_ingredients
from tests.conftest import NOW, TODAY
from tests.helpers import barcode_of, screen_text, type_text

SIZE = (120, 40)
COLD = CartItem("P00001", "cold_flu", ("acetaminophen", "chlorphenamine", "caffeine"))


def pair(sessions: sessionmaker[Session], *rows: tuple[str, str, str]) -> None:
    """Curated pairings (only these: the demo's own are removed)."""
    with sessions.begin() as session:
        session.execute(delete(Pairing))
        session.add_all(Pairing(trigger=t, suggest_sku=s, reason=r) for t, s, r in rows)


def skus(sessions: sessionmaker[Session], items: list[CartItem], customer: Customer) -> list[str]:
    with sessions() as session:
        found = suggest(session, items, customer, load_ingredients(), TODAY)
    return [suggestion.sku for suggestion in found]


def test_curated_first_then_mined_rules_at_most_three(
    demo_sessions: sessionmaker[Session],
) -> None:
    pair(demo_sessions, ("category:cold_flu", "P00063", "多补充维生素C有助于恢复"))
    with demo_sessions.begin() as session:
        session.execute(delete(AssociationRule))
        for antecedent, sku, lift in (
            ("sku:P00001", "P00070", 3.0),
            ("ingredient:caffeine", "P00073", 5.0),
            ("category:cold_flu", "P00072", 4.0),
            ("sku:P00001", "P00071", 2.0),
        ):
            session.add(
                AssociationRule(
                    antecedent=antecedent,
                    consequent_sku=sku,
                    support=0.001,
                    confidence=0.6,
                    lift=lift,
                    baskets=10,
                    built_at=NOW,
                )
            )
    assert skus(demo_sessions, [COLD], Customer()) == ["P00063", "P00073", "P00072"]


def test_unsafe_or_pointless_suggestions_are_never_made(
    demo_sessions: sessionmaker[Session],
) -> None:
    pair(
        demo_sessions,
        ("sku:P00001", "P00111", "an Rx drug"),  # Rx: never suggested
        ("sku:P00001", "P00008", "shares acetaminophen"),  # duplicate ingredient
        ("sku:P00001", "P00001", "already in the cart"),
        ("sku:P00001", "P00031", "ibuprofen: the member is allergic"),
        ("sku:P00001", "P00063", "vitamin C: out of stock"),
        ("sku:P00001", "P00070", "a safe one"),
    )
    with demo_sessions.begin() as session:
        vitamin_c = session.scalars(select(Product).where(Product.sku == "P00063")).one()
        session.execute(update(Lot).where(Lot.product_id == vitamin_c.id).values(quantity=0))
    allergic = Customer(allergies=("布洛芬",))
    assert skus(demo_sessions, [COLD], allergic) == ["P00070"]
    assert "P00031" in skus(demo_sessions, [COLD], Customer())


def test_suggestions_respect_the_members_conditions(demo_sessions: sessionmaker[Session]) -> None:
    pair(
        demo_sessions,
        ("category:vitamins", "P00031", "布洛芬片"),
        ("category:vitamins", "P00005", "康泰克: restricted, never suggested"),
    )
    vitamin = CartItem("P00063", "vitamins", ("vitamin c",))
    assert skus(demo_sessions, [vitamin], Customer()) == ["P00031"]
    assert skus(demo_sessions, [vitamin], Customer(conditions=("胃溃疡",))) == []


async def test_cashier_adds_a_suggestion_with_one_key_and_it_is_recorded(
    app: PosApp, demo_sessions: sessionmaker[Session]
) -> None:
    pair(
        demo_sessions,
        ("category:cold_flu", "P00063", "多补充维生素C有助于恢复"),
        ("category:cold_flu", "P00070", "提高免疫力"),
    )
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, barcode_of(demo_sessions, "P00001"))
        await pilot.press("enter")
        shown = screen_text(app)
        assert "多补充维生素C有助于恢复" in shown and "⇧F1" in shown
        first = app.register.suggestion(1)
        await pilot.press("shift+f1")
        assert [line.sku for line in app.register.cart().lines] == ["P00001", first.sku]
        await pilot.press("f9", "up", "f9", "f12", "enter")  # guidance for both, then cash
    with demo_sessions() as session:
        sale = session.scalars(select(Sale)).one()
        lines = session.scalars(select(SaleLine).order_by(SaleLine.line_no)).all()
        assert [line.suggested_by for line in lines] == [None, first.rule]
        events = session.scalars(select(SuggestionEvent).order_by(SuggestionEvent.id)).all()
        assert {(e.rule, e.accepted, e.line_no) for e in events} >= {(first.rule, True, 2)}
        assert all(e.sale_id == sale.id for e in events)
        assert any(not e.accepted for e in events)  # the other one was shown, not taken
