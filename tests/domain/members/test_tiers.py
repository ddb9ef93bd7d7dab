"""Member tiers: a tier given by import or head office is a floor, kept until ``tier_until``."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from pos.cli import main
from pos.cli.common import EXIT_OK
from pos.domain.members import members
from pos.domain.members.loyalty import (
    FLOOR_BY_HQ,
    FLOOR_BY_IMPORT,
    LoyaltyRules,
    TierFloor,
    TierRule,
    tier_source,
)
from pos.domain.members.member_care import export_member
from pos.enums import Tender
from pos.models import Member, Sale
from pos.register.service import RegisterIdentity, RegisterService
from pos.sync import central
from pos.transfer.exports import export_members_csv, export_members_jsonl
from pos.transfer.imports import ImportReport
from pos.transfer.member_import import MEMBER_COLUMNS, import_members
from tests.conftest import NOW, TODAY
from tests.helpers import barcode_of, empty_config
from tests.sync.test_sync import Register, registers  # noqa: F401  (the fixture)

TIERS = ("normal", "silver", "gold", "platinum")
ZONE = "Asia/Shanghai"
HEADER = ",".join((*MEMBER_COLUMNS, "tier_until"))
PHONE, OTHER_PHONE = "16612340001", "16612340002"
# Low thresholds, so that a few sales of the demo store reach a tier.
RULES = LoyaltyRules(
    tiers=(
        TierRule("normal", 0, 100),
        TierRule("silver", 1_000, 120),
        TierRule("gold", 5_000, 150),
        TierRule("platinum", 100_000, 200),
    )
)


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def row(
    tier: str, until: str = "", phone: str = PHONE, name: str = "钱多多", card_no: str = ""
) -> str:
    return f"{card_no},{phone},{name},f,,{tier},0,2025-01-02,{until}"


def run_import(
    sessions: sessionmaker[Session],
    *rows: str,
    now: datetime = NOW,
    rules: LoyaltyRules | None = None,
    header: str = HEADER,
) -> ImportReport:
    data = ("\n".join((header, *rows)) + "\n").encode()
    with sessions.begin() as session:
        return import_members(session, data, TIERS, now, ZONE, "001", rules=rules)


def member(sessions: sessionmaker[Session], phone: str = PHONE) -> Member:
    with sessions() as session:
        found = members.member_by_phone(session, phone)
        assert found is not None
        return found


def sell(register: RegisterService, sessions: sessionmaker[Session], member_id: int) -> None:
    """One box of 999感冒灵 (¥14.50 at the member price) to the member, paid in cash."""
    register.scan(barcode_of(sessions, "P00001"))
    register.attach_member(member_id)
    tendering = register.start_payment()
    tendering.add(Tender.CASH, None)
    register.complete(tendering)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def till(demo_sessions: sessionmaker[Session], clock: Clock) -> RegisterService:
    """The register with low tier thresholds and a clock the test moves."""
    return RegisterService(demo_sessions, RegisterIdentity("001", "01"), clock, rules=RULES)


# -- the rules ---------------------------------------------------------------------------


def test_settled_tier_is_the_higher_of_spend_and_a_running_floor() -> None:
    gold = TierFloor("gold", date(2026, 3, 31))
    assert RULES.settled_tier(0, gold, TODAY) == "gold"
    assert RULES.settled_tier(200_000, gold, TODAY) == "platinum"  # spend raises it
    assert RULES.settled_tier(2_000, gold, date(2026, 3, 31)) == "gold"  # the last day
    assert RULES.settled_tier(2_000, gold, date(2026, 4, 1)) == "silver"  # then spend
    assert RULES.settled_tier(0, TierFloor("gold"), date(2099, 1, 1)) == "gold"  # no end
    assert RULES.settled_tier(0, TierFloor("diamond"), TODAY) == "normal"  # not configured


def test_tier_source_names_spend_import_or_head_office() -> None:
    assert tier_source("gold", None) == "spend over the last 365 days"
    until = date(2026, 6, 30)
    assert tier_source("gold", TierFloor("gold", until)) == "imported until 2026-06-30"
    assert tier_source("gold", TierFloor("gold")) == "imported"
    assert tier_source("platinum", TierFloor("gold", until)) == "spend over the last 365 days"
    assert tier_source("gold", TierFloor("gold", None, FLOOR_BY_HQ)) == "head office"
    assert tier_source("gold", TierFloor("gold", until, FLOOR_BY_HQ)) == (
        "head office until 2026-06-30"
    )


# -- import ------------------------------------------------------------------------------


def test_import_keeps_the_tier_as_a_floor_until_tier_until(
    sessions: sessionmaker[Session],
) -> None:
    report = run_import(
        sessions, row("gold", "2026-06-30"), row("platinum", phone=OTHER_PHONE, name="孙")
    )
    assert (report.created, report.errors) == (2, [])
    first, second = member(sessions), member(sessions, OTHER_PHONE)
    assert (first.tier, first.tier_floor, first.tier_until, first.tier_floor_by) == (
        "gold", "gold", date(2026, 6, 30), FLOOR_BY_IMPORT,
    )  # fmt: skip
    assert (second.tier, second.tier_floor, second.tier_until) == ("platinum", "platinum", None)
    with sessions() as session:  # a data request shows the floor too
        data = export_member(session, session.get_one(Member, first.id))
    assert data["tier_floor"] == {"tier": "gold", "until": "2026-06-30", "by": "import"}


def test_import_without_the_tier_until_column_still_works(
    sessions: sessionmaker[Session],
) -> None:
    report = run_import(
        sessions, f",{PHONE},钱多多,f,,silver,0,2025-01-02", header=",".join(MEMBER_COLUMNS)
    )
    assert report.errors == []
    assert (member(sessions).tier, member(sessions).tier_floor) == ("silver", "silver")


def test_the_first_tier_is_no_floor_and_takes_no_date(sessions: sessionmaker[Session]) -> None:
    run_import(sessions, row(""))
    assert (member(sessions).tier, member(sessions).tier_floor) == ("normal", None)
    report = run_import(
        sessions, row("normal", "2026-06-30"), row("gold", "30/06/2026", OTHER_PHONE, "孙")
    )
    assert [(error.line, error.reason) for error in report.errors] == [
        (2, "tier_until needs a tier above normal"),
        (3, "tier_until is not a date (YYYY-MM-DD): '30/06/2026'"),
    ]
    assert not report.applied
    with sessions() as session:
        assert len(session.scalars(select(Member)).all()) == 1  # nothing changed


def test_import_with_rules_settles_the_tier_and_drops_a_floor_already_over(
    demo_sessions: sessionmaker[Session], till: RegisterService
) -> None:
    run_import(demo_sessions, row("silver"))
    for _ in range(4):  # ¥58.00: gold by spend
        sell(till, demo_sessions, member(demo_sessions).id)
    card_no = member(demo_sessions).card_no
    assert member(demo_sessions).tier == "gold"
    run_import(demo_sessions, row("silver", card_no=card_no), rules=RULES)  # spend keeps gold
    assert (member(demo_sessions).tier, member(demo_sessions).tier_floor) == ("gold", "silver")
    over = row("platinum", "2026-03-01", card_no=card_no)  # a floor that ran out already
    assert run_import(demo_sessions, over, rules=RULES).errors == []
    settled = member(demo_sessions)
    assert (settled.tier, settled.tier_floor, settled.tier_until) == ("gold", None, None)


# -- after a sale ------------------------------------------------------------------------


def test_a_sale_keeps_the_imported_tier_until_tier_until_then_spend_rules(
    demo_sessions: sessionmaker[Session], till: RegisterService, clock: Clock
) -> None:
    run_import(demo_sessions, row("gold", "2026-03-20"), row("gold", phone=OTHER_PHONE, name="孙"))
    dated, open_ended = member(demo_sessions), member(demo_sessions, OTHER_PHONE)
    for who in (dated, open_ended):
        sell(till, demo_sessions, who.id)  # ¥14.50: silver by spend
    assert member(demo_sessions).tier == "gold"  # was "normal" before floors
    assert member(demo_sessions, OTHER_PHONE).tier == "gold"

    clock.now = NOW + timedelta(days=11)  # 2026-03-21: the floor ran out yesterday
    sell(till, demo_sessions, dated.id)
    sell(till, demo_sessions, open_ended.id)
    lapsed = member(demo_sessions)
    assert (lapsed.tier, lapsed.tier_floor, lapsed.tier_until) == ("silver", None, None)
    assert member(demo_sessions, OTHER_PHONE).tier == "gold"  # no end: still gold


def test_spend_raises_the_tier_above_the_floor(
    demo_sessions: sessionmaker[Session], till: RegisterService
) -> None:
    run_import(demo_sessions, row("silver", "2026-12-31"))
    who = member(demo_sessions)
    for _ in range(4):
        sell(till, demo_sessions, who.id)
    raised = member(demo_sessions)
    assert (raised.tier, raised.tier_floor) == ("gold", "silver")


def test_points_after_the_floor_ran_out_use_the_tier_of_spend(
    demo_sessions: sessionmaker[Session], till: RegisterService, clock: Clock
) -> None:
    run_import(demo_sessions, row("platinum", "2026-03-10"))
    who = member(demo_sessions)
    clock.now = NOW + timedelta(days=1)
    sell(till, demo_sessions, who.id)  # ¥14.50 at 100 %, not platinum's 200 %
    with demo_sessions() as session:
        sale = session.scalars(select(Sale)).one()
        assert sale.points_earned == 14


# -- exports -----------------------------------------------------------------------------


def test_members_export_ends_with_tier_until_and_imports_again(
    sessions: sessionmaker[Session],
) -> None:
    run_import(sessions, row("gold", "2026-06-30"), row("silver", phone=OTHER_PHONE, name="孙"))
    with sessions() as session:
        text = "".join(export_members_csv(session))
        records = "".join(export_members_jsonl(session)).splitlines()
    header, first, second = csv.reader(io.StringIO(text))
    assert header[-4:] == ["consents", "tier_until", "referrer", "segment"]
    assert (first[5], first[-3], second[5], second[-3]) == ("gold", "2026-06-30", "silver", "")
    assert '"tier_until": "2026-06-30"' in records[0] and '"tier_until": null' in records[1]
    with sessions.begin() as session:  # the floor comes back as it was
        session.execute(update(Member).values(tier_floor=None, tier_until=None))
    header_line, *lines = text.splitlines()
    report = run_import(sessions, *lines, header=header_line)
    assert (report.updated, report.errors) == (2, [])
    assert member(sessions).tier_until == date(2026, 6, 30)
    assert member(sessions, OTHER_PHONE).tier_floor == "silver"


# -- pos member show ---------------------------------------------------------------------


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No real user config or POS_* variable reaches the command."""
    for name in list(os.environ):
        if name.startswith("POS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("POS_CONFIG", empty_config(tmp_path))
    monkeypatch.setenv("POS_REGISTER__LOCALE", "en")
    yield


@pytest.mark.usefixtures("isolated")
def test_member_show_names_where_the_tier_comes_from(
    sessions: sessionmaker[Session],
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_import(sessions, row("gold", "2026-06-30"), row("silver", phone=OTHER_PHONE, name="孙"))
    with sessions.begin() as session:
        third = members.enrol(
            session, members.MemberForm(phone="16612340003", name="周", consent_terms=True),
            NOW, TODAY, "001",
        )  # fmt: skip
        third.tier = "platinum"
        members.set_tier_floor(third, TierFloor("platinum", None, FLOOR_BY_HQ))

    def show(query: str) -> str:
        assert main(["member", "show", query, "--db", str(db_path)]) == EXIT_OK
        return capsys.readouterr().out

    assert "Tier: gold\nTier from: imported until 2026-06-30\n" in show(PHONE)
    assert "Tier from: imported\n" in show(OTHER_PHONE)
    assert "Tier from: head office\n" in show("16612340003")
    with sessions.begin() as session:
        session.execute(update(Member).where(Member.phone == PHONE).values(tier_floor=None))
    assert "Tier from: spend over the last 365 days\n" in show(PHONE)

    monkeypatch.setenv("POS_REGISTER__LOCALE", "zh_CN")
    with sessions.begin() as session:
        session.execute(update(Member).where(Member.phone == PHONE).values(tier_floor="gold"))
    assert "等级来源: 导入，有效至 2026-06-30\n" in show(PHONE)
    assert "等级来源: 导入\n" in show(OTHER_PHONE)
    assert "等级来源: 总部\n" in show("16612340003")


# -- head office -------------------------------------------------------------------------


def test_an_imported_floor_travels_through_head_office(
    registers: tuple[Register, Register],  # noqa: F811
    hq_url: str,
) -> None:
    a, b = registers
    run_import(a.sessions, row("gold", "2026-06-30"))
    a.sync(hq_url)
    b.sync(hq_url)
    at_b = member(b.sessions)
    assert (at_b.tier, at_b.tier_floor, at_b.tier_until, at_b.tier_floor_by) == (
        "gold", "gold", date(2026, 6, 30), FLOOR_BY_IMPORT,
    )  # fmt: skip
    b.service.scan(barcode_of(b.sessions, "P00001"))
    b.service.attach_member(at_b.id)
    tendering = b.service.start_payment()
    tendering.add(Tender.CASH, None)
    b.service.complete(tendering)
    assert member(b.sessions).tier == "gold"
    b.sync(hq_url)
    a.sync(hq_url)
    assert member(a.sessions).tier == "gold"


def test_a_tier_set_by_head_office_is_a_floor_at_the_register(
    registers: tuple[Register, Register],  # noqa: F811
    hq_url: str,
) -> None:
    a, _b = registers
    run_import(a.sessions, row(""))
    a.sync(hq_url)
    engine = central.make_hq_engine(hq_url)
    try:
        with Session(engine) as session, session.begin():  # head office makes them gold
            session.execute(
                update(Member)
                .where(Member.phone == PHONE)
                .values(tier="gold", updated_at=datetime.now(UTC))
            )
    finally:
        engine.dispose()
    a.sync(hq_url)
    pulled = member(a.sessions)
    assert (pulled.tier, pulled.tier_floor, pulled.tier_floor_by) == ("gold", "gold", FLOOR_BY_HQ)
    a.service.scan(barcode_of(a.sessions, "P00001"))
    a.service.attach_member(pulled.id)
    tendering = a.service.start_payment()
    tendering.add(Tender.CASH, None)
    a.service.complete(tendering)  # ¥14.50 of spend here: still gold
    assert member(a.sessions).tier == "gold"
    a.sync(hq_url)
    a.sync(hq_url)  # its own tier coming back changes nothing
    again = member(a.sessions)
    assert (again.tier, again.tier_floor, again.tier_floor_by) == ("gold", "gold", FLOOR_BY_HQ)


def test_a_registers_own_spend_tier_coming_back_is_no_floor(
    registers: tuple[Register, Register],  # noqa: F811
    hq_url: str,
) -> None:
    a, _b = registers
    run_import(a.sessions, row(""))
    who = member(a.sessions)
    with a.sessions.begin() as session:
        found = session.get_one(Member, who.id)
        found.tier = "silver"  # as a sale here would have made it
    a.sync(hq_url)
    a.sync(hq_url)
    back = member(a.sessions)
    assert (back.tier, back.tier_floor) == ("silver", None)
