"""``pos import products``: new products written in bulk (tuples, one executemany per
table and batch) are stored exactly as the ORM stores them, column for column."""

from __future__ import annotations

import itertools
import re
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.catalogue.product_index import ProductIndex
from pos.models import Barcode, BarcodeKind, Product, ProductIngredient
from pos.store.db import open_database
from pos.transfer import imports
from pos.transfer.import_common import WAL_PAGES, ImportReport, chunked, read_rows
from pos.transfer.imports import (
    PRODUCT_COLUMNS,
    PRODUCT_OPTIONAL_COLUMNS,
    check_product,
    import_products,
)
from tests.catalogue_csv import to_csv, with_check

_NAMES = st.lists(
    st.sampled_from(["感冒", "灵", "颗粒", "儿童", "布洛芬", "缓释", "胶囊", "滴眼液", "重", "999",
                     "维生素C", "软膏", "（", "）", " ", "Ⅱ", "乐", "长", "喷雾剂"]),
    min_size=1, max_size=5,
).map("".join).filter(str.strip)  # fmt: skip
_PRICES = st.integers(min_value=0, max_value=99_999_99)


@st.composite
def _files(draw: st.DrawFn) -> bytes:
    """A products file of good rows, with some of the optional columns."""
    optional = draw(st.lists(st.sampled_from(PRODUCT_OPTIONAL_COLUMNS), unique=True))
    count = draw(st.integers(min_value=1, max_value=12))
    rows = []
    for index in range(count):
        price = draw(_PRICES)
        member = draw(st.none() | st.integers(min_value=0, max_value=price))
        slots = draw(st.lists(st.integers(0, 4), unique=True, max_size=3))
        codes = [with_check(f"69{index:05d}{slot:05d}") for slot in slots]  # the SKU's own
        codes += draw(st.sampled_from([[], [f"int:Z{index}"]]))
        values = {
            "sku": f"S{index:04d}",
            "barcodes": "|".join(codes),
            "name": draw(_NAMES),
            "name_en": draw(st.sampled_from(["", "Cold Relief"])),
            "spec": draw(st.sampled_from(["", "10片", "15g", "10ml"])),
            "manufacturer": "测试制药",
            "unit": draw(st.sampled_from(["盒", "支"])),
            "category": draw(st.sampled_from(["Cold", "pain_fever", ""])),
            "price": f"{price // 100}.{price % 100:02d}",
            "member_price": "" if member is None else f"{member // 100}.{member % 100:02d}",
            "drug_class": draw(st.sampled_from(["rx", "OTC_A", "otc_b", "none", ""])),
            "ingredients": draw(st.sampled_from(["", "acetaminophen", "Ibuprofen|caffeine"])),
            "restricted": draw(st.sampled_from(["", "ephedrine"])),
            "trace_required": draw(st.sampled_from(["yes", "no", ""])),
            "insurance": draw(st.sampled_from(["yes", "no", ""])),
            "route": draw(st.sampled_from(["", "eye", "topical", "oral"])),
        }
        rows.append([values[name] for name in (*PRODUCT_COLUMNS, *optional)])
    return to_csv([*PRODUCT_COLUMNS, *optional], *rows)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty database, copied for each example."""
    path = tmp_path_factory.mktemp("bulk") / "template.db"
    engine, _sessions = open_database(path)
    engine.dispose()
    return path


@pytest.fixture
def fresh(template: Path, tmp_path: Path) -> Iterator[object]:
    copies = itertools.count()

    def make() -> tuple[Path, sessionmaker[Session]]:
        path = tmp_path / f"copy{next(copies)}.db"
        shutil.copy(template, path)
        engine, sessions = open_database(path)
        engines.append(engine)
        return path, sessions

    engines: list[object] = []
    yield make
    for engine in engines:
        engine.dispose()  # type: ignore[attr-defined]


def _by_orm(sessions: sessionmaker[Session], data: bytes) -> None:
    """The reference: each row set on its ORM ``Product``, new or on file, as the import
    did before it wrote with Core (its barcodes kept where listed, ingredients replaced)."""
    keys = imports._Derived()
    with sessions.begin() as session:
        for line, raw in read_rows(data, PRODUCT_COLUMNS, ImportReport(), PRODUCT_OPTIONAL_COLUMNS):
            row = check_product(line, raw)
            query = select(Product).where(Product.sku == row.sku)
            product = session.scalars(query).one_or_none()
            if product is None:
                product = Product()
                session.add(product)
            for name, value in imports._product_values(row, keys, product.route).items():
                setattr(product, name, value)
            current = {barcode.code: barcode for barcode in product.barcodes}
            product.barcodes = [
                _reuse(current.get(code), code, kind, position)
                for position, (code, kind) in enumerate(row.barcodes)
            ]
            product.ingredients = [
                ProductIngredient(ingredient=name, position=position)
                for position, name in enumerate(row.ingredients)
            ]


def _reuse(existing: Barcode | None, code: str, kind: BarcodeKind, position: int) -> Barcode:
    if existing is None:
        return Barcode(code=code, kind=kind, position=position)
    existing.kind = kind
    existing.position = position
    return existing


def _stamps(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as raw:
        return dict(raw.execute("SELECT sku, updated_at FROM product"))


_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$")


def _stored(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row, keyed by SKU instead of id; ``updated_at`` by its form only."""
    with sqlite3.connect(path) as raw:
        columns = [row[1] for row in raw.execute("PRAGMA table_info(product)")]
        shown = [c for c in columns if c not in ("id", "updated_at")]
        products = raw.execute(
            f"SELECT {', '.join(shown)}, typeof(updated_at), updated_at FROM product ORDER BY sku"
        ).fetchall()
        barcodes = raw.execute(
            "SELECT p.sku, b.code, b.kind, b.position FROM barcode b JOIN product p "
            "ON p.id = b.product_id ORDER BY b.code"
        ).fetchall()
        ingredients = raw.execute(
            "SELECT p.sku, i.ingredient, i.position FROM product_ingredient i JOIN product p "
            "ON p.id = i.product_id ORDER BY p.sku, i.position"
        ).fetchall()
    for row in products:
        assert _STAMP.match(row[-1]), row[-1]
    return {
        "product": [row[:-1] for row in products],
        "barcode": barcodes,
        "ingredient": ingredients,
    }


