"""Points the chain can trust: head office confirms redemptions online, a daily limit applies
offline, and a balance spent twice below zero is recorded and reported, against a real
PostgreSQL (two registers in two stores)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.cli.common import EXIT_OK
from pos.domain.members import points_ledger
from pos.domain.members.loyalty import LoyaltyRules
from pos.domain.members.members import MemberForm
from pos.domain.sales.codes import InputError
from pos.enums import Tender
from pos.models import Base, HqPointsDebt, Member, Sale
from pos.register.service import RegisterIdentity, RegisterService
from pos.store.db import make_engine, make_session_factory
from pos.sync import central, points, runner
from pos.sync.redemption import RedemptionCheck
from tests.conftest import NOW
from tests.helpers import barcode_of, closed_port

PHONE = "13900005555"
OFFLINE = f"postgresql://pos@127.0.0.1:{closed_port()}/hq"


@dataclass
class Till:
    """A register of the chain whose redemptions go through a :class:`RedemptionCheck`."""

    store: str
    engine: Engine
    sessions: sessionmaker[Session]
    service: RegisterService
    check: RedemptionCheck

    def sync(self, url: str) -> runner.SyncReport:
        engine = central.make_hq_engine(url)
        try:
            return runner.sync(self.sessions, engine, self.store, "01")
        finally:
            engine.dispose()

    def member_id(self) -> int:
        with self.sessions() as session:
            return session.scalars(select(Member.id).where(Member.phone == PHONE)).one()

    def balance(self) -> int:
        with self.sessions() as session:
            return points_ledger.balance(session, self.member_id())

    def redeem_all(self, qty: int = 40) -> str:
        """Sell ``qty`` fish oil to the member, points paying all they may; the sale number."""
        self.service.scan(f"{qty}*{barcode_of(self.sessions, 'P00001')}")
        self.service.attach_member(self.member_id())
        tendering = self.service.start_payment()
        tendering.add(Tender.POINTS, None)
        tendering.add(Tender.CASH, None)
        return self.service.complete(tendering).number

    def sales(self) -> int:
        with self.sessions() as session:
            return int(session.scalar(select(func.count(Sale.id))) or 0)


@pytest.fixture
def tills(demo_template: Path, tmp_path: Path, hq_url: str) -> Iterator[tuple[Till, Till]]:
    """Register 01 of store 001 and of store 002, both online (head office at ``hq_url``)."""
    made = []
    for store in ("001", "002"):
        path = tmp_path / f"store{store}.db"
        shutil.copy(demo_template, path)
        engine = make_engine(path)
        sessions = make_session_factory(engine)
        check = RedemptionCheck(hq_url, offline_limit=100_000, timeout_seconds=2)
        service = RegisterService(
            sessions,
            RegisterIdentity(store, "01"),
            lambda: NOW,
            rules=LoyaltyRules(points_per_yuan=0),  # no points earned: the sums stay plain
            redemption=check,
        )
        made.append(Till(store, engine, sessions, service, check))
    yield made[0], made[1]
    for till in made:
        till.check.close()
        till.engine.dispose()


def go_offline(till: Till) -> None:
    """Head office cannot be reached from ``till`` any more."""
    till.check.hq_url = OFFLINE
    till.check.close()


def enrol_with_points(till: Till, hq_url: str, amount: int) -> None:
    """Enrol the member at ``till`` with ``amount`` points, both registers then synced."""
    view = till.service.enrol(MemberForm(phone=PHONE, name="赵六", consent_terms=True))
    assert view.member is not None
    with till.sessions.begin() as session:
        points_ledger.post_points(session, view.member.id, amount, "adjust", NOW)
    till.sync(hq_url)


def test_double_spend_at_two_offline_registers_is_reported(
    tills: tuple[Till, Till], hq_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tills
    enrol_with_points(a, hq_url, 3000)
    b.sync(hq_url)
    assert a.balance() == b.balance() == 3000
    go_offline(a)
    go_offline(b)
    spent_a = a.redeem_all()
    spent_b = b.redeem_all()
    assert a.balance() == b.balance() == 0  # each register saw only its own redemption
    a.sync(hq_url)
    b.sync(hq_url)
    engine = central.make_hq_engine(hq_url)
    with central.hq_sessions(engine)() as hq:
        debts = hq.scalars(select(HqPointsDebt)).all()
        assert [(d.store_code, d.register_id, d.delta, d.balance_after) for d in debts] == [
            ("002", "01", -3000, -3000)
        ]
    capsys.readouterr()
    assert main(["hq", "report", "negative-balances", "--url", hq_url]) == EXIT_OK
    out = capsys.readouterr().out
    assert "139****5555" in out and PHONE not in out
    assert "balance -3000" in out
    assert spent_a in out and spent_b in out
    assert "store 001 register 01" in out and "store 002 register 01" in out
    # Points earned later pay the debt off in the ledger; the record of it stays.
    with a.sessions.begin() as session:
        points_ledger.post_points(session, a.member_id(), 5000, "adjust", NOW)
    a.sync(hq_url)
    with central.hq_sessions(engine)() as hq:
        assert hq.scalar(select(func.count()).select_from(HqPointsDebt)) == 1
        [row] = points.negative_balances(hq)
        assert (row.balance, row.lowest) == (2000, -3000)
        assert points.negative_balances(hq, open_only=True) == []
    engine.dispose()
    assert main(["hq", "report", "negative-balances", "--url", hq_url]) == EXIT_OK
    assert "balance 2000 (lowest -3000" in capsys.readouterr().out
    assert main(["hq", "report", "negative-balances", "--open", "--url", hq_url]) == EXIT_OK
    assert "No member's points went below zero" in capsys.readouterr().out


def test_online_redemption_is_refused_when_head_office_has_the_points_spent(
    tills: tuple[Till, Till], hq_url: str
) -> None:
    a, b = tills
    enrol_with_points(a, hq_url, 3000)
    b.sync(hq_url)
    b.redeem_all()  # online: confirmed, and sent
    b.sync(hq_url)
    assert a.balance() == 3000  # A has not pulled since
    sales = a.sales()
    with pytest.raises(InputError, match="Head office shows 0 points"):
        a.redeem_all()
    assert a.sales() == sales and a.balance() == 3000  # nothing stored
    a.sync(hq_url)
    assert a.balance() == 0
    engine = central.make_hq_engine(hq_url)
    with central.hq_sessions(engine)() as hq:
        assert points.negative_balances(hq) == []
    engine.dispose()


def test_online_redemption_counts_points_not_yet_sent(
    tills: tuple[Till, Till], hq_url: str
) -> None:
    a, _b = tills
    enrol_with_points(a, hq_url, 1000)
    with a.sessions.begin() as session:  # earned here, still in the outbox
        points_ledger.post_points(session, a.member_id(), 2000, "adjust", NOW)
    number = a.redeem_all()
    with a.sessions() as session:
        sale = session.scalars(select(Sale).where(Sale.number == number)).one()
        assert sale.points_redeemed == 3000
    assert a.balance() == 0


def test_offline_redemptions_are_limited_per_member_per_day(
    tills: tuple[Till, Till], hq_url: str
) -> None:
    a, _b = tills
    enrol_with_points(a, hq_url, 3000)
    go_offline(a)
    a.check.offline_limit = 500
    sales = a.sales()
    with pytest.raises(InputError, match="at most 500 points a day here"):
        a.redeem_all()
    assert a.sales() == sales and a.balance() == 3000
    # The cart is still there: points pay 500 of it, cash the rest.
    assert pay_with_points(a, 500) is not None
    assert a.balance() == 2500
    a.service.scan(barcode_of(a.sessions, "P00001"))
    a.service.attach_member(a.member_id())
    with pytest.raises(InputError, match=r"\(0 left today\)"):
        pay_with_points(a, 1)
    a.check.hq_url = hq_url  # head office is back: it confirms again
    a.check.close()
    pay_with_points(a, 1)
    assert a.balance() == 2499


def pay_with_points(till: Till, amount: int) -> str:
    """Pay the cart with ``amount`` fen of points and cash for the rest."""
    tendering = till.service.start_payment()
    tendering.add(Tender.POINTS, amount)
    tendering.add(Tender.CASH, None)
    return till.service.complete(tendering).number


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=-500, max_value=500), min_size=1, max_size=25))
def test_every_entry_leaving_the_balance_below_zero_is_recorded(deltas: list[int]) -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as hq:
        member = Member(
            uid="m1",
            card_no="8800000001",
            tier="normal",
            consent_terms=True,
            consents_at=NOW,
            enrolled_at=NOW,
            updated_at=NOW,
        )
        hq.add(member)
        hq.flush()
        items = [
            central.Sent(
                f"u{index}",
                "points",
                "m1",
                {
                    "member_uid": "m1",
                    "delta": delta,
                    "reason": "redeem" if delta < 0 else "earn",
                    "sale_number": None,
                    "created_at": (NOW + timedelta(minutes=index)).isoformat(),
                },
                NOW,
            )
            for index, delta in enumerate(deltas)
        ]
        now = datetime(2026, 3, 11, tzinfo=UTC)
        assert central.receive(hq, "001", "02", items, now) == len(deltas)
        assert central.receive(hq, "001", "02", items, now) == 0  # resent: nothing doubled
        expected, total = [], 0
        for index, delta in enumerate(deltas):
            total += delta
            if delta < 0 and total < 0:
                expected.append((f"u{index}", total))
        recorded = hq.execute(
            select(HqPointsDebt.entry_uid, HqPointsDebt.balance_after).order_by(HqPointsDebt.id)
        ).all()
        assert [tuple(row) for row in recorded] == expected
        assert points.ledger_sum(hq, member.id) == sum(deltas)
        rows = points.negative_balances(hq)
        assert len(rows) == (1 if expected else 0)
        if expected:
            assert rows[0].lowest == min(balance for _uid, balance in expected)
    engine.dispose()
