"""``import_stock`` writes with bulk statements: the stock movements, their outbox
items, and the lots a session already holds are as the ORM would have left them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.models import Lot, OutboxItem, StockMovement
from pos.sync import outbox
from pos.transfer.imports import import_stock
from tests.catalogue_csv import EAN13_B, load_products, product_row, products_csv, stock_csv


@pytest.fixture
def catalogue(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    report = load_products(
        sessions,
        products_csv(product_row(sku="T001"), product_row(sku="T002", barcodes=EAN13_B)),
    )
    assert report.errors == []
    return sessions


def _items(sessions: sessionmaker[Session]) -> list[tuple[str, dict[str, object]]]:
    with sessions() as session:
        rows = session.execute(
            select(OutboxItem.key, OutboxItem.payload)
            .where(OutboxItem.kind == "stock")
            .order_by(OutboxItem.id)
        )
        return [(key, json.loads(payload)) for key, payload in rows]


def test_each_change_is_a_movement_and_an_outbox_item(catalogue: sessionmaker[Session]) -> None:
    data = stock_csv(["T001", "L1", "2027-01-31", "10"], ["T002", "L9", "2027-06-30", "0"])
    with catalogue.begin() as session:
        report = import_stock(session, data)
    assert (report.created, report.updated, report.applied) == (2, 0, True)
    items = _items(catalogue)
    assert [key for key, _payload in items] == ["T001/L1"]  # a lot at 0 moved nothing
    payload = items[0][1]
    assert {k: v for k, v in payload.items() if k != "created_at"} == {
        "sku": "T001", "lot_number": "L1", "expiry": "2027-01-31", "delta": 10,
        "reason": "import", "sale_number": None, "note": "",
    }  # fmt: skip
    with catalogue() as session:
        movement = session.scalars(select(StockMovement)).one()
        assert (movement.delta, movement.reason, movement.note) == (10, "import", "")
        assert payload["created_at"] == movement.created_at.isoformat()

    again = stock_csv(["T001", "L1", "2027-01-31", "4"], ["T002", "L9", "2027-06-30", "0"])
    with catalogue.begin() as session:
        report = import_stock(session, again)
    assert (report.created, report.updated) == (0, 2)
    assert [payload["delta"] for _key, payload in _items(catalogue)] == [10, -6]
    with catalogue() as session:
        assert sorted(m.delta for m in session.scalars(select(StockMovement))) == [-6, 10]


def test_a_lot_the_session_holds_reads_its_new_quantity(catalogue: sessionmaker[Session]) -> None:
    with catalogue.begin() as session:
        import_stock(session, stock_csv(["T001", "L1", "2027-01-31", "10"]))
    with catalogue.begin() as session:
        held = session.scalars(select(Lot)).one()
        assert held.quantity == 10
        import_stock(session, stock_csv(["T001", "L1", "2027-01-31", "3"]))
        assert held.quantity == 3


def test_suppressed_changes_do_not_go_out(catalogue: sessionmaker[Session]) -> None:
    with catalogue.begin() as session, outbox.suppressed(session):
        import_stock(session, stock_csv(["T001", "L1", "2027-01-31", "10"]))
    assert _items(catalogue) == []
    with catalogue() as session:
        assert [m.delta for m in session.scalars(select(StockMovement))] == [10]