_ON_FILE = [
    [f"F{n}", "", "复方氨酚烷胺片", "", "", "", "盒", "", "9.90", "", "otc_a", "amantadine"]
    for n in range(3)
]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_files())
def test_bulk_insert_stores_what_the_orm_stores(fresh: object, data: bytes) -> None:
    bulk_path, bulk = fresh()  # type: ignore[operator]
    orm_path, orm = fresh()  # type: ignore[operator]
    for sessions in (bulk, orm):  # products already on file: the new ones' ids come after
        _by_orm(sessions, to_csv(PRODUCT_COLUMNS, *_ON_FILE))
    with bulk.begin() as session:
        report = import_products(session, data)
    _by_orm(orm, data)

    assert report.errors == []
    assert report.created > 0
    assert _stored(bulk_path) == _stored(orm_path)


def test_products_are_written_with_a_big_page_cache_and_fewer_checkpoints_then_as_before(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, int]] = []
    insert = imports._NewRows.products

    def spy(self: imports._NewRows, values: list[dict[str, object]]) -> dict[str, int]:
        connection = session.connection()
        seen.append(
            (
                int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0),
                int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() or 0),
            )
        )
        return insert(self, values)

    monkeypatch.setattr(imports._NewRows, "products", spy)
    row = ["", "感冒灵颗粒", "", "", "", "盒", "", "1.00", "", "", ""]
    rows = [[f"S{n:04d}", *row] for n in range(3)]
    with chunked(sessions) as (session, chunks):
        connection = session.connection()
        before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        report = import_products(session, to_csv(PRODUCT_COLUMNS, *rows), chunks=chunks)
        after = session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
        pages = session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    assert report.created == 3
    assert seen == [(-imports.CACHE_KB, WAL_PAGES)]
    assert after == before != -imports.CACHE_KB
    assert pages == 1000


def _names_file(skus: range, name: str) -> bytes:
    row = ["", name, "", "", "", "盒", "", "1.00", "", "", ""]
    return to_csv(PRODUCT_COLUMNS, *([f"S{n:04d}", *row] for n in skus))


def test_each_batch_is_stamped_with_its_own_time(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later batch is newer: what reads products changed since a time misses none."""
    ticks = itertools.count()
    start = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    monkeypatch.setattr(imports, "utcnow", lambda: start + timedelta(seconds=next(ticks)))
    with sessions.begin() as session:
        report = import_products(session, _names_file(range(imports.BATCH_ROWS + 1), "感冒灵"))
    with sessions() as session:
        stamps = list(session.scalars(select(Product.updated_at).order_by(Product.id)))
    assert report.created == imports.BATCH_ROWS + 1
    assert set(stamps[:-1]) == {start} and stamps[-1] == start + timedelta(seconds=1)


def test_the_registers_search_finds_the_products_of_a_later_import(
    sessions: sessionmaker[Session],
) -> None:
    index = ProductIndex()
    with sessions.begin() as session:
        import_products(session, _names_file(range(3), "感冒灵颗粒"))
    with sessions() as session:
        assert len(index.search(session, "gml")) == 3  # the index is read
    with chunked(sessions) as (session, chunks):
        import_products(session, _names_file(range(3, 8), "感冒清热颗粒"), chunks=chunks)
    with sessions() as session:
        found = index.search(session, "gmqr")
        skus = set(session.scalars(select(Product.sku).where(Product.id.in_(found))))
        assert skus == {f"S{n:04d}" for n in range(3, 8)}
        assert len(index.search(session, "kl")) == 8


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=_files(), second=_files())
def test_reimport_stores_what_the_orm_stores(fresh: object, first: bytes, second: bytes) -> None:
    """Products on file changed (or not) by a second file: the same rows as the ORM
    leaves, and the same products stamped anew (those whose columns changed)."""
    bulk_path, bulk = fresh()  # type: ignore[operator]
    orm_path, orm = fresh()  # type: ignore[operator]
    for sessions in (bulk, orm):
        _by_orm(sessions, first)
    before = _stamps(bulk_path), _stamps(orm_path)
    with bulk.begin() as session:
        report = import_products(session, second)
    _by_orm(orm, second)
    after = _stamps(bulk_path), _stamps(orm_path)

    assert report.errors == []
    assert _stored(bulk_path) == _stored(orm_path)
    restamped = [
        {sku for sku, stamp in now.items() if then.get(sku) not in (None, stamp)}
        for then, now in zip(before, after, strict=True)
    ]
    assert restamped[0] == restamped[1]
