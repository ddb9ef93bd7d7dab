"""Chain sync against a real PostgreSQL: two registers (two SQLite files) and head office."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.members import members, points_ledger
from pos.domain.members.members import MemberForm
from pos.enums import Tender
from pos.models import (
    Barcode,
    HqEvent,
    HqMemberAlias,
    HqPointsEntry,
    HqSale,
    Member,
    OutboxItem,
    Product,
)
from pos.register.service import RegisterIdentity, RegisterService
from pos.store.db import make_engine, make_session_factory
from pos.sync import catalogue, central, runner
from tests.conftest import NOW
from tests.helpers import barcode_of, closed_port
from tests.postgres import PostgresServer, TcpProxy


@dataclass
class Register:
    """One register of the chain: its database and its service."""

    store: str
    engine: Engine
    sessions: sessionmaker[Session]
    service: RegisterService

    def sell(self, sku: str = "P00001", qty: int = 1) -> str:
        """Sell ``qty`` of ``sku`` for cash; return the sale number."""
        self.service.scan(f"{qty}*{barcode_of(self.sessions, sku)}")
        tendering = self.service.start_payment()
        tendering.add(Tender.CASH, None)
        return self.service.complete(tendering).number

    def sync(self, url: str) -> runner.SyncReport:
        """One ``pos sync`` with head office at ``url``."""
        engine = central.make_hq_engine(url)
        try:
            return runner.sync(self.sessions, engine, self.store, "01")
        finally:
            engine.dispose()

    def waiting(self) -> int:
        """Outbox items not yet sent."""
        return runner.status(self.sessions).waiting


def clock_at(minutes: int) -> Callable[[], datetime]:
    """A fixed clock ``minutes`` after the tests' NOW."""
    moment = NOW + timedelta(minutes=minutes)
    return lambda: moment


@pytest.fixture
def registers(demo_template: Path, tmp_path: Path) -> Iterator[tuple[Register, Register]]:
    """Register A (store 001) and register B (store 002), each on its own demo store copy."""
    made = []
    for store, minutes in (("001", 0), ("002", 1)):
        path = tmp_path / f"store{store}.db"
        shutil.copy(demo_template, path)
        engine = make_engine(path)
        sessions = make_session_factory(engine)
        service = RegisterService(sessions, RegisterIdentity(store, "01"), clock_at(minutes))
        made.append(Register(store, engine, sessions, service))
    yield made[0], made[1]
    for register in made:
        register.engine.dispose()


def hq_count(url: str, model: type[object], *where: object) -> int:
    """Rows of ``model`` at head office."""
    engine = central.make_hq_engine(url)
    try:
        with Session(engine) as session:
            query = select(func.count()).select_from(model)
            for condition in where:
                query = query.where(condition)  # type: ignore[arg-type]
            return int(session.scalar(query) or 0)
    finally:
        engine.dispose()


def enrol(register: Register, phone: str, name: str) -> int:
    """Enrol a member at ``register``; return the local id."""
    form = MemberForm(phone=phone, name=name, consent_terms=True)
    view = register.service.enrol(form)
    assert view.member is not None
    return view.member.id


def test_member_enrolled_on_a_is_found_on_b(
    registers: tuple[Register, Register], hq_url: str
) -> None:
    a, b = registers
    enrol(a, "13900001111", "张三")
    a.sync(hq_url)
    report = b.sync(hq_url)
    assert report.members >= 1
    with b.sessions() as session:
        found = members.find(session, "13900001111")
        assert [member.name for member in found] == ["张三"]
    with a.sessions() as session, b.sessions() as other:
        uid = session.scalars(select(Member.uid).where(Member.phone == "13900001111")).one()
        assert other.scalars(select(Member.uid).where(Member.phone == "13900001111")).one() == uid


