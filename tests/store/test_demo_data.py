"""Checks on the demo store's catalogue and stock CSVs (data/products.csv, data/demo_stock.csv).

These read the files with the csv module only, so they hold whatever the loader in
``pos`` does with them.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from stdnum import ean

from tests.helpers import ROOT

DATA = ROOT / "data"
PRODUCTS_CSV = DATA / "products.csv"
STOCK_CSV = DATA / "demo_stock.csv"

PRODUCT_COLUMNS = [
    "sku",
    "barcodes",
    "name",
    "name_en",
    "spec",
    "manufacturer",
    "unit",
    "category",
    "price",
    "member_price",
    "drug_class",
    "ingredients",
    "restricted",
    "trace_required",
]
STOCK_COLUMNS = ["sku", "lot", "expiry_days", "quantity"]

DRUG_CLASSES = {"rx", "otc_a", "otc_b", "none"}
CATEGORY_MINIMUMS = {
    "cold_flu": 20,
    "pain_fever": 12,
    "digestive": 15,
    "allergy": 8,
    "vitamins": 18,
    "cardiovascular": 12,
    "diabetes": 8,
    "antibiotics": 10,
    "topical": 12,
    "devices": 15,
    "personal_care": 10,
    "respiratory": 1,
    "eye_ear": 1,
    "tcm": 1,
}
CATEGORIES = set(CATEGORY_MINIMUMS)

# Antimicrobials (antibiotics, quinolones, antifungals, antivirals) that appear in the
# catalogue: every product containing one must be prescription-only.
ANTIMICROBIALS = {
    "amoxicillin",
    "azithromycin",
    "cefaclor",
    "cefixime",
    "cefuroxime",
    "clarithromycin",
    "fluconazole",
    "fusidic acid",
    "levofloxacin",
    "metronidazole",
    "mupirocin",
    "ofloxacin",
    "oseltamivir",
    "roxithromycin",
    "tobramycin",
}

PRICE_RE = re.compile(r"^\d+(\.\d{1,2})?$")
SKU_RE = re.compile(r"^P\d{5}$")
INTERNAL_RE = re.compile(r"^int:[A-Z0-9]+$")
INGREDIENT_RE = re.compile(r"^[a-z0-9][a-z0-9 '\-]*[a-z0-9]$")

Row = dict[str, str]


def _read(path: Path) -> tuple[list[str], list[Row]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name} must not start with a BOM"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    return header, rows


@pytest.fixture(scope="module")
def products() -> list[Row]:
    return _read(PRODUCTS_CSV)[1]


@pytest.fixture(scope="module")
def stock() -> list[Row]:
    return _read(STOCK_CSV)[1]


@pytest.fixture(scope="module")
def lots_by_sku(stock: list[Row]) -> dict[str, list[tuple[int, int]]]:
    lots: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for row in stock:
        lots[row["sku"]].append((int(row["expiry_days"]), int(row["quantity"])))
    return lots


def _codes(row: Row) -> list[str]:
    return row["barcodes"].split("|")


def _ingredients(row: Row) -> list[str]:
    return [i for i in row["ingredients"].split("|") if i]


# ---------------------------------------------------------------- products.csv


def test_products_header() -> None:
    header, _ = _read(PRODUCTS_CSV)
    assert header == PRODUCT_COLUMNS


def test_rows_are_complete(products: list[Row]) -> None:
    for row in products:
        assert None not in row, f"{row.get('sku')}: too many fields"
        for column in ("sku", "barcodes", "name", "name_en", "spec", "manufacturer", "unit"):
            assert row[column].strip(), f"{row['sku']}: empty {column}"
            assert row[column] == row[column].strip(), f"{row['sku']}: {column} has padding"


def test_sku_format_and_unique(products: list[Row]) -> None:
    skus = [row["sku"] for row in products]
    assert all(SKU_RE.match(s) for s in skus)
    assert len(skus) == len(set(skus))
    assert skus[0] == "P00001"


def test_names_unique(products: list[Row]) -> None:
    names = Counter(row["name"] for row in products)
    assert [n for n, c in names.items() if c > 1] == []


def test_barcodes_valid(products: list[Row]) -> None:
    for row in products:
        for code in _codes(row):
            if code.startswith("int:"):
                assert INTERNAL_RE.match(code), f"{row['sku']}: bad internal code {code!r}"
                continue
            assert code.isdigit() and len(code) in (8, 12, 13), f"{row['sku']}: {code!r}"
            assert ean.is_valid(code), f"{row['sku']}: bad check digit in {code}"


def test_ean13_use_china_prefixes(products: list[Row]) -> None:
    for row in products:
        for code in _codes(row):
            if len(code) == 13:
                assert 690 <= int(code[:3]) <= 699, f"{row['sku']}: {code}"


def test_barcodes_unique(products: list[Row]) -> None:
    codes = Counter(code for row in products for code in _codes(row))
    assert [c for c, n in codes.items() if n > 1] == []


def test_barcode_kinds_present(products: list[Row]) -> None:
    def count(pred: str) -> int:
        return sum(
            1
            for row in products
            if any(
                (pred == "int" and c.startswith("int:"))
                or (pred == "ean8" and c.isdigit() and len(c) == 8)
                or (pred == "upca" and c.isdigit() and len(c) == 12)
                for c in _codes(row)
            )
        )

    assert count("ean8") >= 3
    assert count("upca") >= 2
    assert count("int") >= 2
    assert sum(1 for row in products if len(_codes(row)) == 2) >= 4


def test_prices(products: list[Row]) -> None:
    with_member = 0
    for row in products:
        assert PRICE_RE.match(row["price"]), f"{row['sku']}: price {row['price']!r}"
        price = Decimal(row["price"])
        assert price > 0
        if row["member_price"]:
            with_member += 1
            assert PRICE_RE.match(row["member_price"]), f"{row['sku']}: {row['member_price']!r}"
            assert Decimal(row["member_price"]) < price, row["sku"]
    # about a third of the products have no member price
    assert 0.5 * len(products) <= with_member <= 0.8 * len(products)


def test_drug_class_and_category(products: list[Row]) -> None:
    for row in products:
        assert row["drug_class"] in DRUG_CLASSES, row["sku"]
        assert row["category"] in CATEGORIES, row["sku"]


def test_catalogue_size_and_category_minimums(products: list[Row]) -> None:
    assert len(products) >= 165
    per_category = Counter(row["category"] for row in products)
    for category, minimum in CATEGORY_MINIMUMS.items():
        assert per_category[category] >= minimum, (category, per_category[category])


def test_antibiotics_are_rx(products: list[Row]) -> None:
    for row in products:
        if row["category"] == "antibiotics":
            assert row["drug_class"] == "rx", row["sku"]


def test_every_antimicrobial_is_rx(products: list[Row]) -> None:
    for row in products:
        if ANTIMICROBIALS & set(_ingredients(row)):
            assert row["drug_class"] == "rx", (row["sku"], row["name"])


def test_non_drug_lines(products: list[Row]) -> None:
    for row in products:
        if row["category"] in ("devices", "personal_care"):
            assert row["drug_class"] == "none", row["sku"]
            assert row["ingredients"] == "", row["sku"]
        if row["category"] in ("cardiovascular", "diabetes") and row["ingredients"]:
            herbal = {"salvia miltiorrhiza", "ligusticum"} & set(_ingredients(row))
            if not herbal:
                assert row["drug_class"] == "rx", row["sku"]


def test_ingredients_format(products: list[Row]) -> None:
    for row in products:
        if not row["ingredients"]:
            continue
        items = row["ingredients"].split("|")
        assert all(INGREDIENT_RE.match(i) for i in items), (row["sku"], items)
        assert len(items) == len(set(items)), row["sku"]
        assert "paracetamol" not in items, "use the INN acetaminophen"


def test_cold_remedies_share_ingredients(products: list[Row]) -> None:
    cold = [set(_ingredients(row)) for row in products if row["category"] == "cold_flu"]
    for ingredient in ("acetaminophen", "chlorphenamine", "pseudoephedrine"):
        assert sum(ingredient in i for i in cold) >= 3, ingredient


def test_ganmaoling_is_p00001_and_unique(products: list[Row]) -> None:
    first = products[0]
    assert first["sku"] == "P00001"
    assert first["name"] == "999感冒灵颗粒"
    assert first["category"] == "cold_flu"
    assert [row["sku"] for row in products if "感冒灵" in row["name"]] == ["P00001"]


def test_ganmaoling_found_by_pinyin_initials(products: list[Row]) -> None:
    pypinyin = pytest.importorskip("pypinyin")

    def initials(text: str) -> str:
        letters = pypinyin.lazy_pinyin(text, style=pypinyin.Style.FIRST_LETTER)
        return "".join(letters).lower()

    hits = [row["sku"] for row in products if "gmlkl" in initials(row["name"])]
    assert hits == ["P00001"]


def test_ephedrine_rule_marks_every_pseudoephedrine_product_but_not_ephedra_tcm(
    products: list[Row],
) -> None:
    marked = {row["sku"] for row in products if row["restricted"]}
    with_pseudoephedrine = {
        row["sku"] for row in products if {"pseudoephedrine", "ephedrine"} & set(_ingredients(row))
    }
    assert marked == with_pseudoephedrine and len(marked) >= 4
    assert {row["restricted"] for row in products} == {"", "ephedrine"}
    # PHARMACY.md: TCM with ephedra herb is not an ephedrine-class preparation.
    ephedra = [row for row in products if "ephedra herb" in _ingredients(row)]
    assert ephedra and all(row["restricted"] == "" for row in ephedra)


def test_trace_required_on_every_rx_and_a_few_otc(products: list[Row]) -> None:
    assert {row["trace_required"] for row in products} == {"", "yes"}
    for row in products:
        if row["drug_class"] == "rx":
            assert row["trace_required"] == "yes", row["sku"]
        if row["drug_class"] == "none":
            assert row["trace_required"] == "", row["sku"]
    otc = [row for row in products if row["trace_required"] and row["drug_class"] != "rx"]
    assert 2 <= len(otc) <= 8


def test_brand_names_lead_with_brand(products: list[Row]) -> None:
    names = {row["name"] for row in products}
    for name in (
        "白加黑 氨酚伪麻美芬片",
        "感康 复方氨酚烷胺片",
        "泰诺 酚麻美敏片",
        "康泰克 复方盐酸伪麻黄碱缓释胶囊",
        "芬必得 布洛芬缓释胶囊",
        "美林 布洛芬混悬液",
    ):
        assert name in names


# ------------------------------------------------------------- demo_stock.csv


def test_stock_header() -> None:
    header, _ = _read(STOCK_CSV)
    assert header == STOCK_COLUMNS


def test_stock_rows(stock: list[Row], products: list[Row]) -> None:
    by_sku = {row["sku"]: row for row in products}
    seen: set[tuple[str, str]] = set()
    for row in stock:
        assert row["sku"] in by_sku, f"unknown sku {row['sku']}"
        assert row["lot"].strip() and row["lot"] == row["lot"].strip()
        assert (row["sku"], row["lot"]) not in seen, f"duplicate lot {row}"
        seen.add((row["sku"], row["lot"]))
        assert re.fullmatch(r"-?\d+", row["expiry_days"]), row
        assert re.fullmatch(r"\d+", row["quantity"]), row
        quantity = int(row["quantity"])
        if by_sku[row["sku"]]["category"] == "devices":
            assert 3 <= quantity <= 30, row
        elif by_sku[row["sku"]]["drug_class"] != "none":
            assert 10 <= quantity <= 200, row
        else:
            assert quantity > 0, row


def test_lots_per_product(
    products: list[Row], lots_by_sku: dict[str, list[tuple[int, int]]]
) -> None:
    for row in products:
        assert len(lots_by_sku.get(row["sku"], [])) <= 3, row["sku"]


def test_exactly_three_out_of_stock(
    products: list[Row], lots_by_sku: dict[str, list[tuple[int, int]]]
) -> None:
    missing = [row["sku"] for row in products if not lots_by_sku.get(row["sku"])]
    assert len(missing) == 3, missing


def test_exactly_three_expired_only(
    products: list[Row], lots_by_sku: dict[str, list[tuple[int, int]]]
) -> None:
    by_sku = {row["sku"]: row for row in products}
    expired_only = [
        sku for sku, lots in lots_by_sku.items() if lots and all(d < 0 for d, _ in lots)
    ]
    assert len(expired_only) == 3, expired_only
    # one of them is a common cold or pain remedy sold over the counter
    assert any(
        by_sku[sku]["category"] in ("cold_flu", "pain_fever")
        and by_sku[sku]["drug_class"] in ("otc_a", "otc_b")
        for sku in expired_only
    )


def test_expired_lots_in_range(stock: list[Row]) -> None:
    for row in stock:
        days = int(row["expiry_days"])
        if days < 0:
            assert -200 <= days <= -1, row


def test_mixed_expired_and_good(lots_by_sku: dict[str, list[tuple[int, int]]]) -> None:
    mixed = [
        sku
        for sku, lots in lots_by_sku.items()
        if any(d < 0 for d, _ in lots) and any(d >= 200 for d, _ in lots)
    ]
    assert 4 <= len(mixed) <= 8, mixed


def test_near_expiry_lots(lots_by_sku: dict[str, list[tuple[int, int]]]) -> None:
    near = {
        sku: [d for d, _ in lots if 5 <= d <= 180]
        for sku, lots in lots_by_sku.items()
        if any(5 <= d <= 180 for d, _ in lots)
    }
    assert 6 <= len(near) <= 12, sorted(near)
    assert any(d < 90 for days in near.values() for d in days)
    assert any(90 <= d <= 180 for days in near.values() for d in days)
    # nothing expires in the first few days or between 180 and 200 days
    for sku, lots in lots_by_sku.items():
        for d, _ in lots:
            assert not (0 <= d < 5) and not (180 < d < 200), (sku, d)


def test_most_lots_expire_later(stock: list[Row]) -> None:
    later = sum(1 for row in stock if 200 <= int(row["expiry_days"]) <= 1000)
    assert later >= 0.8 * len(stock)
    assert all(int(row["expiry_days"]) <= 1000 for row in stock)


def test_p00001_lots(lots_by_sku: dict[str, list[tuple[int, int]]]) -> None:
    assert sorted(lots_by_sku["P00001"]) == [(120, 30), (600, 100)]


# ---------------------------------------------------------------- members.csv

MEMBERS_CSV = DATA / "members.csv"
MEMBER_COLUMNS = [
    "card_no", "phone", "name", "gender", "birthday", "tier", "points", "enrolled_at",
    "health_consent", "allergies", "conditions",
]  # fmt: skip


@pytest.fixture(scope="module")
def demo_members() -> list[Row]:
    return _read(MEMBERS_CSV)[1]


def test_members_header() -> None:
    header, _ = _read(MEMBERS_CSV)
    assert header == MEMBER_COLUMNS


def test_members_count_and_mix(demo_members: list[Row]) -> None:
    assert 35 <= len(demo_members) <= 50
    assert {row["tier"] for row in demo_members} == {"normal", "silver", "gold", "platinum"}
    assert sum(1 for row in demo_members if row["birthday"]) >= 10
    assert len({row["phone"][:3] for row in demo_members}) >= 15, "vary the phone prefixes"
    assert all(row["points"].isdigit() for row in demo_members)


def test_member_phones_are_valid_mainland_mobiles_and_unique(demo_members: list[Row]) -> None:
    from pos.domain.members.members import normalize_phone

    phones = [row["phone"] for row in demo_members]
    assert [normalize_phone(phone) for phone in phones] == phones
    assert len(set(phones)) == len(phones)


def test_member_cards_are_valid_and_unique(demo_members: list[Row]) -> None:
    cards = [row["card_no"] for row in demo_members]
    for card in cards:
        assert len(card) == 13 and card.startswith("29") and ean.is_valid(card), card
    assert len(set(cards)) == len(cards)


def test_member_names_are_chinese_and_dates_plausible(demo_members: list[Row]) -> None:
    for row in demo_members:
        assert 2 <= len(row["name"]) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in row["name"])
        assert row["gender"] in {"m", "f", ""}
        assert "2024-03-01" <= row["enrolled_at"][:10] <= "2026-03-09", row["enrolled_at"]
        if row["birthday"]:
            assert "1920-01-01" < row["birthday"] < "2010-01-01"


def test_some_members_have_health_data_with_consent(demo_members: list[Row]) -> None:
    for row in demo_members:
        assert row["health_consent"] in {"yes", ""}
        if row["allergies"] or row["conditions"]:
            assert row["health_consent"] == "yes", row["card_no"]
    allergies = {item for row in demo_members for item in row["allergies"].split("|") if item}
    conditions = {item for row in demo_members for item in row["conditions"].split("|") if item}
    assert {"布洛芬", "青霉素"} <= allergies
    assert "高血压" in conditions


# ---------------------------------------------------------------- guidance.toml

GUIDANCE_TOML = DATA / "guidance.toml"


def test_every_demo_drug_finds_guidance(demo_template: Path) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from pos.domain.pharmacy.guidance import guidance_for
    from pos.enums import DrugClass
    from pos.models import Product
    from pos.store.db import make_engine, make_session_factory

    engine = make_engine(demo_template)
    try:
        with make_session_factory(engine)() as session:
            drugs = list(
                session.scalars(
                    select(Product)
                    .where(Product.drug_class != DrugClass.NONE)
                    .options(selectinload(Product.ingredients))
                )
            )
            assert len(drugs) >= 140
            for product in drugs:
                guidance = guidance_for(session, product)
                assert guidance is not None, (product.sku, product.name)
                assert guidance.usage and guidance.dosage, guidance.key
                assert guidance.usage_en and guidance.dosage_en, guidance.key
                if product.drug_class is DrugClass.RX:
                    assert "处方" in guidance.usage, (product.sku, guidance.key)
    finally:
        engine.dispose()


def test_compound_cold_remedies_have_their_own_guidance() -> None:
    import tomllib

    keys = {entry["key"] for entry in tomllib.loads(GUIDANCE_TOML.read_text("utf-8"))["guidance"]}
    with PRODUCTS_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            ingredients = _ingredients(row)
            if row["category"] == "cold_flu" and len(ingredients) > 1:
                assert f"sku:{row['sku']}" in keys, row["sku"]


def test_guidance_texts_say_what_pharmacy_md_asks() -> None:
    import tomllib

    entries = {
        entry["key"]: entry for entry in tomllib.loads(GUIDANCE_TOML.read_text("utf-8"))["guidance"]
    }

    def text(key: str) -> str:
        return " ".join(str(value) for value in entries[key].values())

    assert "24小时内不超过4次" in text("ingredient:acetaminophen")
    assert "alcohol" in entries["ingredient:acetaminophen"]["contraindications"]
    assert "hypertension" in entries["sku:P00005"]["contraindications"]
    assert "driving" in entries["ingredient:chlorphenamine"]["contraindications"]
    ibuprofen = entries["ingredient:ibuprofen"]
    assert {"peptic_ulcer", "pregnancy"} <= set(ibuprofen["contraindications"])
    assert "饭后" in ibuprofen["usage"]
    for cephalosporin in ("cefaclor", "cefixime", "cefuroxime"):
        assert "7天" in text(f"ingredient:{cephalosporin}")
        assert "alcohol" in entries[f"ingredient:{cephalosporin}"]["contraindications"]
    assert "2小时" in text("ingredient:amoxicillin") and "疗程" in text("ingredient:amoxicillin")
    assert "1–2小时" in text("ingredient:montmorillonite")
    assert "2–8 °C" in entries["sku:P00040"]["storage"]
    assert "3天" in text("ingredient:acetaminophen") and "5天" in text("ingredient:acetaminophen")
