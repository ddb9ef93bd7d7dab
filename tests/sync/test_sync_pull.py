"""The pull side of the chain sync against a real PostgreSQL: head office's paged change feed."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.members import points_ledger
from pos.enums import Tender
from pos.models import Member, OutboxItem, Sale
from pos.register.service import RegisterIdentity, RegisterService
from pos.store.db import make_engine, make_session_factory
from pos.sync import central, runner
from pos.sync.runner import PullProgress
from tests.conftest import NOW
from tests.helpers import barcode_of

MEMBERS = 70_000
PAGE = 5_000


@pytest.fixture
def hq(hq_url: str) -> Iterator[Engine]:
    """An engine on a new head-office database."""
    engine = central.make_hq_engine(hq_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(
    demo_template: Path, tmp_path: Path
) -> Iterator[tuple[sessionmaker[Session], RegisterService]]:
    """A new register (a copy of the demo store): its sessions and its service."""
    path = tmp_path / "new.db"
    shutil.copy(demo_template, path)
    engine = make_engine(path)
    sessions = make_session_factory(engine)
    yield sessions, RegisterService(sessions, RegisterIdentity("003", "01"), lambda: NOW)
    engine.dispose()


def add_members(hq: Engine, count: int, first: int = 1) -> None:
    """``count`` members enrolled elsewhere, written at head office in one statement."""
    with hq.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO member (uid, card_no, phone, phone_last4, name, tier, enrolled_at,"
                " enrolled_store, consent_terms, consent_marketing, consent_health, consents_at,"
                " allergies, conditions, updated_at)"
                " SELECT md5('m' || g), 'H' || lpad(g::text, 12, '0'),"
                " '170' || lpad(g::text, 8, '0'), right(lpad(g::text, 8, '0'), 4), 'M' || g,"
                " 'normal', now(), '009', true, false, false, now(), '', '', now()"
                " FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g"
            ),
            {"first": first, "last": first + count - 1},
        )


def give_points(hq: Engine, number: int, delta: int) -> None:
    """Member number ``number`` (of :func:`add_members`) earns ``delta`` at head office."""
    with hq.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO hq_points_entry"
                " (uid, member_id, delta, reason, store_code, created_at)"
                " SELECT md5(random()::text), id, :delta, 'sale', '009', now()"
                " FROM member WHERE uid = md5('m' || :number)"
            ),
            {"number": str(number), "delta": delta},
        )


def sell(sessions: sessionmaker[Session], service: RegisterService) -> str:
    """One cash sale of fish oil; its number."""
    service.scan(barcode_of(sessions, "P00001"))
    tendering = service.start_payment()
    tendering.add(Tender.CASH, None)
    return service.complete(tendering).number


def local_points(sessions: sessionmaker[Session], number: int) -> int:
    """Points of member ``number`` at the register."""
    with sessions() as session:
        member = session.scalars(select(Member).where(Member.uid == _uid(number))).one()
        return points_ledger.balance(session, member.id)


def _uid(number: int) -> str:
    import hashlib

    return hashlib.md5(f"m{number}".encode()).hexdigest()


def test_new_register_pulls_70000_members_page_by_page_while_selling(
    hq: Engine, store: tuple[sessionmaker[Session], RegisterService]
) -> None:
    sessions, service = store
    add_members(hq, MEMBERS)
    give_points(hq, 12_345, 300)
    with sessions() as session:
        before = session.scalar(select(func.count()).select_from(Member)) or 0
    pages: list[tuple[PullProgress, int]] = []
    sold: list[str] = []
    failed: list[Exception] = []
    pulling = threading.Event()
    pulling.set()

    def counter() -> None:  # the cashier sells all along, in another thread
        while pulling.is_set():
            try:
                sold.append(sell(sessions, service))
            except Exception as exc:  # "database is locked" would land here
                failed.append(exc)

    def page_done(progress: PullProgress) -> None:
        pages.append((progress, len(sold)))

    cashier = threading.Thread(target=counter)
    cashier.start()
    try:
        pulled = runner.pull(sessions, central.hq_sessions(hq), PAGE, page_done)
    finally:
        pulling.clear()
        cashier.join()

    assert failed == []
    assert pulled[0] == MEMBERS
    member_pages = [page for page, _sales in pages if page.feed == "member"]
    sales_by_page = [sales for page, sales in pages if page.feed == "member"]
    assert sales_by_page[-1] > sales_by_page[0]  # sales went through between the pages
    assert len(member_pages) == MEMBERS // PAGE
    assert [page.done for page in member_pages] == list(range(PAGE, MEMBERS + 1, PAGE))
    assert {page.total for page in member_pages} == {MEMBERS}
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Member)) == before + MEMBERS
        stored = set(session.scalars(select(Sale.number).where(Sale.number.in_(sold))))
        assert stored == set(sold) and len(sold) == len(stored)
        waiting = session.scalar(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.kind == "sale")
        )
        assert waiting == len(sold)  # the sales wait to be pushed
    assert local_points(sessions, 12_345) == 300

    # the next pull brings only what changed since: one member's new points
    give_points(hq, 7, 50)
    assert runner.pull(sessions, central.hq_sessions(hq), PAGE) == (1, 0, 0)
    assert local_points(sessions, 7) == 50
    assert runner.pull(sessions, central.hq_sessions(hq), PAGE) == (0, 0, 0)


def test_a_change_committed_late_is_not_skipped(
    hq: Engine, store: tuple[sessionmaker[Session], RegisterService]
) -> None:
    """A head-office transaction that took its number first but commits last still arrives."""
    sessions, _service = store
    add_members(hq, 3)
    hq_sessions = central.hq_sessions(hq)
    assert runner.pull(sessions, hq_sessions, PAGE)[0] == 3
    slow = hq.connect()
    slow_tx = slow.begin()
    slow.execute(text("UPDATE member SET name = 'Slow' WHERE uid = :uid"), {"uid": _uid(1)})
    with hq.begin() as fast:
        fast.execute(text("UPDATE member SET name = 'Fast' WHERE uid = :uid"), {"uid": _uid(2)})
    assert runner.pull(sessions, hq_sessions, PAGE)[0] == 0  # waits for the older one
    slow_tx.commit()
    slow.close()
    assert runner.pull(sessions, hq_sessions, PAGE)[0] == 2
    with sessions() as session:
        names = session.scalars(
            select(Member.name).where(Member.uid.in_([_uid(1), _uid(2)])).order_by(Member.name)
        ).all()
    assert names == ["Fast", "Slow"]


def test_a_pull_cut_between_pages_resumes_where_it_stopped(
    hq: Engine, store: tuple[sessionmaker[Session], RegisterService]
) -> None:
    sessions, _service = store
    add_members(hq, 250)

    class Cut(Exception):
        pass

    def cut_after_two(progress: PullProgress) -> None:
        if progress.done == 200:
            raise Cut

    with pytest.raises(Cut):
        runner.pull(sessions, central.hq_sessions(hq), 100, cut_after_two)
    with sessions() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Member).where(Member.enrolled_store == "009")
            )
            == 200
        )
    assert runner.pull(sessions, central.hq_sessions(hq), 100)[0] == 50


def test_init_hq_again_keeps_the_feed(hq: Engine) -> None:
    """``pos hq init`` on an existing head office changes nothing and numbers old rows."""
    add_members(hq, 2)
    with hq.begin() as connection:
        connection.execute(text("ALTER TABLE member DISABLE TRIGGER member_change"))
        connection.execute(text("UPDATE member SET change_seq = NULL, change_xid = NULL"))
        connection.execute(text("ALTER TABLE member ENABLE TRIGGER member_change"))
    central.init_hq(hq)
    with hq.connect() as connection:
        unnumbered = connection.scalar(
            text("SELECT count(*) FROM member WHERE change_seq IS NULL OR change_xid IS NULL")
        )
        assert unnumbered == 0
