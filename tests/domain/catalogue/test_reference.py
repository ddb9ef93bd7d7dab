"""``pos.reference``: ingredient names, allergy terms and conditions shipped with the register."""

from __future__ import annotations

import csv

import pytest

from pos.reference import IngredientReference, load_ingredients, parse_reference
from tests.helpers import ROOT

PRODUCTS_CSV = ROOT / "data" / "products.csv"


@pytest.fixture(scope="module")
def reference() -> IngredientReference:
    return load_ingredients()


def catalogue_ingredients() -> set[str]:
    with PRODUCTS_CSV.open(encoding="utf-8", newline="") as f:
        return {item for row in csv.DictReader(f) for item in row["ingredients"].split("|") if item}


def test_load_is_cached(reference: IngredientReference) -> None:
    assert load_ingredients() is reference


def test_every_catalogue_ingredient_has_a_chinese_name(reference: IngredientReference) -> None:
    missing = sorted(catalogue_ingredients() - set(reference.ingredients))
    assert missing == []
    for key in catalogue_ingredients():
        name = reference.zh_name(key)
        assert name != key and any("\u4e00" <= ch <= "\u9fff" for ch in name), key


@pytest.mark.parametrize(
    ("key", "zh"),
    [
        ("acetaminophen", "对乙酰氨基酚"),
        ("ibuprofen", "布洛芬"),
        ("pseudoephedrine", "伪麻黄碱"),
        ("chlorphenamine", "氯苯那敏"),
        ("amoxicillin", "阿莫西林"),
        ("ephedra herb", "麻黄"),
    ],
)
def test_zh_name(reference: IngredientReference, key: str, zh: str) -> None:
    assert reference.zh_name(key) == zh


def test_zh_name_falls_back_to_the_key(reference: IngredientReference) -> None:
    assert reference.zh_name("unobtainium") == "unobtainium"


@pytest.mark.parametrize(
    ("term", "covers"),
    [
        ("布洛芬", {"ibuprofen"}),
        ("Ibuprofen", {"ibuprofen"}),
        ("扑热息痛", {"acetaminophen"}),
        ("Paracetamol", {"acetaminophen"}),
        ("  apap ", {"acetaminophen"}),
        ("扑尔敏", {"chlorphenamine"}),
    ],
)
def test_allergy_to_an_ingredient_or_alias(
    reference: IngredientReference, term: str, covers: set[str]
) -> None:
    assert reference.resolve_allergy(term) == frozenset(covers)


@pytest.mark.parametrize("term", ["NSAIDs", "nsaid", "非甾体抗炎药", "非甾体类抗炎药"])
def test_allergy_to_nsaids_covers_every_nsaid_but_not_acetaminophen(
    reference: IngredientReference, term: str
) -> None:
    covered = reference.resolve_allergy(term)
    assert {"ibuprofen", "aspirin", "loxoprofen", "celecoxib", "diclofenac"} <= covered
    assert "acetaminophen" not in covered


@pytest.mark.parametrize(
    ("term", "must", "must_not"),
    [
        ("青霉素", {"amoxicillin"}, {"cefaclor"}),
        ("Penicillins", {"amoxicillin"}, {"cefixime"}),
        ("头孢", {"cefaclor", "cefixime", "cefuroxime"}, {"amoxicillin"}),
        ("cephalosporin", {"cefaclor", "cefixime", "cefuroxime"}, set()),
        ("大环内酯类", {"azithromycin", "clarithromycin", "roxithromycin"}, set()),
        ("喹诺酮类", {"levofloxacin", "ofloxacin"}, set()),
        ("磺胺", {"sulfamethoxazole"}, set()),
        ("sedating antihistamine", {"chlorphenamine", "diphenhydramine"}, {"loratadine"}),
        ("decongestant", {"pseudoephedrine", "naphazoline"}, {"ephedra herb"}),
        ("sympathomimetic", {"pseudoephedrine"}, set()),
    ],
)
def test_allergy_to_a_group(
    reference: IngredientReference, term: str, must: set[str], must_not: set[str]
) -> None:
    covered = reference.resolve_allergy(term)
    assert must <= covered
    assert not (must_not & covered)


def test_unknown_allergy_term_stands_for_itself(reference: IngredientReference) -> None:
    assert reference.resolve_allergy("Latex") == frozenset({"latex"})
    assert reference.resolve_allergy("花粉") == frozenset({"花粉"})


def test_every_group_covers_an_ingredient(reference: IngredientReference) -> None:
    for key in reference.groups:
        covered = reference.resolve_allergy(key)
        assert covered and covered <= set(reference.ingredients), key


@pytest.mark.parametrize(
    ("term", "key"),
    [
        ("高血压", "hypertension"),
        ("血压高", "hypertension"),
        ("High Blood Pressure", "hypertension"),
        ("hypertension", "hypertension"),
        ("糖尿病", "diabetes"),
        ("怀孕", "pregnancy"),
        ("哺乳期", "breastfeeding"),
        ("肝功能不全", "liver_disease"),
        ("肾病", "kidney_disease"),
        ("胃溃疡", "peptic_ulcer"),
        ("哮喘", "asthma"),
        ("青光眼", "glaucoma"),
        ("前列腺增生", "prostatic_hyperplasia"),
        ("冠心病", "heart_disease"),
        ("甲亢", "thyroid_disease"),
        ("癫痫", "epilepsy"),
        ("血友病", "bleeding_disorder"),
        ("蚕豆病", "g6pd_deficiency"),
        ("G6PD deficiency", "g6pd_deficiency"),
        ("liver disease", "liver_disease"),
    ],
)
def test_normalize_condition(reference: IngredientReference, term: str, key: str) -> None:
    assert reference.normalize_condition(term) == key
    assert reference.is_condition(term)


def test_unknown_condition_is_the_term_lowercased(reference: IngredientReference) -> None:
    assert reference.normalize_condition(" Migraine ") == "migraine"
    assert not reference.is_condition("Migraine")


def test_no_condition_name_or_alias_is_claimed_twice() -> None:
    import tomllib
    from importlib import resources

    text = resources.files("pos.reference").joinpath("ingredients.toml").read_text("utf-8")
    conditions = tomllib.loads(text)["condition"]
    seen: dict[str, str] = {}
    for key, table in conditions.items():
        for name in (key, table["zh"], *table.get("aliases", [])):
            folded = " ".join(name.split()).casefold()
            assert seen.setdefault(folded, key) == key, (name, key, seen[folded])


def test_bad_reference_data_is_refused() -> None:
    with pytest.raises(ValueError, match=r"ingredient\.x"):
        parse_reference({"ingredient": {"x": {"zh": "某", "groups": ["nope"]}}})
    with pytest.raises(ValueError, match="zh"):
        parse_reference({"condition": {"y": {"aliases": []}}})
    with pytest.raises(ValueError, match="list of strings"):
        parse_reference({"group": {"g": {"zh": "组", "aliases": "one"}}})
