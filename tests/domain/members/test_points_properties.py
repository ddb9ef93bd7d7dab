"""Points and tiers, property-based: whatever a member does, the ledger and the tier hold.

For random sequences of sales (with and without points redemption), returns,
days passing and tier changes (a new import of the member's tier, with or
without ``tier_until``): the ledger's sum is the balance, no balance is ever
below zero, and the tier is never below its floor before ``tier_until`` nor
below the tier the member's spend reaches.
"""

from __future__ import annotations

import shutil
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pos.domain.members import members, points_ledger
from pos.domain.returns.returns import ReturnRequest
from pos.domain.sales.codes import InputError
from pos.enums import Tender
from pos.models import Member, PointsEntry
from pos.register.service import RegisterIdentity, RegisterService
from pos.register.staff.overrides import Approval
from pos.store.db import make_engine, make_session_factory
from pos.transfer.member_import import MEMBER_COLUMNS, import_members
from tests.domain.members.test_tiers import RULES, Clock
from tests.helpers import barcode_of

TIERS = tuple(tier.name for tier in RULES.tiers)
PHONE = "16612340009"
ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Sell:
    sku: str
    qty: int
    redeem: bool


@dataclass(frozen=True)
class Return:
    sale: int
    """Which of the member's sales so far (modulo their number)."""


@dataclass(frozen=True)
class Wait:
    days: int


@dataclass(frozen=True)
class SetTier:
    tier: str
    until_days: int | None
    """``tier_until`` this many days from today (negative: already over); None: no end."""


Step = Sell | Return | Wait | SetTier

steps = st.one_of(
    st.builds(Sell, st.sampled_from(("P00001", "P00063")), st.integers(1, 3), st.booleans()),
    st.builds(Return, st.integers(0, 7)),
    st.builds(Wait, st.integers(0, 40)),
    st.builds(SetTier, st.sampled_from(TIERS), st.none() | st.integers(-5, 60)),
)


class Shop:
    """A copy of the demo store, one member, and the register selling to them."""

    def __init__(self, path: Path, start: SetTier, points: int) -> None:
        self.engine = make_engine(path)
        self.sessions: sessionmaker[Session] = make_session_factory(self.engine)
        self.clock = Clock()
        self.register = RegisterService(
            self.sessions, RegisterIdentity("001", "01"), self.clock, rules=RULES
        )
        self.card_no = ""
        self.floor: tuple[str, date | None] | None = None
        self.sales: list[str] = []
        self.set_tier(start, points)
        with self.sessions() as session:
            found = members.member_by_phone(session, PHONE)
            assert found is not None
            self.member_id, self.card_no = found.id, found.card_no

    def today(self) -> date:
        return self.register.today()

    def set_tier(self, step: SetTier, points: int) -> None:
        until = None if step.until_days is None else self.today() + timedelta(step.until_days)
        cells = (self.card_no, PHONE, "钱多多", "f", "", step.tier, str(points), "2025-01-02",
                 until.isoformat() if until else "")  # fmt: skip
        data = (",".join((*MEMBER_COLUMNS, "tier_until")) + "\n" + ",".join(cells)).encode()
        with self.sessions.begin() as session:
            report = import_members(session, data, TIERS, self.clock(), ZONE, "001", rules=RULES)
        if step.tier == TIERS[0] and until is not None:
            assert report.errors and not report.applied  # bad row: nothing changed
            return
        assert report.errors == []
        self.floor = None if step.tier == TIERS[0] else (step.tier, until)

    def balance(self) -> int:
        with self.sessions() as session:
            return points_ledger.balance(session, self.member_id)

    def run(self, step: Step) -> None:
        if isinstance(step, Sell):
            self.register.scan(f"{step.qty}*{barcode_of(self.sessions, step.sku)}")
            self.register.attach_member(self.member_id)
            tendering = self.register.start_payment()
            if step.redeem:
                with suppress(InputError):  # no points to pay with
                    tendering.add(Tender.POINTS, None)
            tendering.add(Tender.CASH, None)
            self.sales.append(self.register.complete(tendering).number)
        elif isinstance(step, Return):
            if not self.sales:
                return
            number = self.sales[step.sale % len(self.sales)]
            try:
                lines = self.register.find_return(number).lines
            except InputError:
                return  # returned in full already
            left = {  # one unit of each line with some left: partial, then whole
                line.sale_line_id: 1 for line in lines if line.qty_left > 0
            }
            self.register.complete_return(
                number, ReturnRequest(left), Approval("refund", "dianzhang")
            )
        elif isinstance(step, Wait):
            self.clock.now += timedelta(days=step.days)
        else:
            self.set_tier(step, self.balance())

    def check(self) -> None:
        with self.sessions() as session:
            member = session.get_one(Member, self.member_id)
            entries = session.scalars(
                select(PointsEntry)
                .where(PointsEntry.member_id == self.member_id)
                .order_by(PointsEntry.id)
            ).all()
            running = 0
            for entry in entries:
                running += entry.delta
                assert entry.balance_after == running >= 0
            balance = points_ledger.balance(session, self.member_id)
            assert balance == points_ledger.ledger_sum(session, self.member_id) == running
            assert balance >= 0
            rank = RULES.rank(member.tier)
            spend = points_ledger.spend_last_year(session, self.member_id, self.clock())
            assert rank >= RULES.rank(RULES.tier_for_spend(spend).name)
            if self.floor is not None:
                tier, until = self.floor
                if until is None or self.today() <= until:
                    assert rank >= RULES.rank(tier), (member.tier, self.floor)

    def close(self) -> None:
        self.engine.dispose()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.builds(SetTier, st.sampled_from(TIERS[1:]), st.none() | st.integers(0, 60)),
    points=st.integers(0, 3000),
    script=st.lists(steps, min_size=1, max_size=6),
)
def test_ledger_sums_to_the_balance_and_the_tier_keeps_its_floors(
    demo_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    start: SetTier,
    points: int,
    script: list[Step],
) -> None:
    path = tmp_path_factory.mktemp("points") / "pos.db"
    shutil.copy(demo_template, path)
    shop = Shop(path, start, points)
    try:
        shop.check()
        for step in script:
            shop.run(step)
            shop.check()
    finally:
        shop.close()
