"""Learned pairings: association rules from baskets, checked against numbers worked by hand."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.cli.common import EXIT_OK
from pos.domain.suggestions.mining import (
    MIN_CONFIDENCE,
    MIN_SUPPORT,
    RULES_PER_ANTECEDENT,
    MinedRule,
    mine_rules,
    rebuild_rules,
)
from pos.models import AssociationRule
from pos.transfer.sales_import import import_sales
from tests.helpers import empty_config
from tests.transfer.test_sales_import import sale, write_sales

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)

# A and C share an ingredient (x) and a category (c1); B and D are in c2.
KEYS = {
    "A": ["sku:A", "ingredient:x", "category:c1"],
    "B": ["sku:B", "category:c2"],
    "C": ["sku:C", "ingredient:x", "category:c1"],
    "D": ["sku:D", "category:c2"],
}
BASKETS = [["A", "B"], ["A", "B"], ["A", "B", "D"], ["A"], ["C", "B"],
           ["C"], ["D"], ["B"], ["A", "D"], ["C", "D"]]  # fmt: skip
# N = 10; A in 5 baskets, B in 5, C in 3, D in 4; x (A or C) and c1 in 8; c2 (B or D) in 8.


def keys_of(sku: str) -> Sequence[str]:
    return KEYS[sku]


def measures(rules: list[MinedRule]) -> list[tuple[str, str, float, float, float, int]]:
    """Each rule's measures, rounded to 6 places."""
    return [
        (r.antecedent, r.consequent, round(r.support, 6), round(r.confidence, 6),
         round(r.lift, 6), r.baskets)
        for r in rules
    ]  # fmt: skip


def test_rules_match_the_hand_worked_numbers() -> None:
    rules = mine_rules(BASKETS, keys_of, min_support=0.2, min_confidence=0.5)
    assert measures(rules) == [
        # c1 (A or C) with B: baskets 1, 2, 3, 5 → support 4/10, confidence 4/8,
        # lift 0.5 / (5/10) = 1.0. c1 → A is no rule: c1 is one of A's own keys.
        ("category:c1", "B", 0.4, 0.5, 1.0, 4),
        # c2 (B or D) with A: baskets 1, 2, 3, 9 → 4/10, 4/8, 0.5 / 0.5.
        ("category:c2", "A", 0.4, 0.5, 1.0, 4),
        ("ingredient:x", "B", 0.4, 0.5, 1.0, 4),
        # A with B: baskets 1, 2, 3 → 3/10; 3 of A's 5; lift 0.6 / (5/10) = 1.2.
        ("sku:A", "B", 0.3, 0.6, 1.2, 3),
        ("sku:B", "A", 0.3, 0.6, 1.2, 3),
        # D with A: baskets 3, 9 → 2/10; 2 of D's 4; lift 0.5 / 0.5.
        ("sku:D", "A", 0.2, 0.5, 1.0, 2),
    ]
    # Below the confidence threshold: A → D (2/5), C → B (1/3), x → D (3/8).
    pairs = {(r.antecedent, r.consequent) for r in rules}
    assert not pairs & {("sku:A", "D"), ("sku:C", "B"), ("ingredient:x", "D")}


def test_thresholds_exclude_rules() -> None:
    strict = mine_rules(BASKETS, keys_of, min_support=0.2, min_confidence=0.55)
    assert [(r.antecedent, r.consequent) for r in strict] == [("sku:A", "B"), ("sku:B", "A")]
    rare = mine_rules(BASKETS, keys_of, min_support=0.25, min_confidence=0.5)
    assert ("sku:D", "A") not in {(r.antecedent, r.consequent) for r in rare}
    assert len(rare) == 5
    assert mine_rules([], keys_of, MIN_SUPPORT, MIN_CONFIDENCE) == []


def test_allowed_limits_the_consequents() -> None:
    rules = mine_rules(BASKETS, keys_of, 0.2, 0.5, allowed=lambda sku: sku != "B")
    assert {r.consequent for r in rules} == {"A"}


def test_two_key_antecedents() -> None:
    keys = {sku: [f"sku:{sku}"] for sku in "ABC"}
    baskets = [["A", "B", "C"], ["A", "B", "C"], ["A"], ["B"], ["A", "B"]]
    rules = mine_rules(baskets, keys.__getitem__, 0.4, 0.6, max_antecedent=2)
    [pair] = [r for r in rules if r.antecedent == "sku:A&sku:B"]
    # {A, B} in baskets 1, 2, 5; with C in 1, 2 → 2/5, 2/3, (2/3) / (2/5) = 5/3.
    assert (pair.consequent, pair.baskets) == ("C", 2)
    assert (pair.support, pair.confidence, pair.lift) == pytest.approx((0.4, 2 / 3, 5 / 3))
    assert all(r.antecedent.count("&") <= 1 for r in rules)


