"""``pos import sales`` staged and copied in bulk: every stored figure is the file's.

The import numbers sales and lines itself (on from the store's last ids) and copies
them in chunks; these properties check that whatever the chunking, the sales already
stored and the lots on file, each sale stored is the sale of its line: totals, lines,
lots, payments, codes, member, time, and that no stock moves.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.models import Lot, Member, Prescription, Product, Sale, TraceCode
from pos.models.base import UTCDateTime
from pos.store.db import make_engine, make_session_factory
from pos.transfer import sales_import
from pos.transfer.import_common import Chunks
from pos.transfer.sales_import import _stamp, import_sales
from tests.transfer.test_sales_import import sale, write_sales

SKUS = ("P00001", "P00039", "P00063", "P00136")
LOTS = (None, "A1", "B2", "OLD-LOT-1")
ZONES = (UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30)))
_copies = itertools.count()


@pytest.fixture
def fresh_store(demo_template: Path, tmp_path: Path) -> Iterator[Any]:
    """A function making a new copy of the demo store per call (one per example)."""
    engines = []

    def make() -> sessionmaker[Session]:
        path = tmp_path / f"store{next(_copies)}.db"
        shutil.copy(demo_template, path)
        engine = make_engine(path)
        engines.append(engine)
        return make_session_factory(engine)

    yield make
    for engine in engines:
        engine.dispose()


@st.composite
def entries(draw: st.DrawFn, line_no: int) -> dict[str, Any]:
    qty = draw(st.integers(1, 5))
    price = draw(st.integers(1, 50_000))
    discount = draw(st.integers(0, qty * price))
    lot = draw(st.sampled_from(LOTS))
    return {
        "sku": draw(st.sampled_from(SKUS)), "barcode": None, "name": f"品{line_no}",
        "qty": qty, "unit_price_fen": price, "discount_fen": discount,
        "total_fen": qty * price - discount, "lot": lot,
        "expiry": "2027-01-31" if lot else None, "line_no": line_no,
        "guidance_given": draw(st.booleans()),
        "trace_codes": draw(st.lists(st.text("0123456789", min_size=1, max_size=20), max_size=2)),
        "promotion": None, "suggested_by": None,
    }  # fmt: skip


@st.composite
def records(draw: st.DrawFn, seq: int, cards: list[str]) -> dict[str, Any]:
    lines = [draw(entries(no)) for no in range(1, draw(st.integers(1, 4)) + 1)]
    total = sum(line["total_fen"] for line in lines)
    subtotal = sum(line["qty"] * line["unit_price_fen"] for line in lines)
    card_part = draw(st.integers(0, total)) if total else 0
    payments = [
        {"tender": tender, "amount_fen": amount}
        for tender, amount in (("card", card_part), ("cash", total - card_part))
        if amount
    ]
    moment = draw(
        st.datetimes(datetime(2024, 1, 1), datetime(2026, 1, 1), timezones=st.sampled_from(ZONES))
    )
    rx = draw(st.booleans())
    return {
        "number": f"S001-01-20250101-{seq:04d}", "completed_at": moment.isoformat(),
        "store": "001", "register": "01", "cashier": "shouyin01",
        "member": draw(st.sampled_from([None, "2900000000000", *cards])),
        "points_earned": 0, "points_redeemed": 0, "lines": lines, "payments": payments,
        "subtotal_fen": subtotal, "discount_fen": subtotal - total, "total_fen": total,
        "change_fen": 0,
        "prescription": {"number": f"RX{seq}", "prescriber": "李医生", "issued_on": "2025-01-01",
                         "patient_name": "张*", "pharmacist": "yaoshi01"} if rx else None,
        "restricted_buyer": None,
    }  # fmt: skip


def stored(session: Session, number: str) -> dict[str, Any]:
    """What the store holds of sale ``number``, in the file's terms."""
    sale = session.scalars(select(Sale).where(Sale.number == number)).one()
    member = session.scalar(select(Member.card_no).where(Member.id == sale.member_id))
    lines = []
    for line in sale.lines:
        codes = session.scalars(
            select(TraceCode.code).where(TraceCode.sale_line_id == line.id).order_by(TraceCode.id)
        ).all()
        sku = session.scalar(select(Product.sku).where(Product.id == line.product_id))
        lines.append((line.line_no, line.sku, sku, line.qty, line.unit_price_fen,
                      line.discount_fen, line.total_fen, line.guidance_given,
                      [(lot.lot_number, lot.qty) for lot in line.lots], list(codes)))  # fmt: skip
    rx = session.scalars(select(Prescription).where(Prescription.sale_id == sale.id)).first()
    return {
        "prescription": None
        if rx is None
        else (
            rx.number,
            rx.prescriber,
            rx.issued_on.isoformat(),
            rx.patient_name,
            rx.pharmacist_id,
            rx.reviewed_at == sale.completed_at,
        ),
        "figures": (sale.subtotal_fen, sale.discount_fen, sale.total_fen, sale.change_fen),
        "member": (sale.member, member),
        "completed_at": sale.completed_at,
        "lines": lines,
        "payments": [(p.seq, p.tender.value, p.amount_fen) for p in sale.payments],
    }


