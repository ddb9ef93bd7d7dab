"""``pos import promotions``: the TOML contract, every bad entry, re-import, reading back."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.cli.common import EXIT_FAILED, EXIT_OK
from pos.domain.pharmacy.guidance import EntryError
from pos.enums import DrugClass
from pos.models import Promotion
from pos.store.demo import load_demo
from pos.transfer.imports import FileFormatError, ImportReport, import_products
from pos.transfer.promotion_import import (
    gift_classes,
    import_promotions,
    load_rules,
    promotion_list,
)
from tests.helpers import empty_config

PRODUCTS = """sku,barcodes,name,name_en,spec,manufacturer,unit,category,price,member_price,\
drug_class,ingredients
RX1,,测试阿莫西林,Test Amoxicillin,24粒,测试,盒,antibiotics,18,,rx,amoxicillin
OTCA1,,测试感冒片,Test Cold Tablets,10片,测试,盒,cold_flu,9.9,,otc_a,acetaminophen
VIT1,,测试维生素C,Test Vitamin C,100片,测试,瓶,vitamins,3.5,,otc_b,ascorbic acid
MASK1,,测试口罩,Test Mask,10只,测试,袋,devices,9.9,,none,
"""
GOOD = """
[[promotion]]
id = "PCT"
name = "器械 9折"
kind = "percent"
target = "category:Devices"
starts = 2026-03-01
ends = 2026-03-31
percent = 10

[[promotion]]
id = "FIX"
name = "口罩特价"
kind = "fixed_price"
target = "sku:MASK1"
starts = "2026-03-01"
ends = "2026-03-31"
price = 8.5

[[promotion]]
id = "B2G1"
name = "口罩 买二送一"
kind = "buy_x_get_y"
target = "sku:MASK1"
starts = 2026-03-01
ends = 2026-03-31
buy = 2
get = 1

[[promotion]]
id = "N2"
name = "维生素 第二件半价"
kind = "nth_discount"
target = "category:vitamins"
starts = 2026-03-01
ends = 2026-03-31
nth = 2
percent = 50

[[promotion]]
id = "S100"
name = "满100减10"
kind = "spend_threshold"
target = "all"
starts = 2026-03-01
ends = 2026-03-31
members_only = true
threshold = "100"
off = 10

[[promotion]]
id = "MD"
name = "会员日"
kind = "member_day"
target = "all"
starts = 2026-03-01
ends = 2026-12-31
day_of_month = 8
percent = 5
points_multiplier = 2