def test_each_antecedent_keeps_its_best_rules_by_lift() -> None:
    keys = {sku: [f"sku:{sku}"] for sku in ["T", *(f"X{i:02d}" for i in range(12))]}
    baskets: list[list[str]] = []
    for i in range(12):  # X_i with T once, and alone i times: the rarer, the higher the lift
        baskets.append(["T", f"X{i:02d}"])
        baskets += [[f"X{i:02d}"]] * i
    rules = mine_rules(baskets, keys.__getitem__, 0.0, 0.0)
    kept = [r.consequent for r in rules if r.antecedent == "sku:T"]
    assert len(kept) == RULES_PER_ANTECEDENT
    assert kept == [f"X{i:02d}" for i in range(10)]


def test_duplicate_skus_in_a_basket_count_once() -> None:
    rules = mine_rules([["A", "A", "B"], ["B"]], keys_of, 0.5, 0.5)
    [rule] = [r for r in rules if r.antecedent == "sku:A"]
    assert (rule.consequent, rule.baskets, rule.confidence) == ("B", 1, 1.0)


def demo_baskets(path: Path) -> Path:
    """Four sales: vitamin C with masks twice, vitamin C alone, vitamin B2 with amoxicillin."""
    return write_sales(
        path,
        sale(1, [("P00063", 1, 350), ("P00136", 1, 990)]),
        sale(2, [("P00063", 2, 350), ("P00136", 1, 990)]),
        sale(3, [("P00063", 1, 350)]),
        sale(4, [("P00078", 1, 500), ("P00109", 1, 2500)]),
    )


def test_rebuild_replaces_the_rules_from_stored_sales(
    demo_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with demo_sessions.begin() as session:
        assert import_sales(session, demo_baskets(tmp_path / "sales.jsonl")).created == 4
        session.add(AssociationRule(antecedent="sku:OLD", consequent_sku="P00001", support=1,
                                    confidence=1, lift=1, baskets=1, built_at=NOW))  # fmt: skip
    with demo_sessions.begin() as session:
        rebuild_rules(session, NOW, min_support=0.25, min_confidence=0.5)
    with demo_sessions() as session:
        stored = {
            (r.antecedent, r.consequent_sku): (
                round(r.support, 6),
                round(r.confidence, 6),
                round(r.lift, 6),
                r.baskets,
            )
            for r in session.scalars(select(AssociationRule))
        }
    approx = partial(round, ndigits=6)
    assert stored == {
        # masks with vitamin C in 2 of 4 sales; every mask sale has it; C in 3 of 4.
        ("sku:P00136", "P00063"): (approx(0.5), approx(1.0), approx(4 / 3), 2),
        ("category:devices", "P00063"): (approx(0.5), approx(1.0), approx(4 / 3), 2),
        ("sku:P00063", "P00136"): (approx(0.5), approx(2 / 3), approx(4 / 3), 2),
        ("ingredient:vitamin c", "P00136"): (approx(0.5), approx(2 / 3), approx(4 / 3), 2),
        ("category:vitamins", "P00136"): (approx(0.5), approx(0.5), approx(1.0), 2),
        # amoxicillin (Rx) may trigger vitamin B2, never be suggested itself.
        ("sku:P00109", "P00078"): (approx(0.25), approx(1.0), approx(4.0), 1),
        ("ingredient:amoxicillin", "P00078"): (approx(0.25), approx(1.0), approx(4.0), 1),
        ("category:antibiotics", "P00078"): (approx(0.25), approx(1.0), approx(4.0), 1),
    }


def test_cli_rebuild(
    demo_sessions: sessionmaker[Session],
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("POS_CONFIG", empty_config(tmp_path))
    for name in [name for name in os.environ if name.startswith("POS_REGISTER")]:
        monkeypatch.delenv(name)
    with demo_sessions.begin() as session:
        import_sales(session, demo_baskets(tmp_path / "sales.jsonl"))
    db = ["--db", str(db_path)]
    assert main(["suggestions", "rebuild", *db, "--min-support", "0.25"]) == EXIT_OK
    assert "8 rules for 8 triggers from 4 sales" in capsys.readouterr().out
    assert main(["suggestions", "rebuild", *db]) == EXIT_OK  # the defaults: 0.0005, 0.5
    assert "from 4 sales" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        main(["suggestions", "rebuild", *db, "--min-confidence", "1.5"])
    assert exited.value.code == 2
    assert main(["suggestions", "rebuild", "--db", str(tmp_path / "none.db")]) == 1
