"""Members at head office: identity by card, merged by phone only when it is the same
person; concurrent edits settled by head office's order of arrival, the losing values
kept and listed (against a real PostgreSQL, two registers in two stores)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.cli.common import EXIT_OK
from pos.domain.members import points_ledger
from pos.domain.members.members import MemberForm
from pos.enums import Tender
from pos.models import HqMemberAlias, HqMemberConflict, HqPointsEntry, HqSale, Member, Sale
from pos.register.service import RegisterIdentity, RegisterService
from pos.store.db import make_engine, make_session_factory
from pos.sync import central, identity, runner
from tests.conftest import NOW
from tests.helpers import barcode_of

OLD_PHONE = "13900006666"
REUSED = "13900007777"


@dataclass
class Till:
    store: str
    engine: Engine
    sessions: sessionmaker[Session]
    service: RegisterService

    def sync(self, url: str) -> None:
        engine = central.make_hq_engine(url)
        try:
            runner.sync(self.sessions, engine, self.store, "01")
        finally:
            engine.dispose()

    def enrol(self, phone: str, name: str) -> int:
        view = self.service.enrol(MemberForm(phone=phone, name=name, consent_terms=True))
        assert view.member is not None
        return view.member.id

    def sell_to(self, member_id: int) -> str:
        self.service.scan(f"3*{barcode_of(self.sessions, 'P00001')}")
        self.service.attach_member(member_id)
        tendering = self.service.start_payment()
        tendering.add(Tender.CASH, None)
        return self.service.complete(tendering).number

    def member(self, member_id: int) -> Member:
        with self.sessions() as session:
            return session.get_one(Member, member_id)


def clock(minutes: int) -> Callable[[], datetime]:
    moment = NOW + timedelta(minutes=minutes)
    return lambda: moment


@pytest.fixture
def tills(demo_template: Path, tmp_path: Path) -> Iterator[tuple[Till, Till]]:
    """Store 001 (its clock right) and store 002 (its clock two hours fast)."""
    made = []
    for store, minutes in (("001", 0), ("002", 120)):
        path = tmp_path / f"store{store}.db"
        shutil.copy(demo_template, path)
        engine = make_engine(path)
        sessions = make_session_factory(engine)
        service = RegisterService(sessions, RegisterIdentity(store, "01"), clock(minutes))
        made.append(Till(store, engine, sessions, service))
    yield made[0], made[1]
    for till in made:
        till.engine.dispose()


def at_hq(url: str) -> tuple[Engine, Session]:
    engine = central.make_hq_engine(url)
    return engine, Session(engine)


@pytest.mark.parametrize("a_first", [True, False], ids=["change-arrives-first", "enrol-first"])
def test_a_reused_phone_is_not_merged_and_the_conflict_is_listed(
    tills: tuple[Till, Till], hq_url: str, a_first: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tills
    zhang = a.enrol(OLD_PHONE, "张三")
    a.sync(hq_url)
    b.sync(hq_url)
    # Offline: 张三 changes their phone at A; at B another person enrols with that number.
    a.service.edit_member(zhang, MemberForm(REUSED, "张三", consent_terms=True))
    li = b.enrol(REUSED, "李四")
    sale_b = b.sell_to(li)
    first, second = (a, b) if a_first else (b, a)
    first.sync(hq_url)
    second.sync(hq_url)
    a.sync(hq_url)
    b.sync(hq_url)
    zhang_uid, li_uid = a.member(zhang).uid, b.member(li).uid
    assert zhang_uid != li_uid  # B's member kept its own identity
    engine, hq = at_hq(hq_url)
    with hq:
        assert hq.scalar(select(func.count()).select_from(HqMemberAlias)) == 0
        people = {
            m.uid: m for m in hq.scalars(select(Member).where(Member.uid.in_([zhang_uid, li_uid])))
        }
        assert {m.name for m in people.values()} == {"张三", "李四"}
        owner = people[zhang_uid] if a_first else people[li_uid]
        loser = people[li_uid] if a_first else people[zhang_uid]
        assert owner.phone == REUSED and loser.phone != REUSED
        [conflict] = hq.scalars(select(HqMemberConflict)).all()
        assert (conflict.member_id, conflict.other_member_id) == (loser.id, owner.id)
        assert (conflict.field, conflict.reason) == ("phone", "phone")
        assert conflict.store_code == ("002" if a_first else "001")
        # B's sale and points stay with B's member.
        assert hq.scalars(select(HqSale.member_uid).where(HqSale.number == sale_b)).one() == li_uid
        earned = hq.scalars(
            select(HqPointsEntry.member_id).where(HqPointsEntry.sale_number == sale_b)
        ).all()
        assert earned and set(earned) == {people[li_uid].id}
        [view] = identity.conflicts(hq)
        assert view.lost == "139****7777" and view.other_card_no == owner.card_no
    engine.dispose()
    with b.sessions() as session:
        assert session.scalars(select(Sale.member_id).where(Sale.number == sale_b)).one() == li
        assert points_ledger.balance(session, li) > 0
    capsys.readouterr()
    assert main(["hq", "members", "conflicts", "--url", hq_url]) == EXIT_OK
    out = capsys.readouterr().out
    assert "139****7777" in out and REUSED not in out and owner.card_no in out


def test_concurrent_edits_follow_head_office_order_not_clocks(
    tills: tuple[Till, Till], hq_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tills
    local_a = a.enrol(OLD_PHONE, "王五")
    a.sync(hq_url)
    b.sync(hq_url)
    with b.sessions() as session:
        local_b = session.scalars(select(Member.id).where(Member.phone == OLD_PHONE)).one()
    # B's clock is two hours fast; A edits after B in real time, and arrives last: it wins.
    b.service.edit_member(local_b, MemberForm(OLD_PHONE, "王五一", consent_terms=True))
    a.service.edit_member(
        local_a, MemberForm(OLD_PHONE, "王五二", birthday="1980-05-06", consent_terms=True)
    )
    b.sync(hq_url)
    a.sync(hq_url)
    b.sync(hq_url)
    for till, member_id in ((a, local_a), (b, local_b)):
        member = till.member(member_id)
        assert member.name == "王五二" and str(member.birthday) == "1980-05-06"
    engine, hq = at_hq(hq_url)
    with hq:
        rows = hq.scalars(select(HqMemberConflict)).all()
        assert [(r.field, r.reason, r.store_code) for r in rows] == [("name", "edit", "002")]
        assert '"name": "王五一"' in rows[0].lost
        [view] = identity.conflicts(hq)
        assert view.lost == "王*"
    engine.dispose()
    capsys.readouterr()
    assert main(["hq", "members", "conflicts", "--url", hq_url]) == EXIT_OK
    out = capsys.readouterr().out
    assert "name: 王* lost" in out and "store 002 register 01" in out
    # The same register editing again is no conflict; nor is a value that did not change.
    a.service.edit_member(local_a, MemberForm(OLD_PHONE, "王五三", consent_terms=True))
    a.sync(hq_url)
    engine, hq = at_hq(hq_url)
    with hq:
        assert hq.scalar(select(func.count()).select_from(HqMemberConflict)) == 1
    engine.dispose()


def ledger(hq: Session, uid: str) -> int:
    member = hq.scalars(select(Member).where(Member.uid == uid)).one()
    return int(
        hq.scalar(select(func.sum(HqPointsEntry.delta)).where(HqPointsEntry.member_id == member.id))
        or 0
    )


def test_a_manager_merges_two_members_and_takes_them_apart_again(
    tills: tuple[Till, Till], hq_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tills
    zhang = a.enrol(OLD_PHONE, "张三")
    a.sell_to(zhang)
    li = b.enrol(REUSED, "李四")
    sale_b = b.sell_to(li)
    a.sync(hq_url)
    b.sync(hq_url)
    zhang_uid, li_uid = a.member(zhang).uid, b.member(li).uid
    engine, hq = at_hq(hq_url)
    with hq:
        cards = dict(
            (row[0], row[1])
            for row in hq.execute(
                select(Member.uid, Member.card_no).where(Member.uid.in_([zhang_uid, li_uid]))
            )
        )
        own_a, own_b = ledger(hq, zhang_uid), ledger(hq, li_uid)
    engine.dispose()
    assert own_a > 0 and own_b > 0
    url = ["--url", hq_url]
    assert main(["hq", "members", "merge", cards[zhang_uid], cards[li_uid], *url]) == EXIT_OK
    assert main(["hq", "members", "merge", cards[zhang_uid], cards[li_uid], *url]) == 1
    later = b.sell_to(li)  # B still sells to its member: head office counts it for A's
    b.sync(hq_url)
    engine, hq = at_hq(hq_url)
    with hq:
        assert ledger(hq, li_uid) == 0
        merged_total = ledger(hq, zhang_uid)
        assert merged_total > own_a + own_b
        sold_to = dict(
            (row[0], row[1])
            for row in hq.execute(
                select(HqSale.number, HqSale.member_uid).where(HqSale.number.in_([sale_b, later]))
            )
        )
        assert sold_to == {sale_b: zhang_uid, later: zhang_uid}
    engine.dispose()
    a.sync(hq_url)
    with a.sessions() as session:
        assert points_ledger.balance(session, zhang) == merged_total
    assert main(["hq", "members", "unmerge", cards[li_uid], *url]) == EXIT_OK
    assert main(["hq", "members", "unmerge", cards[li_uid], *url]) == 1
    engine, hq = at_hq(hq_url)
    with hq:
        assert ledger(hq, zhang_uid) == own_a
        assert ledger(hq, li_uid) == merged_total - own_a
        sold_to = dict(
            (row[0], row[1])
            for row in hq.execute(
                select(HqSale.number, HqSale.member_uid).where(HqSale.number.in_([sale_b, later]))
            )
        )
        assert sold_to == {sale_b: li_uid, later: li_uid}
        assert hq.scalar(select(func.count()).select_from(HqMemberAlias)) == 0
    engine.dispose()


def test_a_merge_made_at_enrolment_can_be_taken_apart(
    tills: tuple[Till, Till], hq_url: str
) -> None:
    a, b = tills
    first = a.enrol(REUSED, "赵六")
    a.sync(hq_url)
    second = b.enrol(REUSED, "赵六")  # B was offline: the same name, merged at head office
    b.sell_to(second)
    second_uid, second_card = b.member(second).uid, b.member(second).card_no
    b.sync(hq_url)
    engine, hq = at_hq(hq_url)
    with hq:
        assert hq.scalar(select(func.count()).where(HqMemberAlias.uid == second_uid)) == 1
        together = ledger(hq, a.member(first).uid)
    engine.dispose()
    assert together > 0
    assert main(["hq", "members", "unmerge", second_card, "--url", hq_url]) == EXIT_OK
    engine, hq = at_hq(hq_url)
    with hq:
        restored = hq.scalars(select(Member).where(Member.uid == second_uid)).one()
        assert restored.name == "赵六" and restored.phone is None
        assert ledger(hq, second_uid) == together
        assert ledger(hq, a.member(first).uid) == 0
    engine.dispose()
