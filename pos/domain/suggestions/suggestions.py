"""Add-on suggestions (关联销售) for the cart: curated pairings first, then mined rules.

A suggestion is never a product already in the cart, out of stock, Rx or
restricted (ephedrine-class: a dedicated counter and an ID check), sharing
an active ingredient with a cart line, or contraindicated for the attached
member (an allergy or a condition). At most three are shown, each with a
sentence the cashier can say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pos.domain.catalogue import catalogue
from pos.domain.pharmacy.guidance import guidance_for
from pos.domain.pharmacy.safety import Names
from pos.enums import DrugClass
from pos.i18n import _
from pos.models import AssociationRule, Pairing, Product

CURATED_SCORE = 1_000.0
"""Curated pairings rank above every mined rule (a lift is far below this)."""
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class CartItem:
    """What the suggestions need to know of a cart line."""

    sku: str
    category: str
    ingredients: tuple[str, ...]


@dataclass(frozen=True)
class Customer:
    """The attached member's health notes (only with the health-data consent)."""

    allergies: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """A product to suggest, the rule behind it and what the cashier can say."""

    rule: str
    """``pairing:ID`` or ``rule:ID``."""
    product_id: int
    sku: str
    name: str
    spec: str
    price_fen: int
    reason: str
    score: float = field(default=0.0, compare=False)


def trigger_keys(items: Sequence[CartItem]) -> list[str]:
    """The keys pairings and rules are found by: each line's SKU, ingredients and category."""
    keys: dict[str, None] = {}
    for item in items:
        keys[f"sku:{item.sku}"] = None
        for ingredient in item.ingredients:
            keys[f"ingredient:{ingredient}"] = None
        if item.category:
            keys[f"category:{item.category}"] = None
    return list(keys)


def suggest(
    session: Session,
    items: Sequence[CartItem],
    customer: Customer,
    names: Names,
    today: date,
    limit: int = MAX_SUGGESTIONS,
) -> list[Suggestion]:
    """The best ``limit`` safe add-ons for the cart."""
    if not items:
        return []
    keys = trigger_keys(items)
    candidates: list[tuple[float, str, str, str]] = [
        (CURATED_SCORE, f"pairing:{pairing.id}", pairing.suggest_sku, pairing.reason)
        for pairing in session.scalars(select(Pairing).where(Pairing.trigger.in_(keys)))
    ]
    rules = session.scalars(
        select(AssociationRule)
        .where(AssociationRule.antecedent.in_(keys))
        .order_by(AssociationRule.lift.desc())
        .limit(50)
    )
    candidates += [
        (rule.lift, f"rule:{rule.id}", rule.consequent_sku, _learned_reason(rule.confidence))
        for rule in rules
    ]
    candidates.sort(key=lambda candidate: -candidate[0])
    in_cart = {item.sku for item in items}
    cart_ingredients = {ingredient for item in items for ingredient in item.ingredients}
    allergens = set().union(*(names.resolve_allergy(term) for term in customer.allergies))
    conditions = {names.normalize_condition(term) for term in customer.conditions}
    chosen: list[Suggestion] = []
    seen: set[str] = set()
    for score, rule, sku, reason in candidates:
        if sku in in_cart or sku in seen:
            continue
        seen.add(sku)
        product = session.scalar(
            select(Product)
            .where(Product.sku == sku, Product.active.is_(True))
            .options(selectinload(Product.ingredients))
        )
        if product is None or product.drug_class is DrugClass.RX or product.restricted:
            continue
        ingredients = {item.ingredient for item in product.ingredients}
        if ingredients & cart_ingredients or ingredients & allergens:
            continue
        if conditions and _contraindicated(session, product, conditions, names):
            continue
        if catalogue.stock_level(session, product.id, today).sellable <= 0:
            continue
        chosen.append(
            Suggestion(
                rule=rule,
                product_id=product.id,
                sku=product.sku,
                name=product.name,
                spec=product.spec,
                price_fen=product.price_fen,
                reason=reason,
                score=score,
            )
        )
        if len(chosen) == limit:
            break
    return chosen


def _learned_reason(confidence: float) -> str:
    return _("{percent}% of customers with this in the basket also take it").format(
        percent=round(confidence * 100)
    )


def _contraindicated(
    session: Session, product: Product, conditions: set[str], names: Names
) -> bool:
    found = guidance_for(session, product)
    if found is None:
        return False
    words = (word for word in found.contraindications.split(",") if word.strip())
    return any(names.normalize_condition(word) in conditions for word in words)