def test_sales_of_both_registers_reach_hq_exactly_once(
    registers: tuple[Register, Register], hq_url: str
) -> None:
    a, b = registers
    numbers = [a.sell(), a.sell("P00002"), b.sell(), b.sell("P00003", 2)]
    for _round in range(3):
        a.sync(hq_url)
        b.sync(hq_url)
    assert a.waiting() == b.waiting() == 0
    assert hq_count(hq_url, HqSale) == 4
    assert hq_count(hq_url, HqSale, HqSale.number.in_(numbers)) == 4
    # The marks of sent items lost (a crash after head office committed): sent again, no change.
    with a.sessions.begin() as session:
        session.execute(update(OutboxItem).values(sent_at=None))
    events = hq_count(hq_url, HqEvent)
    assert a.sync(hq_url).applied == 0
    assert hq_count(hq_url, HqEvent) == events and hq_count(hq_url, HqSale) == 4


def test_offline_register_keeps_selling_and_catches_up(
    registers: tuple[Register, Register], hq_url: str
) -> None:
    a, _b = registers
    offline = f"postgresql://pos@127.0.0.1:{closed_port()}/hq"
    a.sync(hq_url)
    numbers = [a.sell() for _ in range(5)]
    with pytest.raises(runner.SyncFailed):
        a.sync(offline)
    state = runner.status(a.sessions)
    assert state.waiting >= 5 and state.error
    report = a.sync(hq_url)
    assert report.waiting == 0 and runner.status(a.sessions).error == ""
    assert hq_count(hq_url, HqSale, HqSale.number.in_(numbers)) == 5


