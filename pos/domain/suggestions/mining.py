"""Learned pairings: association rules mined from past baskets (``pos suggestions rebuild``).

Pharmacy baskets are sparse (2–4 items), so rules are mined at SKU, ingredient and
category level: the antecedent is a key (``sku:P00037``, ``ingredient:montmorillonite``,
``category:antibiotics``), the consequent a SKU. For a rule A → B over N baskets:
support = count(A ∪ B) / N, confidence = count(A ∪ B) / count(A),
lift = confidence / (count(B) / N). Each antecedent keeps its best rules by lift.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations, groupby, repeat

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, selectinload

from pos.enums import DrugClass
from pos.models import AssociationRule, Product, Sale, SaleLine

MIN_SUPPORT = 0.0005
"""Default: a rule's baskets must be at least this share of all baskets."""
MIN_CONFIDENCE = 0.5
"""Default: at least this share of the antecedent's baskets hold the consequent."""
RULES_PER_ANTECEDENT = 10
"""The rules kept per antecedent, best lift first."""
KEY_JOINER = "&"
"""Joins the keys of an antecedent of more than one key."""
_ROWS = 20_000
_BUFFER = 10_000

Progress = Callable[[int, int], None]
"""Called with (baskets read, baskets in all)."""


@dataclass(frozen=True)
class MinedRule:
    """A rule ``antecedent`` → ``consequent`` (a SKU) with its measures."""

    antecedent: str
    consequent: str
    support: float
    confidence: float
    lift: float
    baskets: int
    """Baskets holding both sides."""


def mine_rules(
    baskets: Iterable[Sequence[str]],
    item_keys: Callable[[str], Sequence[str]],
    min_support: float,
    min_confidence: float,
    max_antecedent: int = 1,
    *,
    allowed: Callable[[str], bool] | None = None,
) -> list[MinedRule]:
    """Rules antecedent → SKU from ``baskets`` (lists of SKUs): by antecedent, best lift first.

    ``item_keys(sku)`` gives the keys a SKU brings to a basket. An antecedent is a set
    of up to ``max_antecedent`` keys (joined with :data:`KEY_JOINER`); the consequent
    is a SKU of the basket none of whose own keys is in the antecedent. ``allowed``
    (default: every SKU) picks the SKUs that may be consequents. Per antecedent the
    :data:`RULES_PER_ANTECEDENT` best by lift are kept.
    """
    keys_of: dict[str, frozenset[str]] = {}
    antecedents: Counter[str] = Counter()
    items: Counter[str] = Counter()
    singles: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    found_keys: list[str] = []
    found_pairs: list[tuple[str, str]] = []
    total = 0
    for basket in baskets:
        total += 1
        skus = set(basket)
        for sku in skus:
            if sku not in keys_of:
                keys_of[sku] = frozenset(item_keys(sku))
        if len(skus) == 1:  # every key is the SKU's own: no rule comes of it
            singles[basket[0]] += 1
            continue
        items.update(skus)
        keys = frozenset().union(*(keys_of[sku] for sku in skus))
        found_keys += _antecedents(keys, max_antecedent)
        for sku in skus:
            found_pairs += zip(_antecedents(keys - keys_of[sku], max_antecedent), repeat(sku))
        if len(found_pairs) > _BUFFER:  # counting in large batches costs less per item
            antecedents.update(found_keys)
            pairs.update(found_pairs)
            found_keys.clear()
            found_pairs.clear()
    antecedents.update(found_keys)
    pairs.update(found_pairs)
    for sku, count in singles.items():
        items[sku] += count
        for key in _antecedents(keys_of[sku], max_antecedent):
            antecedents[key] += count
    if not total:
        return []
    rules: dict[str, list[MinedRule]] = {}
    for (antecedent, sku), both in pairs.items():
        support = both / total
        confidence = both / antecedents[antecedent]
        if support < min_support or confidence < min_confidence:
            continue
        if allowed is not None and not allowed(sku):
            continue
        lift = confidence / (items[sku] / total)
        rule = MinedRule(antecedent, sku, support, confidence, lift, both)
        rules.setdefault(antecedent, []).append(rule)
    kept: list[MinedRule] = []
    for found in rules.values():
        found.sort(key=_rank)
        kept += found[:RULES_PER_ANTECEDENT]
    kept.sort(key=lambda rule: (rule.antecedent, _rank(rule)))
    return kept


