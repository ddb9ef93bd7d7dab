"""Members' health data reaches a register only where the member visits (PIPL: minimum
necessary), enforced by PostgreSQL itself (against the real PostgreSQL; each store's
register syncs with its own role, ``pos hq grant``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.cli.common import EXIT_OK
from pos.domain.members.member_care import erase_member
from pos.domain.members.members import MemberForm
from pos.enums import Tender
from pos.models import Member, OutboxItem
from pos.register.service import RegisterIdentity, RegisterService
from pos.store.db import make_engine, make_session_factory
from pos.sync import central, runner
from pos.sync.health import HealthFetch
from tests.conftest import NOW
from tests.helpers import barcode_of

PHONE = "13900008888"
OTHER = "13900009999"


def role_url(hq_url: str, store: str) -> str:
    url = make_url(hq_url).set(username=f"pos_reg_{store}_01", password="s3cret")
    return url.render_as_string(hide_password=False)


@dataclass
class Till:
    store: str
    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    service: RegisterService

    def sync(self) -> None:
        engine = central.make_hq_engine(self.url)
        try:
            runner.sync(self.sessions, engine, self.store, "01")
        finally:
            engine.dispose()

    def enrol(self, phone: str, allergies: str) -> str:
        form = MemberForm(
            phone=phone, name="孙丽", consent_terms=True, consent_health=True, allergies=allergies
        )
        view = self.service.enrol(form)
        assert view.member is not None
        self.service.detach_member()
        return self.member(view.member.id).uid

    def local(self, uid: str) -> Member:
        with self.sessions() as session:
            return session.scalars(select(Member).where(Member.uid == uid)).one()

    def member(self, member_id: int) -> Member:
        with self.sessions() as session:
            return session.get_one(Member, member_id)

    def sell_to(self, member_id: int) -> None:
        self.service.scan(barcode_of(self.sessions, "P00001"))
        self.service.attach_member(member_id)
        tendering = self.service.start_payment()
        tendering.add(Tender.CASH, None)
        self.service.complete(tendering)


@pytest.fixture
def tills(
    demo_template: Path, tmp_path: Path, hq_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Till, Till]]:
    """A register at store 001 (A) and one at store 002 (B), each with its own role."""
    monkeypatch.setenv("POS_HQ_GRANT_PASSWORD", "s3cret")
    made = []
    for store in ("001", "002"):
        assert main(["hq", "grant", store, "01", "--url", hq_url]) == EXIT_OK
        path = tmp_path / f"store{store}.db"
        shutil.copy(demo_template, path)
        engine = make_engine(path)
        sessions = make_session_factory(engine)
        service = RegisterService(sessions, RegisterIdentity(store, "01"), lambda: NOW)
        made.append(Till(store, role_url(hq_url, store), engine, sessions, service))
    yield made[0], made[1]
    for till in made:
        till.engine.dispose()


def as_role(till: Till, statement: str, **params: object) -> list[tuple[object, ...]]:
    engine = central.make_hq_engine(till.url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(statement), params)]
    finally:
        engine.dispose()


def at_owner(hq_url: str, statement: str, **params: object) -> list[tuple[object, ...]]:
    engine = central.make_hq_engine(hq_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(statement), params)]
    finally:
        engine.dispose()


def test_health_notes_reach_only_the_stores_a_member_visits(
    tills: tuple[Till, Till], hq_url: str
) -> None:
    a, b = tills
    uid = a.enrol(PHONE, "青霉素")
    a.sync()
    b.sync()
    # Head office keeps the notes apart; the member's row there has none.
    assert at_owner(hq_url, "SELECT allergies FROM member WHERE uid = :u", u=uid) == [("",)]
    held = "SELECT h.allergies FROM hq_member_health h JOIN member m ON m.id = h.member_id"
    assert at_owner(hq_url, held + " WHERE m.uid = :u", u=uid) == [("青霉素",)]
    # B pulled the member (and the consent) but not the allergies: never visited B.
    at_b = b.local(uid)
    assert at_b.consent_health and at_b.allergies == ""
    assert a.local(uid).allergies == "青霉素"
    # PostgreSQL itself keeps them from B's role, whatever B's query; A's role reads them.
    assert as_role(b, held + " WHERE m.uid = :u", u=uid) == []
    assert as_role(b, "SELECT count(*) FROM hq_member_health") == [(0,)]
    assert as_role(b, "SELECT allergies FROM member WHERE uid = :u", u=uid) == [("",)]
    assert as_role(a, held + " WHERE m.uid = :u", u=uid) == [("青霉素",)]
    # B cannot record a visit by writing the visits table itself.
    refused = "INSERT INTO hq_member_store VALUES (1, '002', now(), now())"
    with pytest.raises(Exception, match="permission denied"):
        as_role(b, refused)

    # The member buys at B: B's next pull brings the notes.
    b.sell_to(at_b.id)
    b.sync()
    assert b.local(uid).allergies == "青霉素"
    assert as_role(b, held + " WHERE m.uid = :u", u=uid) == [("青霉素",)]

    # Consent withdrawn at A: head office forgets the notes, B's next pull erases them.
    a.service.login("yaoshi01", "1234")
    form = replace(a.service.member_form(a.local(uid).id), consent_health=False, allergies="")
    a.service.edit_member(a.local(uid).id, form)
    a.sync()
    b.sync()
    assert at_owner(hq_url, held + " WHERE m.uid = :u", u=uid) == []
    gone = b.local(uid)
    assert not gone.consent_health and gone.allergies == ""


def test_an_online_attach_fetches_the_notes_and_an_offline_one_says_so(
    tills: tuple[Till, Till], hq_url: str
) -> None:
    a, b = tills
    uid = a.enrol(OTHER, "阿司匹林")
    a.sync()
    b.sync()
    member_id = b.local(uid).id

    offline = RegisterService(
        b.sessions,
        RegisterIdentity("002", "01"),
        lambda: NOW,
        health=HealthFetch("postgresql://nobody:x@127.0.0.1:1/none", "002", 2),
    )
    cart = offline.attach_member(member_id)
    assert cart.member is not None
    assert cart.member.health_note == "health notes not on this register (offline)"
    assert cart.member.allergies == ""
    assert b.local(uid).allergies == ""  # nothing stored
    with b.sessions() as session:  # nor anything to send back
        assert session.scalars(select(OutboxItem).where(OutboxItem.sent_at.is_(None))).all() == []

    online = RegisterService(
        b.sessions,
        RegisterIdentity("002", "01"),
        lambda: NOW,
        health=HealthFetch(b.url, "002", 2),
    )
    cart = online.attach_member(member_id)
    assert cart.member is not None
    assert cart.member.allergies == "阿司匹林" and cart.member.health_note == ""
    assert b.local(uid).allergies == "阿司匹林"
    with b.sessions() as session:  # kept here, not sent back to head office as B's edit
        assert session.scalars(select(OutboxItem).where(OutboxItem.sent_at.is_(None))).all() == []
    # The attach was recorded as a visit at B: B's role may read the notes from now on.
    visits = "SELECT s.store_code FROM hq_member_store s JOIN member m ON m.id = s.member_id"
    assert sorted(at_owner(hq_url, visits + " WHERE m.uid = :u", u=uid)) == [("001",), ("002",)]
    assert as_role(b, visits + " WHERE m.uid = :u", u=uid) == [("002",)]

    # The member is erased at A: head office drops the notes, B's next pull erases them.
    with a.sessions.begin() as session:
        erase_member(session, session.get_one(Member, a.local(uid).id), NOW)
    a.sync()
    b.sync()
    held = "SELECT count(*) FROM hq_member_health h JOIN member m ON m.id = h.member_id"
    assert at_owner(hq_url, held + " WHERE m.uid = :u", u=uid) == [(0,)]
    assert b.local(uid).allergies == "" and b.local(uid).erased_at is not None
