"""The in-memory product search finds what the SQL search finds; prepared lookups."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.catalogue import catalogue
from pos.domain.catalogue.product_index import ProductIndex, _Column, fold
from pos.domain.members import members
from pos.enums import BarcodeKind, DrugClass
from pos.models import Barcode, Member, Product
from pos.register.service import RegisterService
from tests.helpers import barcode_of

FIXED_QUERIES = [
    "感冒", "感冒灵", "gmlkl", "GMLKL", "ganmaoling", "Ganmaoling", "白加黑", "vitamin",
    "Vitamin C", "VC", "vc", "999", "P00001", "p000", "6930496", "69", "0", "A1001", "a1",
    "%", "_", "%_", "\\", "-", "片", "颗粒", "eye", "EYE DROPS", "ibu", "x", "  布洛芬 ",
    "ÄÖ", "ǅ", "ß",
]  # fmt: skip


def _queries(session: Session, count: int) -> list[str]:
    """The fixed queries and random pieces of the demo catalogue's keys and barcodes."""
    rng = random.Random(8)
    keys = [
        value
        for product in session.scalars(select(Product))
        for value in (
            product.name,
            product.name_en,
            product.pinyin_initials,
            product.pinyin_full,
            product.sku,
        )
        if value
    ]
    keys += list(session.scalars(select(Barcode.code)))
    found = list(FIXED_QUERIES)
    for _ in range(count):
        key = rng.choice(keys)
        start = rng.randrange(len(key))
        piece = key[start : start + rng.randint(1, 6)]
        found.append(piece.upper() if rng.random() < 0.3 else piece)
    return found


def test_index_search_is_the_sql_search(demo_sessions: sessionmaker[Session]) -> None:
    index = ProductIndex()
    with demo_sessions() as session:
        for query in _queries(session, 600):
            for limit in (50, 3):
                expected = [p.id for p in catalogue.search(session, query, limit)]
                assert index.search(session, query, limit) == expected, (query, limit)


def _prefixed(product: Product, query: str) -> bool:
    """Ranked by a start: its SKU, name or English name starts with ``query``."""
    names = (product.sku, product.name, product.name_en or "")
    return any(name.lower().startswith(query) for name in names)


def test_initials_holding_the_query_come_before_pinyin_found_by_chance(
    demo_sessions: sessionmaker[Session],
) -> None:
    """A cashier types initials: "gm" is 感冒 (999感冒灵颗粒: 999gmlkl), before the full
    pinyin that holds it by chance (氨咖黄敏胶囊: anka huangmin …), for every two- and
    three-letter piece of the catalogue's initials, in both searches."""
    index = ProductIndex()
    with demo_sessions() as session:
        products = list(session.scalars(select(Product)))
        pieces = {
            key[start : start + size]
            for key in (product.pinyin_initials for product in products)
            if key
            for size in (2, 3)
            for start in range(len(key) - size + 1)
        }
        for query in sorted(pieces):
            sql = [product.id for product in catalogue.search(session, query, 50)]
            assert index.search(session, query, 50) == sql, query
            found = [session.get(Product, id_) for id_ in sql]
            held = [query in (product.pinyin_initials or "") for product in found if product]
            for later, product in enumerate(found):
                assert product is not None
                if held[later]:
                    before = found[:later]
                    assert all(held[i] or _prefixed(p, query) for i, p in enumerate(before) if p)
        names = [product.name for product in catalogue.search(session, "gm", 50)]
        assert names.index("999感冒灵颗粒") < names.index("氨咖黄敏胶囊")


def test_index_follows_catalogue_changes(
    demo_sessions: sessionmaker[Session], register: RegisterService
) -> None:
    assert [p.sku for p in register.search("感冒灵")][:1] == ["P00001"]
    with demo_sessions.begin() as session:
        product = session.scalars(select(Product).where(Product.sku == "P00001")).one()
        product.active = False
        session.add(
            Product(
                sku="Z99999",
                name="新感冒灵片",
                name_en="New Ganmaoling",
                pinyin_initials="xgmlp",
                pinyin_full="xinganmaolingpian",
                price_fen=100,
                drug_class=DrugClass.OTC_B,
                barcodes=[Barcode(code="2999999999999", kind=BarcodeKind.EAN13)],
            )
        )
    skus = [p.sku for p in register.search("感冒灵")]
    assert "P00001" not in skus and "Z99999" in skus
    assert [p.sku for p in register.search("xgmlp")] == ["Z99999"]
    assert [p.sku for p in register.search("29999999")] == ["Z99999"]


def test_fold_is_sqlite_like_case_folding() -> None:
    assert fold("AbC感冒Ä") == "abc感冒Ä"
    assert fold("ABC") == "abc"


def test_lookups_return_rows_the_register_uses(
    demo_sessions: sessionmaker[Session], register: RegisterService
) -> None:
    code = barcode_of(demo_sessions, "P00001")
    with demo_sessions() as session:
        found = catalogue.find_by_code(session, code)
        assert found is not None
        row, stored = found
        assert (row.sku, stored) == ("P00001", code)
        assert catalogue.find_by_code(session, "0000000000000") is None
        assert catalogue.find_by_sku(session, "P00001") == row
        member = session.scalars(select(Member).where(Member.phone.is_not(None))).first()
        assert member is not None and member.phone is not None
        by_phone = members.lookup(session, member.phone)
        assert [m.id for m in by_phone] == [member.id]
        assert [m.id for m in members.lookup(session, member.card_no)] == [member.id]
        assert member.id in [m.id for m in members.lookup(session, member.phone[-4:])]
        assert [m.id for m in members.find(session, member.phone)] == [member.id]
    assert register.find_members(member.phone)[0].id == member.id


@pytest.mark.parametrize("query", ["12345", "   "])
def test_member_lookup_checks_the_query(demo_sessions: sessionmaker[Session], query: str) -> None:
    with demo_sessions() as session:
        if query.strip():
            with pytest.raises(ValueError):
                members.lookup(session, query)
        else:
            assert members.lookup(session, query) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="ab感\x00", max_size=6), max_size=40),
    st.text(alphabet="ab感\x00", min_size=1, max_size=3),
    st.booleans(),
)
def test_a_column_finds_the_keys_that_hold_or_start_with_a_needle(
    values: list[str], needle: str, prefix: bool
) -> None:
    """Dense needles (one pass over the keys) and sparse ones (each match's row) alike."""
    containing, starting = _Column(values).matches(needle, prefix)
    assert starting == [row for row, value in enumerate(values) if value.startswith(needle)]
    expected = [] if prefix else [row for row, value in enumerate(values) if needle in value]
    assert containing == expected