def expected(record: dict[str, Any], cards: list[str]) -> dict[str, Any]:
    """The same, computed from the file's record alone."""
    member = record["member"]
    rx = record["prescription"]
    return {
        "prescription": None
        if rx is None
        else (
            rx["number"],
            rx["prescriber"],
            rx["issued_on"],
            rx["patient_name"],
            rx["pharmacist"],
            True,
        ),
        "figures": (record["subtotal_fen"], record["discount_fen"], record["total_fen"], 0),
        "member": (member, member if member in cards else None),
        "completed_at": datetime.fromisoformat(record["completed_at"]).astimezone(UTC),
        "lines": [
            (
                e["line_no"],
                e["sku"],
                e["sku"],
                e["qty"],
                e["unit_price_fen"],
                e["discount_fen"],
                e["total_fen"],
                e["guidance_given"],
                [(e["lot"], e["qty"])] if e["lot"] else [],
                e["trace_codes"],
            )
            for e in record["lines"]
        ],
        "payments": [
            (seq, p["tender"], p["amount_fen"]) for seq, p in enumerate(record["payments"], 1)
        ],
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), already=st.integers(0, 3), batch=st.integers(1, 4))
def test_each_stored_sale_is_its_line_whatever_the_chunks(
    fresh_store: Any, tmp_path: Path, data: st.DataObject, already: int, batch: int
) -> None:
    sessions = fresh_store()
    with sessions() as session:
        cards = list(session.scalars(select(Member.card_no).order_by(Member.id).limit(2)))
        stock_before = {lot: qty for lot, qty in session.execute(select(Lot.id, Lot.quantity))}
    count = data.draw(st.integers(1, 8))
    sales = [data.draw(records(seq, cards)) for seq in range(1, count + 1)]
    already = min(already, count)
    path = write_sales(tmp_path / f"sales{next(_copies)}.jsonl", *sales)
    if already:
        first = write_sales(tmp_path / f"first{next(_copies)}.jsonl", *sales[:already])
        with sessions.begin() as session:
            assert import_sales(session, first).created == already
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sales_import, "FIRST_BATCH", batch)
        patch.setattr(sales_import, "BATCH", batch)
        patch.setattr(sales_import, "MIN_BATCH", 1)
        with sessions(execution_options={"pos_begin_immediate": True}) as session:
            chunks = Chunks(session, seconds=0, pause=0)
            report = import_sales(session, path, chunks=chunks)
            session.commit()
    assert not report.errors
    assert (report.created, report.duplicates) == (count - already, already)
    with sessions() as session:
        for record in sales:
            assert stored(session, record["number"]) == expected(record, cards)
        stock_after = {lot: qty for lot, qty in session.execute(select(Lot.id, Lot.quantity))}
    assert {lot: qty for lot, qty in stock_after.items() if lot in stock_before} == stock_before
    assert all(qty == 0 for lot, qty in stock_after.items() if lot not in stock_before)


@given(st.datetimes(timezones=st.sampled_from(ZONES)))
def test_a_staged_time_is_stored_as_the_orm_stores_it(moment: datetime) -> None:
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    process = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    try:
        orm = process(moment)
    except OverflowError:
        return  # out of range in UTC either way
    assert _stamp(moment) == orm


def test_a_time_with_no_utc_equivalent_is_a_bad_line(fresh_store: Any, tmp_path: Path) -> None:
    sessions = fresh_store()
    early = sale(1, [("P00063", 1, 350)], completed_at="0001-01-01T00:00:00+08:00")
    path = write_sales(tmp_path / "early.jsonl", early, sale(2, [("P00063", 1, 350)]))
    with sessions.begin() as session:
        report = import_sales(session, path)
    assert [
        (e.line, "completed_at must be an ISO 8601 time" in e.reason) for e in report.errors
    ] == [(1, True)]
    assert not report.applied
    with sessions() as session:
        assert session.scalars(select(Sale)).all() == []
