"""How a product is taken (its route): defaults from the dosage form, the products CSV's
optional ``route`` column, and duplicate-ingredient warnings only within one route."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.pharmacy.guidance import line_keys
from pos.domain.pharmacy.safety import ROUTES, SafetyLine, duplicate_ingredients, route_from_form
from pos.enums import DrugClass
from pos.models import Product
from pos.store.db import alembic_config, make_engine, upgrade
from pos.transfer.imports import PRODUCT_COLUMNS
from tests.catalogue_csv import (
    EAN13_B,
    EAN13_C,
    count,
    error_lines,
    load_products,
    product,
    product_row,
    products_csv,
    to_csv,
)

# -- defaults from the dosage form --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "spec", "route"),
    [
        ("对乙酰氨基酚片", "0.5g*12片", "oral"),
        ("阿莫西林胶囊", "0.25g*24粒", "oral"),
        ("板蓝根颗粒", "10g*20袋", "oral"),
        ("小儿止咳糖浆", "100ml", "oral"),
        ("藿香正气口服液", "10ml*10支", "oral"),
        ("金嗓子喉片", "2g*12片", "oral"),
        ("西瓜霜润喉含片", "0.6g*24片", "oral"),
        ("复方醋酸地塞米松乳膏", "20g", "topical"),
        ("红霉素软膏", "10g", "topical"),
        ("双氯芬酸二乙胺凝胶", "20g", "topical"),
        ("云南白药气雾剂", "85g+30g", "topical"),
        ("伤湿止痛膏贴", "7cm*10cm*5贴", "topical"),
        ("樟脑搽剂", "30ml", "topical"),
        ("左氧氟沙星滴眼液", "5ml", "eye"),
        ("红霉素眼膏", "2g", "eye"),
        ("氧氟沙星滴耳液", "5ml", "ear"),
        ("呋麻滴鼻液", "10ml", "nose"),
        ("布地奈德鼻喷雾剂", "120喷", "nose"),
        ("维生素C", "0.1g*100片", "oral"),  # the spec tells it
        ("创可贴", "", "topical"),
        ("医用口罩", "10只", "oral"),  # cannot be told: oral
    ],
)
def test_route_from_the_dosage_form(name: str, spec: str, route: str) -> None:
    assert route_from_form(name, spec) == route


# -- the products CSV's optional route column ---------------------------------------

ROUTE_HEADER = (*PRODUCT_COLUMNS, "route")


def test_route_column_is_stored_and_empty_takes_the_dosage_form(
    sessions: sessionmaker[Session],
) -> None:
    data = to_csv(
        ROUTE_HEADER,
        [*product_row(sku="R1", name="薄荷脑膏", spec="10g"), "Topical"],
        [*product_row(sku="R2", barcodes=EAN13_B, name="氧氟沙星滴耳液", spec="5ml"), ""],
        [*product_row(sku="R3", barcodes=EAN13_C, name="薄荷喉片"), "inhaled"],
    )
    report = load_products(sessions, data)
    assert not report.errors
    assert [product(sessions, sku).route for sku in ("R1", "R2", "R3")] == [
        "topical",
        "ear",
        "inhaled",
    ]


def test_without_the_column_new_products_take_the_form_and_updates_keep_the_route(
    sessions: sessionmaker[Session],
) -> None:
    assert not load_products(sessions, products_csv(product_row(name="红霉素眼膏"))).errors
    assert product(sessions, "T001").route == "eye"
    data = to_csv(ROUTE_HEADER, [*product_row(name="红霉素眼膏"), "topical"])
    assert not load_products(sessions, data).errors
    assert not load_products(sessions, products_csv(product_row(name="红霉素眼膏"))).errors
    assert product(sessions, "T001").route == "topical"  # the file said so; kept


@pytest.mark.parametrize("value", ["mouth", "skin", "口服", "oral,topical"])
def test_an_unknown_route_is_a_bad_row(sessions: sessionmaker[Session], value: str) -> None:
    data = to_csv(
        ROUTE_HEADER,
        [*product_row(sku="G001", barcodes=EAN13_C), ""],
        [*product_row(), value],
    )
    report = load_products(sessions, data)
    assert error_lines(report) == [3]
    assert "route must be one of oral, topical" in report.errors[0].reason
    assert count(sessions, Product) == 0


# -- duplicates only within one route ------------------------------------------------


class _Names:
    def zh_name(self, ingredient: str) -> str:
        return ingredient

    def shown_name(self, ingredient: str) -> str:
        return ingredient

    def resolve_allergy(self, term: str) -> frozenset[str]:
        return frozenset({term})

    def normalize_condition(self, term: str) -> str:
        return term


def _line(index: int, route: str, *ingredients: str) -> SafetyLine:
    return SafetyLine(index, f"P{index}", ingredients, (), route)


def test_same_ingredient_by_two_routes_is_no_duplicate() -> None:
    lozenge, cream = _line(0, "oral", "menthol"), _line(1, "topical", "menthol", "camphor")
    assert duplicate_ingredients([lozenge, cream], _Names()) == []
    tablets, granules = _line(2, "oral", "acetaminophen"), _line(3, "oral", "acetaminophen")
    (warning,) = duplicate_ingredients([lozenge, cream, tablets, granules], _Names())
    assert warning.key == "duplicate:acetaminophen:2,3" and warning.needs_pharmacist


@given(
    st.lists(
        st.tuples(
            st.sampled_from(ROUTES[:3]),
            st.lists(st.sampled_from(("a", "b", "c")), min_size=1, max_size=3),
        ),
        max_size=6,
    )
)
def test_a_duplicate_warning_never_spans_two_routes(lines: list[tuple[str, list[str]]]) -> None:
    safety_lines = [_line(index, route, *items) for index, (route, items) in enumerate(lines)]
    for warning in duplicate_ingredients(safety_lines, _Names()):
        indexes = [int(part) for part in warning.key.rsplit(":", 1)[1].split(",")]
        assert len(indexes) >= 2
        assert len({safety_lines[index].route for index in indexes}) == 1
    shared = {
        (route, item)
        for index, (route, items) in enumerate(lines)
        for item in items
        if any(
            other_route == route and item in other_items
            for other, (other_route, other_items) in enumerate(lines)
            if other != index
        )
    }
    assert bool(shared) == bool(duplicate_ingredients(safety_lines, _Names()))


# -- category guidance for the category's medicines only -------------------------------


def test_category_guidance_keys_only_for_medicines() -> None:
    fish_oil = line_keys("P00068", ["fish oil"], "vitamins", DrugClass.NONE)
    assert fish_oil == ["sku:P00068", "ingredient:fish oil"]
    vitamin_c = line_keys("P00063", ["vitamin c"], "vitamins", DrugClass.OTC_B)
    assert vitamin_c[-1] == "category:vitamins"


# -- the migration gives existing products their route ---------------------------------


def test_migration_gives_existing_products_the_route_of_their_dosage_form(
    tmp_path: Path,
) -> None:
    from alembic import command

    path = tmp_path / "old.db"
    engine = make_engine(path, foreign_keys=False)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0011")
        for row_id, name, spec in (
            (1, "感冒灵颗粒", "10g*9袋"),
            (2, "红霉素眼膏", "2g"),
            (3, "皮炎平", "乳膏 20g"),
        ):
            connection.exec_driver_sql(
                "INSERT INTO product (id, sku, name, name_en, spec, manufacturer, unit, category,"
                " price_fen, drug_class, pinyin_initials, pinyin_full, active, updated_at)"
                f" VALUES ({row_id}, 'P{row_id}', '{name}', '', '{spec}', '', '盒', 'x', 100,"
                " 'otc_b', '', '', 1, '2026-03-10 02:00:00')"
            )
    engine.dispose()
    engine = make_engine(path)
    assert upgrade(engine) is True
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sku, route FROM product ORDER BY id")).all()
    engine.dispose()
    assert rows == [("P1", "oral"), ("P2", "eye"), ("P3", "topical")]