[[promotion]]
id = "GIFT"
name = "满88元赠口罩"
kind = "gift"
target = "all"
starts = 2026-04-01
ends = 2026-04-30
threshold = 88
gift_sku = "MASK1"
"""
BASE = {
    "id": '"X"',
    "name": '"测试"',
    "kind": '"percent"',
    "target": '"all"',
    "starts": "2026-03-01",
    "ends": "2026-03-31",
    "percent": "10",
}


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real user config or POS_* variable reaches the command."""
    for name in list(os.environ):
        if name.startswith("POS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("POS_CONFIG", empty_config(tmp_path))


@pytest.fixture
def catalogue(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """An Rx, an OTC-A, an OTC-B vitamin and a mask (a device)."""
    with sessions.begin() as session:
        assert not import_products(session, PRODUCTS.encode()).errors
    return sessions


def entry(**fields: str | None) -> str:
    """A ``[[promotion]]`` table: :data:`BASE` with ``fields`` as raw TOML (None drops one)."""
    values = {**BASE, **fields}
    lines = [f"{name} = {value}" for name, value in values.items() if value is not None]
    return "[[promotion]]\n" + "\n".join(lines) + "\n"


def load(sessions: sessionmaker[Session], text: str, skip_bad: bool = False) -> ImportReport:
    with sessions.begin() as session:
        return import_promotions(session, text.encode(), skip_bad)


def stored(sessions: sessionmaker[Session]) -> dict[str, Promotion]:
    with sessions() as session:
        rows = session.scalars(select(Promotion)).all()
        session.expunge_all()
    return {row.id: row for row in rows}


def test_every_kind_is_stored_in_fen(catalogue: sessionmaker[Session]) -> None:
    report = load(catalogue, GOOD)

    assert (report.created, report.updated, report.errors, report.applied) == (7, 0, [], True)
    rows = stored(catalogue)
    assert {key: row.params for key, row in rows.items()} == {
        "PCT": {"percent": 10},
        "FIX": {"price_fen": 850},
        "B2G1": {"buy": 2, "get": 1},
        "N2": {"nth": 2, "percent": 50},
        "S100": {"threshold_fen": 10000, "off_fen": 1000},
        "MD": {"day_of_month": 8, "percent": 5, "points_multiplier": 2},
        "GIFT": {"threshold_fen": 8800, "gift_sku": "MASK1"},
    }
    assert rows["PCT"].target == "category:devices"
    assert (rows["FIX"].starts, rows["FIX"].ends) == (date(2026, 3, 1), date(2026, 3, 31))
    assert [key for key, row in rows.items() if row.members_only] == ["S100", "MD"]
    assert rows["GIFT"].kind == "gift" and rows["GIFT"].name == "满88元赠口罩"


def test_reimport_updates_by_id(catalogue: sessionmaker[Session]) -> None:
    load(catalogue, GOOD)
    report = load(catalogue, entry(id='"PCT"', name='"器械 8折"', percent="20") + entry())
    assert (report.created, report.updated) == (1, 1)
    rows = stored(catalogue)
    assert (rows["PCT"].name, rows["PCT"].params, rows["PCT"].target) == (
        "器械 8折",
        {"percent": 20},
        "all",
    )
    assert len(rows) == 8


def test_load_rules_and_promotion_list(catalogue: sessionmaker[Session]) -> None:
    load(catalogue, GOOD + entry(id='"OLD"', starts="2026-01-01", ends="2026-02-28"))
    with catalogue() as session:
        rules = load_rules(session, date(2026, 3, 10))
        active, upcoming = promotion_list(session, date(2026, 3, 10))
        classes = gift_classes(session, rules)
    assert "OLD" not in {rule.id for rule in rules}
    assert [rule.id for rule in active] == ["B2G1", "FIX", "MD", "N2", "PCT", "S100"]
    assert [rule.id for rule in upcoming] == ["GIFT"]
    by_id = {rule.id: rule for rule in rules}
    assert (by_id["S100"].threshold_fen, by_id["S100"].off_fen) == (10000, 1000)
    assert (by_id["GIFT"].gift_sku, by_id["GIFT"].gift_name) == ("MASK1", "测试口罩")
    assert by_id["MD"].points_multiplier == 2 and by_id["MD"].members_only
    assert classes == {"MASK1": DrugClass.NONE}


BAD = [
    ({"kind": '"bogo"'}, "unknown kind 'bogo'"),
    ({"percent": None}, "missing field(s): percent"),
    ({"nth": "2"}, "field(s) not used by kind percent: nth"),
    ({"percent": "0"}, "percent must be a whole number from 1 to 99"),
    ({"percent": "100"}, "percent must be a whole number from 1 to 99"),
    ({"percent": "9.5"}, "percent must be a whole number from 1 to 99"),
    ({"percent": "true"}, "percent must be a whole number from 1 to 99"),
    ({"kind": '"fixed_price"', "percent": None, "price": '"-1"'}, "price must be an amount"),
    ({"kind": '"fixed_price"', "percent": None, "price": "-1"}, "price must be an amount"),
    ({"kind": '"fixed_price"', "percent": None, "price": "1.234"}, "price must be an amount"),
    ({"kind": '"fixed_price"', "percent": None, "price": '"abc"'}, "price must be an amount"),
    ({"ends": "2026-02-28"}, "ends before it starts"),
    ({"starts": '"2026-3-1"'}, "starts must be a date YYYY-MM-DD"),
    ({"ends": "2026-03-31T10:00:00"}, "ends must be a date YYYY-MM-DD"),
    ({"starts": None}, "starts must be a date"),
    ({"members_only": '"yes"'}, "members_only must be true or false"),
    ({"id": None}, "id is missing or not a string"),
    ({"name": '""'}, "name is missing or not a string"),
    ({"target": '"brand:x"'}, "target must be sku:SKU, category:NAME or all"),
    ({"target": '"sku:NOPE"'}, "no product has the sku NOPE"),
    (
        {"kind": '"member_day"', "percent": None, "day_of_month": "0"},
        "day_of_month must be a whole number from 1 to 31",
    ),
    (
        {"kind": '"member_day"', "percent": None, "day_of_month": "32"},
        "day_of_month must be a whole number from 1 to 31",
    ),
    (
        {"kind": '"member_day"', "percent": None, "day_of_month": "8"},
        "member_day needs percent, points_multiplier or both",
    ),
    (
        {"kind": '"member_day"', "percent": None, "day_of_month": "8", "points_multiplier": "1"},
        "points_multiplier must be a whole number from 2 to 10",
    ),
    ({"kind": '"nth_discount"', "nth": "1"}, "nth must be a whole number from 2 to 99"),
    ({"kind": '"buy_x_get_y"', "percent": None, "buy": "2"}, "missing field(s): get"),
    (
        {"kind": '"buy_x_get_y"', "percent": None, "buy": "1", "get": "1", "target": '"sku:RX1"'},
        "free units of an Rx or OTC-A product are gifts",
    ),
    (
        {"kind": '"spend_threshold"', "percent": None, "threshold": "10", "off": "10"},
        "off must be more than 0 and less than threshold",
    ),
    (
        {"kind": '"spend_threshold"', "percent": None, "threshold": "0", "off": "0"},
        "threshold must be more than 0",
    ),
    ({"kind": '"gift"', "percent": None, "threshold": "88"}, "missing field(s): gift_sku"),
    (
        {"kind": '"gift"', "percent": None, "threshold": "88", "gift_sku": '"NOPE"'},
        "no product has the gift_sku NOPE",
    ),
    (
        {"kind": '"gift"', "percent": None, "threshold": "88", "gift_sku": '"RX1"'},
        "an Rx or OTC-A product is never a gift: RX1",
    ),
    (
        {"kind": '"gift"', "percent": None, "threshold": "88", "gift_sku": '"OTCA1"'},
        "an Rx or OTC-A product is never a gift: OTCA1",
    ),
]


@pytest.mark.parametrize(("fields", "reason"), BAD)
def test_bad_entry(catalogue: sessionmaker[Session], fields: dict[str, str], reason: str) -> None:
    good = entry(id='"GOOD"')
    report = load(catalogue, good + entry(**fields))

    assert len(report.errors) == 1, report.errors
    error = report.errors[0]
    assert isinstance(error, EntryError)
    assert error.line == 2 and reason in error.reason
    assert error.key == ("" if "id" in fields else "X")
    assert not report.applied and stored(catalogue) == {}


def test_duplicate_id(catalogue: sessionmaker[Session]) -> None:
    report = load(catalogue, entry() + entry(percent="20"))
    assert [str(error) for error in report.errors] == ["entry 2 (X): id already in entry 1"]
    assert stored(catalogue) == {}


def test_skip_bad_imports_the_good_entries(catalogue: sessionmaker[Session]) -> None:
    text = entry(id='"A"') + entry(id='"B"', percent="0") + entry(id='"C"', target='"sku:NO"')
    report = load(catalogue, text + entry(id='"D"'), skip_bad=True)

    assert [
        (error.line, error.key) for error in report.errors if isinstance(error, EntryError)
    ] == [
        (2, "B"),
        (3, "C"),
    ]
    assert report.applied and sorted(stored(catalogue)) == ["A", "D"]


def test_money_as_toml_numbers_and_strings(catalogue: sessionmaker[Session]) -> None:
    fixed = {"kind": '"fixed_price"', "percent": None}
    text = (
        entry(id='"A"', price="12.5", **fixed)
        + entry(id='"B"', price='"12.50"', **fixed)
        + entry(id='"C"', price="12", **fixed)
    )
    assert not load(catalogue, text).errors
    assert {key: row.params["price_fen"] for key, row in stored(catalogue).items()} == {
        "A": 1250,
        "B": 1250,
        "C": 1200,
    }


def test_member_day_is_members_only(catalogue: sessionmaker[Session]) -> None:
    text = entry(kind='"member_day"', percent=None, day_of_month="8", points_multiplier="2")
    assert not load(catalogue, text).errors
    assert stored(catalogue)["X"].members_only


@pytest.mark.parametrize(
    "text", ["[[guidance]]\nkey = 1\n", "promotion = 1\n", "[[promotion]\n", "x = 1\n"]
)
def test_file_that_is_not_a_promotions_file(catalogue: sessionmaker[Session], text: str) -> None:
    with pytest.raises(FileFormatError):
        load(catalogue, text)


def test_shift_to_moves_every_date(catalogue: sessionmaker[Session]) -> None:
    with catalogue.begin() as session:
        report = import_promotions(session, GOOD.encode(), shift_to=date(2026, 6, 1))
    assert report.created == 7
    rows = stored(catalogue)
    assert (rows["PCT"].starts, rows["PCT"].ends) == (date(2026, 6, 1), date(2026, 7, 1))
    assert (rows["GIFT"].starts, rows["GIFT"].ends) == (date(2026, 7, 2), date(2026, 7, 31))


def test_demo_promotions_start_a_week_ago(sessions: sessionmaker[Session]) -> None:
    today = date(2026, 3, 10)
    with sessions.begin() as session:
        report = load_demo(session, today)
    with sessions() as session:
        active, upcoming = promotion_list(session, today)
        rules = load_rules(session, today)
        classes = gift_classes(session, rules)
    assert report.promotions.created == len(rules) == len(active) + len(upcoming)
    assert min(rule.starts for rule in rules) == today - timedelta(days=7)
    assert len(active) >= 7 and len(upcoming) >= 2
    kinds = {rule.kind for rule in rules}
    assert kinds == {
        "percent", "fixed_price", "buy_x_get_y", "nth_discount",
        "spend_threshold", "member_day", "gift",
    }  # fmt: skip
    assert all(classes[rule.gift_sku] is DrugClass.NONE for rule in rules if rule.kind == "gift")


def test_cli_import_promotions(
    catalogue: sessionmaker[Session], tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "promotions.toml"
    path.write_text(entry(id='"A"') + entry(id='"B"', percent="0"), encoding="utf-8")
    args = ["import", "promotions", str(path), "--db", str(db_path)]
    assert main(args) == EXIT_FAILED
    assert stored(catalogue) == {}
    assert main([*args, "--skip-bad"]) == EXIT_FAILED
    assert sorted(stored(catalogue)) == ["A"]
    path.write_text(entry(id='"A"', percent="30"), encoding="utf-8")
    assert main(args) == EXIT_OK
    assert stored(catalogue)["A"].params == {"percent": 30}
    assert main(["import", "promotions", str(tmp_path / "missing.toml"), "--db", str(db_path)]) == 1
    path.write_text("not toml [", encoding="utf-8")
    assert main(args) == EXIT_FAILED