def test_push_cut_mid_way_resumes_without_duplicates(
    registers: tuple[Register, Register],
    hq_url: str,
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, _b = registers
    a.sync(hq_url)
    numbers = [a.sell("P00001") for _ in range(12)]
    monkeypatch.setattr(runner, "BATCH", 4)
    database = hq_url.rsplit("/", 1)[1]
    proxy = TcpProxy(postgres_server.port)
    try:
        proxy.sent = 0
        proxy.cut_after = 12_000  # some batches commit, then the cable is pulled mid-push
        with pytest.raises(runner.SyncFailed):
            a.sync(proxy.url(database))
        assert 0 < hq_count(hq_url, HqSale) < 12
        assert a.waiting() > 0
        a.sync(proxy.url(database))
    finally:
        proxy.close()
    assert a.waiting() == 0
    assert hq_count(hq_url, HqSale, HqSale.number.in_(numbers)) == 12
    with a.sessions() as session:
        sent = session.scalar(select(func.count(OutboxItem.id)))
    assert hq_count(hq_url, HqEvent) == sent


def test_member_enrolled_offline_in_two_stores_is_merged_by_phone(
    registers: tuple[Register, Register], hq_url: str
) -> None:
    a, b = registers
    a.sync(hq_url)
    local_a = enrol(a, "13900002222", "李四")  # A is offline meanwhile
    a.sell("P00001", 3)  # earns points at A
    enrol(b, "13900002222", "李四")
    b.sell("P00002", 2)
    b.sync(hq_url)
    a.sync(hq_url)
    b.sync(hq_url)
    engine = central.make_hq_engine(hq_url)
    with Session(engine) as hq:
        people = hq.scalars(select(Member).where(Member.phone == "13900002222")).all()
        assert len(people) == 1
        survivor = people[0]
        assert hq.scalar(select(func.count()).select_from(HqMemberAlias)) == 1
        total = hq.scalar(
            select(func.sum(HqPointsEntry.delta)).where(HqPointsEntry.member_id == survivor.id)
        )
    engine.dispose()
    assert total and total > 0
    with a.sessions() as session:
        member = session.get_one(Member, local_a)
        assert member.uid == survivor.uid  # merged, the local sales and ledger kept
        assert (
            points_ledger.balance(session, local_a)
            == points_ledger.ledger_sum(session, local_a)
            == total
        )
    with b.sessions() as session:
        member_b = session.scalars(select(Member).where(Member.phone == "13900002222")).one()
        assert points_ledger.balance(session, member_b.id) == total


def test_member_edits_last_writer_wins_per_field(
    registers: tuple[Register, Register], hq_url: str
) -> None:
    a, b = registers
    member_a = enrol(a, "13900003333", "王五")
    a.sync(hq_url)
    b.sync(hq_url)
    with b.sessions() as session:
        member_b = session.scalars(select(Member.id).where(Member.phone == "13900003333")).one()
    # B (its clock a minute ahead) renames; A, later in real order but earlier by the clock,
    # renames and changes the birthday: head office's order of arrival decides, never the
    # clocks: A's edit arrives last and wins both fields (B's name is kept as a conflict).
    b.service.edit_member(member_b, MemberForm("13900003333", "王五一", consent_terms=True))
    a.service.edit_member(
        member_a, MemberForm("13900003333", "王五二", birthday="1980-05-06", consent_terms=True)
    )
    b.sync(hq_url)
    a.sync(hq_url)
    b.sync(hq_url)
    for register in (a, b):
        with register.sessions() as session:
            member = session.scalars(select(Member).where(Member.phone == "13900003333")).one()
            assert member.name == "王五二"
            assert str(member.birthday) == "1980-05-06"


def test_catalogue_and_prices_come_from_head_office(
    registers: tuple[Register, Register], hq_url: str
) -> None:
    a, _b = registers
    engine = central.make_hq_engine(hq_url)
    moved = barcode_of(a.sessions, "P00002")  # a code moves to another product at HQ
    with a.sessions() as session, central.hq_sessions(engine).begin() as hq:
        rows = catalogue.product_rows(session, None)
        catalogue.apply_products(hq, rows, NOW)
        hq.execute(
            update(Product)
            .where(Product.sku == "P00001")
            .values(price_fen=999, updated_at=datetime.now().astimezone())
        )
        row = next(row for row in rows if row["sku"] == "P00003")
        row["barcodes"].append([moved, "ean13"])
        assert catalogue.apply_products(hq, [row], datetime.now().astimezone()) == 1
    engine.dispose()
    report = a.sync(hq_url)
    assert report.products == 3  # P00001's price, P00003 gains the code, P00002 loses it
    with a.sessions() as session:
        price = session.scalars(select(Product.price_fen).where(Product.sku == "P00001")).one()
        assert price == 999
        owner = session.scalars(select(Barcode.product_id).where(Barcode.code == moved)).one()
        assert session.get_one(Product, owner).sku == "P00003"
    assert a.sync(hq_url).products == 0  # nothing new since the watermark changes anything


def test_network_pulled_and_restored_at_random_ends_consistent(
    registers: tuple[Register, Register],
    hq_url: str,
    postgres_server: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two registers, one PostgreSQL, the cable cut at random: same members, each sale once."""
    rng = random.Random(20260310)
    monkeypatch.setattr(runner, "BATCH", 3)
    database = hq_url.rsplit("/", 1)[1]
    proxies = {register.store: TcpProxy(postgres_server.port) for register in registers}
    numbers: list[str] = []
    failures = 0
    phones = [f"1390000{n:04d}" for n in range(6)]
    try:
        for _round in range(8):
            for register in registers:
                for _action in range(rng.randint(1, 3)):
                    if rng.random() < 0.3:
                        phone = rng.choice(phones)
                        with register.sessions() as session:
                            known = members.member_by_phone(session, phone)
                        if known is None:
                            enrol(register, phone, "顾客" + phone[-2:])
                        else:
                            register.service.attach_member(known.id)
                    numbers.append(register.sell(rng.choice(["P00001", "P00002", "P00003"])))
                proxy = proxies[register.store]
                proxy.sent = 0
                proxy.cut_after = rng.choice([None, 3_000, 8_000, 20_000])
                try:
                    register.sync(proxy.url(database))
                except runner.SyncFailed:
                    failures += 1
    finally:
        for proxy in proxies.values():
            proxy.close()
    assert failures > 0
    for register in (*registers, registers[0]):  # the network is back for good
        register.sync(hq_url)
    assert hq_count(hq_url, HqSale) == len(numbers) == len(set(numbers))
    assert hq_count(hq_url, HqSale, HqSale.number.in_(numbers)) == len(numbers)
    seen = []
    for register in registers:
        assert register.waiting() == 0
        with register.sessions() as session:
            seen.append(
                {
                    (
                        member.uid,
                        member.phone,
                        member.name,
                        points_ledger.balance(session, member.id),
                    )
                    for member in session.scalars(select(Member).where(Member.erased_at.is_(None)))
                }
            )
    assert seen[0] == seen[1]