def _antecedents(keys: frozenset[str], max_antecedent: int) -> Iterable[str]:
    """The antecedents ``keys`` hold: each key, and sets of up to ``max_antecedent`` keys."""
    if max_antecedent <= 1:
        return keys
    ordered = sorted(keys)
    found: list[str] = list(ordered)
    for size in range(2, max_antecedent + 1):
        found += (KEY_JOINER.join(combo) for combo in combinations(ordered, size))
    return found


def _rank(rule: MinedRule) -> tuple[float, float, int, str]:
    return (-rule.lift, -rule.confidence, -rule.baskets, rule.consequent)


def catalogue_keys(session: Session) -> tuple[dict[str, list[str]], set[str]]:
    """Each SKU's keys (``sku:``, ``ingredient:`` …, ``category:``), and the SKUs that may
    be suggested (active, not Rx)."""
    keys: dict[str, list[str]] = {}
    suggestable: set[str] = set()
    products = session.scalars(select(Product).options(selectinload(Product.ingredients)))
    for item in products:
        keys[item.sku] = [f"sku:{item.sku}"]
        keys[item.sku] += [f"ingredient:{part.ingredient}" for part in item.ingredients]
        if item.category:
            keys[item.sku].append(f"category:{item.category}")
        if item.active and item.drug_class is not DrugClass.RX:
            suggestable.add(item.sku)
    return keys, suggestable


def sale_baskets(
    session: Session, progress: Progress | None = None, every: int = 10_000
) -> Iterator[list[str]]:
    """The SKUs of each stored sale, streamed by one query ordered by sale."""
    total = session.scalar(select(func.count()).select_from(Sale)) or 0
    rows = session.execute(
        select(SaleLine.sale_id, SaleLine.sku)
        .order_by(SaleLine.sale_id, SaleLine.line_no)
        .execution_options(yield_per=_ROWS)
    )
    done = 0
    for _sale_id, lines in groupby(rows, key=lambda row: row[0]):
        yield [sku for _id, sku in lines]
        done += 1
        if progress is not None and done % every == 0:
            progress(done, total)
    if progress is not None:
        progress(done, total)


def rebuild_rules(
    session: Session,
    now: datetime,
    min_support: float = MIN_SUPPORT,
    min_confidence: float = MIN_CONFIDENCE,
    progress: Progress | None = None,
) -> list[MinedRule]:
    """Mine every stored sale and replace the association rules with the result.

    The caller commits, so the old rules are replaced in one transaction. ``pos
    suggestions rebuild`` mines in a reading session and replaces in a short writing
    one instead (:func:`mine_store`, :func:`replace_rules`): the write lock is not held
    while every sale is read.
    """
    rules = mine_store(session, min_support, min_confidence, progress)
    replace_rules(session, rules, now)
    return rules


def mine_store(
    session: Session,
    min_support: float = MIN_SUPPORT,
    min_confidence: float = MIN_CONFIDENCE,
    progress: Progress | None = None,
) -> list[MinedRule]:
    """The association rules of every stored sale (reads only).

    Only active, non-Rx products become consequents.
    """
    keys, suggestable = catalogue_keys(session)

    def item_keys(sku: str) -> Sequence[str]:
        return keys.get(sku) or [f"sku:{sku}"]

    return mine_rules(
        sale_baskets(session, progress),
        item_keys,
        min_support,
        min_confidence,
        allowed=suggestable.__contains__,
    )


def replace_rules(session: Session, rules: list[MinedRule], now: datetime) -> None:
    """Replace the stored association rules with ``rules``; the caller commits."""
    session.execute(delete(AssociationRule))
    if rules:
        session.execute(
            insert(AssociationRule),
            [
                {
                    "antecedent": rule.antecedent,
                    "consequent_sku": rule.consequent,
                    "support": rule.support,
                    "confidence": rule.confidence,
                    "lift": rule.lift,
                    "baskets": rule.baskets,
                    "built_at": now,
                }
                for rule in rules
            ],
        )
