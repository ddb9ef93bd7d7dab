"""The outbox: written in the same transaction as each change, and only then."""

from __future__ import annotations

import gc
import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.members import member_care
from pos.domain.members.members import MemberForm
from pos.domain.sales.codes import InputError
from pos.enums import Tender
from pos.models import HqSale, Member, OutboxItem, Sale
from pos.register.service import RegisterService
from pos.store.db import make_session_factory
from pos.sync import central, outbox
from tests.conftest import NOW
from tests.helpers import barcode_of


def items(sessions: sessionmaker[Session], kind: str | None = None) -> list[OutboxItem]:
    with sessions() as session:
        query = select(OutboxItem).order_by(OutboxItem.id)
        if kind is not None:
            query = query.where(OutboxItem.kind == kind)
        return list(session.scalars(query))


def test_a_sale_and_its_points_and_stock_go_out_with_it(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    before = len(items(demo_sessions))
    register.enrol(MemberForm("13900009999", "赵六", consent_terms=True))
    register.scan("2*" + barcode_of(demo_sessions, "P00001"))
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    sale = register.complete(tendering)
    new = items(demo_sessions)[before:]
    kinds = [item.kind for item in new]
    assert kinds.count("sale") == 1 and "stock" in kinds and "points" in kinds
    assert kinds[0] == "member"  # the enrolment, before the sale that uses it
    payload = json.loads(next(item for item in new if item.kind == "sale").payload)
    assert payload["number"] == sale.number and payload["lines"][0]["qty"] == 2
    with demo_sessions() as session:
        uid = session.scalars(select(Member.uid).where(Member.phone == "13900009999")).one()
    assert payload["member_uid"] == uid
    assert len({item.uid for item in new}) == len(new)


def test_a_sales_stock_items_name_the_lots_as_sold_without_reading_them_again(
    register: RegisterService, demo_sessions: sessionmaker[Session], demo_engine: Engine
) -> None:
    register.scan(barcode_of(demo_sessions, "P00001"))
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(demo_engine, "before_cursor_execute", seen)
    try:
        sale = register.complete(tendering)
    finally:
        event.remove(demo_engine, "before_cursor_execute", seen)
    assert not [s for s in statements if "FROM lot" in s and "WHERE lot.id = ?" in s]
    stock = [json.loads(item.payload) for item in items(demo_sessions, "stock")]
    with demo_sessions() as session:
        sold = session.scalars(select(Sale).where(Sale.number == sale.number)).one()
        lots = [(line.sku, lot.lot_number, lot.expiry) for line in sold.lines for lot in line.lots]
    mine = [item for item in stock if item["sale_number"] == sale.number]
    assert [(item["sku"], item["lot_number"], item["expiry"]) for item in mine] == [
        (sku, number, f"{expiry:%Y-%m-%d}") for sku, number, expiry in lots
    ]


def test_a_failed_sale_leaves_no_outbox_item(
    register: RegisterService, demo_sessions: sessionmaker[Session]
) -> None:
    before = len(items(demo_sessions))
    register.scan(barcode_of(demo_sessions, "P00001"))
    tendering = register.start_payment()
    with pytest.raises(InputError):
        register.complete(tendering)  # not paid
    assert len(items(demo_sessions)) == before
    with demo_sessions.begin() as session:
        outbox.enqueue(session, "return", "R1", {"at": NOW})
        session.rollback()
    assert len(items(demo_sessions)) == before


def test_member_edits_and_erasure_are_sent_by_field_group(
    demo_sessions: sessionmaker[Session],
) -> None:
    with demo_sessions.begin() as session:
        member = session.scalars(select(Member).order_by(Member.id)).first()
        assert member is not None
        member.name = "改名"
        member.updated_at = NOW
    with demo_sessions.begin() as session:
        member = session.get_one(Member, member.id)
        member_care.erase_member(session, member, NOW)
    edit, erase = (json.loads(item.payload) for item in items(demo_sessions, "member")[-2:])
    assert edit["op"] == "edit" and set(edit["fields"]) == {"name"}
    assert edit["fields"]["name"]["name"] == "改名"
    assert erase == {"op": "erase", "uid": member.uid, "changed_at": NOW.isoformat()}


def test_every_new_session_factory_is_tracked(demo_engine: Engine) -> None:
    """Factories made and dropped one after another (each often at a freed one's address)."""
    for number in range(40):
        factory = make_session_factory(demo_engine)
        with factory.begin() as session:
            member = session.scalars(select(Member).order_by(Member.id)).first()
            assert member is not None
            member.name = f"改名{number}"
        del factory, session
        gc.collect(0)
    names = [json.loads(item.payload)["fields"]["name"]["name"] for item in
             items(make_session_factory(demo_engine), "member")]  # fmt: skip
    assert names[-40:] == [f"改名{number}" for number in range(40)]


def test_a_savepoint_rolled_back_keeps_what_came_before_it(
    demo_sessions: sessionmaker[Session],
) -> None:
    with demo_sessions.begin() as session:
        first, second = session.scalars(select(Member).order_by(Member.id).limit(2))
        first.name = "保留"
        session.flush()
        savepoint = session.begin_nested()
        second.name = "撤销"
        session.flush()
        savepoint.rollback()
    sent = [json.loads(item.payload)["fields"]["name"]["name"]
            for item in items(demo_sessions, "member")]  # fmt: skip
    assert "保留" in sent and "撤销" not in sent


def test_enqueue_is_the_hook_for_other_changes(demo_sessions: sessionmaker[Session]) -> None:
    with demo_sessions.begin() as session:
        item = outbox.enqueue(session, "return", "R-1", {"number": "R-1", "at": NOW})
        assert outbox.waiting(session) >= 1
    assert json.loads(item.payload) == {"at": NOW.isoformat(), "number": "R-1"}
    with demo_sessions() as session:
        assert session.scalar(select(func.count()).where(OutboxItem.kind == "return")) == 1
        assert session.scalar(select(func.count()).select_from(Sale)) == 0


def test_head_office_applies_an_item_once_even_of_an_unknown_kind(tmp_path: Path) -> None:
    engine = central.make_hq_engine(f"sqlite:///{tmp_path}/hq.db")
    central.init_hq(engine)
    sent = central.Sent("u1", "return", "R-1", {"number": "R-1"}, NOW)
    with central.hq_sessions(engine).begin() as session:
        now = datetime.now().astimezone()
        assert central.receive(session, "001", "01", [sent, sent], now) == 1
        assert central.receive(session, "001", "01", [sent], now) == 0
    engine.dispose()


def test_a_second_sale_under_a_known_number_is_kept_too(tmp_path: Path) -> None:
    """A register restored from an old backup numbers sales again: head office keeps both."""
    engine = central.make_hq_engine(f"sqlite:///{tmp_path}/hq.db")
    central.init_hq(engine)
    number = "S001-01-20260310-0001"
    sale: dict[str, object] = {"number": number, "business_date": "2026-03-10",
            "completed_at": NOW.isoformat(), "total_fen": 100}  # fmt: skip
    first = central.Sent("u1", "sale", number, sale, NOW)
    again = central.Sent("u2", "sale", number, sale | {"total_fen": 200}, NOW)
    with central.hq_sessions(engine).begin() as session:
        assert central.receive(session, "001", "01", [first, again], NOW) == 2
        totals = session.scalars(select(HqSale.total_fen).order_by(HqSale.total_fen)).all()
    assert totals == [100, 200]
    engine.dispose()
